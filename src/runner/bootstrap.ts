/**
 * The first weft code a new thread runs: `runBootstrap()`, called by the
 * entry script in `weft-worker.ts`. In order:
 *
 * 0. a warm spare waits here for the thread it is to run;
 * 1. install the runtime the creator handed over (arena, this thread's token);
 * 2. import the target's module and find the target (and the Thread
 *    subclass), decode the arguments and fields, rebuild the Thread object;
 * 3. tell the creator, through the start handshake, that it runs — or why it
 *    could not;
 * 4. `await thread.run()` (a Timer's thread first waits its interval, and
 *    skips `run()` if cancelled); report what it throws to the starting
 *    thread, whose excepthook prints it (`excepthook.ts`);
 * 5. wait for the non-daemon threads it started, end its daemon threads
 *    (a worker's workers die with it, so they must end first);
 * 6. tell the hub it ended (process-scope locks it held are released), and
 *    record its end in the arena — waking joiners, and lock waiters whose
 *    lock it might still hold — and exit.
 *
 * `process.exit()` inside the thread ends only the thread (Python's
 * `SystemExit` in a thread); the exit hook still records the end.
 */
import { threadId, workerData } from 'node:worker_threads';
import { decodeArgs, decodeFields } from '../codec/args.js';
import { encodeError } from '../codec/remote-error.js';
import { installRuntime, retireSections, runtime } from '../backends/atomics/runtime.js';
import { runExitFlushes } from '../internal/exit-flush.js';
import { hubThreadEnded } from '../backends/hub/client.js';
import '../threading.js'; // registers the thread-scope handle kinds…
import '../queue.js'; // …and the queues'…
import '../multiprocessing.js'; // …and the process-scope objects'
import { StartState, type AssignMessage, type ControlMessage, type ThreadAssignment, type WorkerSeed } from './boot-data.js';
import { runnerState } from './registry.js';
import type { Event } from '../sync/event.js';
import { loadTarget, preloadsSettled } from '../runtime/target.js';
import { Thread, baseOf, kRestore, kTerminate } from './thread.js';
import { tracing } from '../trace/tracing.js';
import { traceThreadEnd, traceThreadStart } from './lifecycle.js';

/** Runs the thread this worker was created (or is about to be assigned) to run, then ends the worker. */
export async function runBootstrap(): Promise<void> {
  const seed = workerData as WorkerSeed;
  const assignment = seed.assignment ?? (await assigned(seed));
  await new ThreadLife(seed, assignment).live();
}

/** A spare's thread arrives on the control port. The listener keeps this worker alive until it does. */
function assigned(seed: WorkerSeed): Promise<ThreadAssignment> {
  return new Promise((resolve) => {
    seed.port.once('message', (message: AssignMessage) => resolve(message.assignment));
  });
}

class ThreadLife {
  readonly #seed: WorkerSeed;
  readonly #boot: ThreadAssignment;
  readonly #startState: Int32Array;
  #finishing = false;
  /** A Timer's `finished` Event, once decoded. */
  #finished: Event | undefined;
  /** 1 once the thread reported an error (its exit code in a trace). */
  #exitCode = 0;

  constructor(seed: WorkerSeed, boot: ThreadAssignment) {
    this.#seed = seed;
    this.#boot = boot;
    this.#startState = new Int32Array(seed.start);
  }

  async live(): Promise<void> {
    installRuntime(this.#boot.arena, this.#boot.token);
    runnerState().daemon = this.#boot.daemon;
    runnerState().ports = this.#boot.ports ?? [];
    if (tracing) traceThreadStart(this.#boot.name);
    process.once('exit', () => this.#recordEnd());
    process.on('uncaughtException', (error) => void this.#fail(error));
    process.on('unhandledRejection', (error) => void this.#fail(error));

    let thread: Thread<unknown[]>;
    try {
      thread = await this.#restore();
    } catch (error) {
      this.#startFailed(error);
      process.exit(1);
    }
    Atomics.compareExchange(this.#startState, 0, StartState.Booting, StartState.Running);
    Atomics.notify(this.#startState, 0);
    try {
      if (await this.#delayPassed()) await thread.run();
    } catch (error) {
      this.#report(error);
    } finally {
      this.#delayDone();
    }
    await this.#finish();
  }

  /** A Timer's thread: true once its interval passed without `cancel()` (CPython's `Timer.run`). */
  async #delayPassed(): Promise<boolean> {
    const delay = this.#boot.delay;
    if (delay === undefined) return true;
    const [finished] = decodeArgs(delay.finished) as [Event];
    this.#finished = finished;
    await finished.wait({ timeout: delay.interval });
    return !finished.isSet();
  }

  /** A Timer is done, whether it called its function or was cancelled. */
  #delayDone(): void {
    this.#finished?.set();
  }

  async #restore(): Promise<Thread<unknown[]>> {
    const boot = this.#boot;
    const target = boot.target === undefined ? undefined : await loadTarget(boot.target);
    const subclass = boot.cls === undefined ? undefined : await loadTarget(boot.cls);
    const base = subclass === undefined ? Thread : baseOf(subclass);
    const restored = base[kRestore](
      {
        token: boot.token,
        name: boot.name,
        daemon: boot.daemon,
        ident: threadId,
        target,
        args: decodeArgs(boot.args),
        fields: decodeFields(boot.fields),
      },
      subclass ?? base,
    );
    runnerState().self = restored;
    // Functions inside the arguments (a Barrier's action) are imported before run(), so `waitSync` can call them.
    await preloadsSettled();
    return restored;
  }

  /** A failure before run(): thrown by start() if the creator still waits, else the thread's error (and its excepthook's). */
  #startFailed(error: unknown): void {
    this.#post({ type: 'error', error: encodeError(error) });
    Atomics.compareExchange(this.#startState, 0, StartState.Booting, StartState.Failed);
    Atomics.notify(this.#startState, 0);
  }

  /** Hands the error to the starting thread, whose excepthook prints it (see `excepthook.ts`). */
  #report(error: unknown): void {
    this.#exitCode = 1;
    this.#post({ type: 'error', error: encodeError(error) });
  }

  /** An error thrown outside run() — a timer, an unawaited promise — ends the thread like one from run(). */
  async #fail(error: unknown): Promise<void> {
    this.#report(error);
    await this.#finish();
  }

  async #finish(): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    await runExitFlushes();
    await joinNonDaemonChildren();
    await endDaemonChildren();
    runtime().arena.releaseLocalCells();
    this.#recordEnd();
    process.exit(0);
  }

  #recordEnd(): void {
    // Its trace leaves first: whoever sees it ended finds its events already sent.
    if (tracing) traceThreadEnd(this.#exitCode);
    // Process-scope locks this thread still holds are released by the hub, and the next owner told.
    hubThreadEnded();
    // Its slot may be reused as soon as the end is recorded: what this thread
    // still runs on its way out must not count in the next thread's sections.
    retireSections();
    runtime().arena.endThread(this.#boot.token);
  }

  #post(message: ControlMessage): void {
    this.#seed.port.postMessage(message);
  }
}

/** Waits for every non-daemon thread the calling thread started, including those started meanwhile. */
export async function joinNonDaemonChildren(): Promise<void> {
  for (;;) {
    const waiting = [...runnerState().children.values()].filter((child) => !child.daemon);
    if (waiting.length === 0) return;
    await Promise.all(waiting.map((child) => child.join()));
  }
}

/** Ends every thread the calling thread started that is still running (its daemons, once the others are joined). */
export async function endDaemonChildren(): Promise<void> {
  await Promise.all([...runnerState().children.values()].map((child) => child[kTerminate]()));
}
