/**
 * Spare children: a process started ahead of time, waiting for the Process
 * it is to run — the process-scope twin of `spare-workers.ts`.
 *
 * Most of what `start()` waits for is the new process's own start-up: Node
 * itself, the program's loaders, weft's bundle. None of it depends on the
 * Process it will run. A process that has started non-daemon children twice
 * probably starts more, so it keeps one spare: a child spawned as
 * `spawnChild()` spawns any, which loads weft and then blocks reading its
 * link for the boot frame (`process-bootstrap.ts`). The next `start()`
 * writes the boot frame to the spare instead of spawning, and a new spare is
 * made once the caller's turn of the event loop ends. Daemon starts do not
 * count: a pool starts its (daemon) workers all at once and replaces them
 * rarely, so a spare would mostly be one idle process more.
 *
 * A spare saves the latency of a start, not its work: a program that starts
 * processes one after the other without pause (start, join, start…) still
 * waits for each spare's start-up, which then runs beside the child before.
 *
 * Python's semantics hold, since a spare has only done what every child
 * does before it reads its boot frame:
 * - a fresh interpreter per Process: a spare runs exactly one;
 * - fresh module globals: a spare has imported weft and nothing of the
 *   program; the target's module is imported after the boot frame;
 * - the environment, working directory and arguments of the moment of
 *   `start()`: a spare is taken only if the environment and working
 *   directory it was spawned with are those `start()` would give a new
 *   process now (its `argv` and `execArgv` are always the same); otherwise
 *   it is ended and a new process is spawned.
 * What differs: the child's `process.uptime()` counts from its spawn.
 *
 * A spare does not keep its parent alive. It ends when its parent ends,
 * however: the parent's `exit` hook kills it, and if the parent dies
 * without one, the spare reads end-of-file on its link and exits quietly.
 * `WEFT_SPARE_PROCESSES=0` turns spares off.
 *
 * | state  | meaning                                      | next                              |
 * |--------|----------------------------------------------|-----------------------------------|
 * | none   | no spare (fewer than two starts, or taken)   | made after a start → ready        |
 * | ready  | spawned, loading weft or waiting for its boot | taken by a matching start → none; ended on mismatch or exit → none |
 */
import type { SpawnedChild } from './process-spawn.js';

// Spares pay off from the third start; one-child programs never make one.
const STARTS_BEFORE_SPARES = 2;

/** A spare and the moment it was spawned for. */
export interface Spare {
  /** The environment and working directory it was spawned with (`momentKey`). */
  readonly moment: string;
  readonly spawned: SpawnedChild;
}

/** What makes a new process's moment: its environment and working directory. */
export function momentKey(env: NodeJS.ProcessEnv, cwd: string): string {
  return JSON.stringify([cwd, Object.entries(env)]);
}

interface Held extends Spare {
  exited: boolean;
}

class SpareProcesses {
  #spare: Held | undefined;
  #starts = 0;
  #scheduled = false;
  #exitHook = false;

  /** The spare, if it is alive and was spawned for `moment`; any other spare is ended. */
  take(moment: string): SpawnedChild | undefined {
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare === undefined) return undefined;
    if (spare.exited || spare.moment !== moment) {
      end(spare);
      return undefined;
    }
    // From now on it is a child like any other: it keeps the program alive unless `start()` says daemon.
    spare.spawned.child.ref();
    return spare.spawned;
  }

  /** Called after each start: once non-daemon starts have become a habit, makes the next spare when this turn of the event loop ends. */
  afterStart(daemon: boolean, make: () => Spare): void {
    if (!daemon) this.#starts += 1;
    if (this.#starts < STARTS_BEFORE_SPARES || this.#spare !== undefined || this.#scheduled || !enabled()) return;
    this.#scheduled = true;
    // Unref'd: a program that is ending does not wait to make a spare it will not use.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#spare === undefined) this.#hold(make);
    }).unref();
  }

  /** The pid of the spare waiting, if any (for tests). */
  get pid(): number | undefined {
    return this.#spare?.exited === false ? this.#spare.spawned.child.pid : undefined;
  }

  #hold(make: () => Spare): void {
    let made: Spare;
    try {
      made = make();
    } catch {
      return; // no spare this time (out of processes, hub lost…): the next start spawns as usual
    }
    const spare: Held = { ...made, exited: false };
    const { child, link } = spare.spawned;
    child.unref();
    link.unref();
    child.once('exit', () => (spare.exited = true));
    child.on('error', () => {});
    link.on('error', () => {});
    this.#spare = spare;
    if (!this.#exitHook) {
      this.#exitHook = true;
      process.once('exit', () => {
        if (this.#spare !== undefined) end(this.#spare);
      });
    }
  }
}

/** Ends a spare that will not be used: it reads end-of-file on its link and exits; the signal makes sure. */
function end(spare: Held): void {
  spare.spawned.link.destroy();
  if (!spare.exited) spare.spawned.child.kill('SIGKILL');
}

function enabled(): boolean {
  return process.env.WEFT_SPARE_PROCESSES !== '0';
}

export const spareProcesses = new SpareProcesses();
