/**
 * Warm spares: a worker booted ahead of time, waiting for a thread to run.
 *
 * Most of what `start()` costs is the worker's own start-up — the Node
 * environment, the module loader, tsx's hooks when the program runs
 * TypeScript, weft's modules — none of which depends on the thread it will
 * run. A thread that has started threads twice probably starts more, so it
 * keeps one spare ready: the next `start()` hands the spare its thread (one
 * message) and a new spare boots in the background. The spare has imported
 * no user module, so module state is as fresh as in a worker made on demand.
 *
 * An idle spare does not keep the program alive and costs one idle worker.
 * `WEFT_SPARE_THREADS=0` turns spares off.
 */
import { createWorker, type WeftWorker } from './weft-worker.js';

// Spares pay off from the third start; one-thread programs never make one.
const LAUNCHES_BEFORE_SPARES = 2;

interface Spare extends WeftWorker {
  exited: boolean;
}

class SpareWorkers {
  #spare: Spare | undefined;
  #launches = 0;

  /** The spare, if there is one still alive (it may still be booting: the thread then just waits for it). */
  take(): WeftWorker | undefined {
    const spare = this.#spare;
    this.#spare = undefined;
    return spare === undefined || spare.exited ? undefined : spare;
  }

  /** Called after each launch: makes the next spare once starts have become a habit. */
  afterLaunch(): void {
    this.#launches += 1;
    if (this.#launches < LAUNCHES_BEFORE_SPARES || this.#spare !== undefined || !enabled()) return;
    this.#spare = makeSpare();
  }
}

function enabled(): boolean {
  return process.env.WEFT_SPARE_THREADS !== '0';
}

function makeSpare(): Spare {
  const made = createWorker(undefined);
  made.worker.unref();
  const spare: Spare = { ...made, exited: false };
  made.worker.once('exit', () => {
    spare.exited = true;
  });
  // A spare that fails to boot reports it on its control port; nothing here must crash.
  made.worker.on('error', () => {});
  return spare;
}

export const spareWorkers = new SpareWorkers();
