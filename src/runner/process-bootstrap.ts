/**
 * The first weft code a new process runs: `runProcessBootstrap()`, called by
 * the `-e` script of `process-spawn.ts`. Python's `BaseProcess._bootstrap`,
 * in order:
 *
 * 1. read the boot frame from the link (`process-link.ts`) — a spare
 *    (`spare-processes.ts`) waits here, with weft loaded — and take on the
 *    identity it gives (name, daemon flag, parent);
 * 2. a daemon starts watching its parent (`parent-watch.ts`); a child
 *    whose arguments carry weft objects starts its link to the hub
 *    (`startLink()`) — any other child starts it only if it ever needs the
 *    hub (`tree.ts`);
 * 3. import the target's module and find the target (and the Process
 *    subclass), decode the arguments and fields, rebuild the Process object;
 * 4. `await process.run()`; what it throws is printed (`Process Process-1:`
 *    and the stack) and sent to the parent, and the exit code is 1;
 * 5. wait for the non-daemon threads and processes it started, end its
 *    daemon threads and processes, exit.
 *
 * Every exit — the end above, `process.exit(n)` inside the target, an
 * uncaught error — passes the `exit` hook, which flushes the hub link and
 * says `bye` to the parent.
 */
import { decodeArgs, decodeFields } from '../codec/args.js';
import { runExitFlushes } from '../internal/exit-flush.js';
import { encodeError } from '../codec/remote-error.js';
import { flushLink, startLink } from '../backends/hub/tree.js';
import { endDaemonChildren, joinNonDaemonChildren } from './bootstrap.js';
import { watchParent } from './parent-watch.js';
import { Process, baseOf, kEndAsDaemon, kRestore, printProcessException } from './process.js';
import { readBootSync, sendToParent, type ProcessBoot } from './process-link.js';
import { processState, setProcessIdentity } from './process-state.js';
import { loadTarget, preloadsSettled } from '../runtime/target.js';
import { tracing } from '../trace/tracing.js';
import { traceProcessEnd, traceProcessStart } from './lifecycle.js';
import '../threading.js'; // registers the handle kinds arguments may carry…
import '../queue.js';
import '../multiprocessing.js'; // …process-scope ones above all

/** Runs the process this child was started for, then exits. */
export async function runProcessBootstrap(): Promise<void> {
  const boot = readBootSync();
  // A spare nobody took (`spare-processes.ts`): there is nothing to run, and nothing to say.
  if (boot === undefined) process.exit(0);
  await new ProcessLife(boot).live();
}

class ProcessLife {
  readonly #boot: ProcessBoot;
  #finishing = false;

  constructor(boot: ProcessBoot) {
    this.#boot = boot;
  }

  async live(): Promise<void> {
    const boot = this.#boot;
    setProcessIdentity({ name: boot.name, daemon: boot.daemon, identity: boot.identity, parent: boot.parent });
    if (tracing) traceProcessStart(boot.name);
    process.once('exit', lastWords);
    process.on('uncaughtException', (error) => void this.#fail(error));
    process.on('unhandledRejection', (error) => void this.#fail(error));
    if (boot.daemon) watchParent(boot.gracePeriod);
    // The target likely uses the objects it is given at once: their link comes up while its module loads.
    if (boot.args.handles.length > 0 || boot.fields.handles.length > 0) startLink();

    let restored: Process<unknown[]>;
    try {
      restored = await this.#restore();
    } catch (error) {
      return this.#fail(error);
    }
    try {
      await restored.run();
    } catch (error) {
      return this.#fail(error);
    }
    await this.#finish(0);
  }

  async #restore(): Promise<Process<unknown[]>> {
    const boot = this.#boot;
    const target = boot.target === undefined ? undefined : await loadTarget(boot.target);
    const subclass = boot.cls === undefined ? undefined : await loadTarget(boot.cls);
    const base = subclass === undefined ? Process : baseOf(subclass);
    // Decoded after the imports: the target's module imports the weft
    // modules whose objects may be among the arguments.
    const restored = base[kRestore](
      { name: boot.name, daemon: boot.daemon, target, args: decodeArgs(boot.args), fields: decodeFields(boot.fields) },
      subclass ?? base,
    );
    processState().self = restored;
    // Functions inside the arguments (a Barrier's action) are imported before run(), so `waitSync` can call them.
    await preloadsSettled();
    return restored;
  }

  /** The target threw (or something outside it did): print it, tell the parent, end with 1. */
  async #fail(error: unknown): Promise<void> {
    if (this.#finishing) {
      // Thrown while waiting for children to end: the process is ending with 1 anyway.
      printProcessException(this.#boot.name, error);
      process.exit(1);
    }
    printProcessException(this.#boot.name, error);
    sendToParent({ type: 'error', error: encodeError(error) });
    await this.#finish(1);
  }

  /** Python's `_exit_function`: wait for non-daemon children, end the daemon ones, exit. */
  async #finish(exitcode: number): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    await runExitFlushes();
    await joinNonDaemonProcesses();
    await joinNonDaemonChildren();
    for (const child of processState().children) child[kEndAsDaemon]();
    await endDaemonChildren();
    process.exit(exitcode);
  }
}

async function joinNonDaemonProcesses(): Promise<void> {
  for (;;) {
    const waiting = [...processState().children].filter((child) => !child.daemon);
    if (waiting.length === 0) return;
    await Promise.all(waiting.map((child) => child.join()));
  }
}

/** The `exit` hook: whatever this process sent to the hub is delivered, and the parent hears it is done. */
function lastWords(code: number): void {
  // The trace goes to the root through the hub, before the link is flushed.
  if (tracing) traceProcessEnd(code);
  flushLink();
  sendToParent({ type: 'bye' });
}
