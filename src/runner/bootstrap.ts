/**
 * The first weft code a new thread runs (imported by the entry script in
 * `launch.ts`). In order:
 *
 * 1. install the runtime the creator handed over (arena, this thread's token);
 * 2. import the target's module and find the target (and the Thread
 *    subclass), decode the arguments and fields, rebuild the Thread object;
 * 3. tell the creator, through the start handshake, that it runs — or why it
 *    could not;
 * 4. `await thread.run()`; print and report what it throws, as Python does;
 * 5. wait for the non-daemon threads it started, end its daemon threads
 *    (a worker's workers die with it, so they must end first);
 * 6. record its end in the arena — waking joiners, and lock waiters whose
 *    lock it might still hold — and exit.
 *
 * `process.exit()` inside the thread ends only the thread (Python's
 * `SystemExit` in a thread); the exit hook still records the end.
 */
import { threadId, workerData } from 'node:worker_threads';
import { decodeArgs, decodeFields } from '../codec/args.js';
import { encodeError } from '../codec/remote-error.js';
import { installRuntime, runtime } from '../backends/atomics/runtime.js';
import '../threading.js'; // registers every thread-scope handle kind
import { StartState, type ControlMessage, type ThreadBoot } from './boot-data.js';
import { runnerState } from './registry.js';
import { loadTarget } from './target.js';
import { Thread, baseOf, kRestore, kTerminate, printThreadException } from './thread.js';

const boot = workerData as ThreadBoot;
const startState = new Int32Array(boot.start);
let finishing = false;
installRuntime(boot.arena, boot.token);
runnerState().daemon = boot.daemon;
process.once('exit', recordEnd);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));

let thread: Thread<unknown[]>;
try {
  thread = await restore();
} catch (error) {
  startFailed(error);
  process.exit(1);
}
Atomics.compareExchange(startState, 0, StartState.Booting, StartState.Running);
Atomics.notify(startState, 0);
try {
  await thread.run();
} catch (error) {
  report(error);
}
await finish();

async function restore(): Promise<Thread<unknown[]>> {
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
  return restored;
}

/** A failure before run(): thrown by start() if the creator still waits, else the thread's error. */
function startFailed(error: unknown): void {
  post({ type: 'error', error: encodeError(error) });
  if (Atomics.compareExchange(startState, 0, StartState.Booting, StartState.Failed) !== StartState.Booting) {
    printThreadException(boot.name, error);
  }
  Atomics.notify(startState, 0);
}

function report(error: unknown): void {
  printThreadException(boot.name, error);
  post({ type: 'error', error: encodeError(error) });
}

/** An error thrown outside run() — a timer, an unawaited promise — ends the thread like one from run(). */
async function fail(error: unknown): Promise<void> {
  report(error);
  await finish();
}

async function finish(): Promise<void> {
  if (finishing) return;
  finishing = true;
  await joinNonDaemonChildren();
  await endDaemonChildren();
  runtime().arena.releaseLocalCells();
  recordEnd();
  process.exit(0);
}

async function joinNonDaemonChildren(): Promise<void> {
  for (;;) {
    const waiting = [...runnerState().children.values()].filter((child) => !child.daemon);
    if (waiting.length === 0) return;
    await Promise.all(waiting.map((child) => child.join()));
  }
}

async function endDaemonChildren(): Promise<void> {
  await Promise.all([...runnerState().children.values()].map((child) => child[kTerminate]()));
}

function recordEnd(): void {
  runtime().arena.endThread(boot.token);
}

function post(message: ControlMessage): void {
  boot.port.postMessage(message);
}
