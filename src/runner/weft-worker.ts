/**
 * Creating the worker behind a `Thread`.
 *
 * Every weft worker is created the same way (`createWorker`): its first code
 * is a few lines evaluated as a script (`ENTRY`) that register tsx's hooks
 * when the program needs them (`loaders.ts`) and only then import weft and
 * call `runBootstrap` (`bootstrap.ts`) — from a `.ts` file when weft runs
 * from source, from the bundle when it runs from its package.
 * The worker is told which thread to run either in its `workerData` or, for
 * a warm spare made ahead of time (`spare-workers.ts`), in a message.
 * Workers share `process.env` with their creator, as Python threads share
 * `os.environ`.
 */
import { MessageChannel, SHARE_ENV, Worker, type MessagePort } from 'node:worker_threads';
import { StartState, type ThreadAssignment, type WorkerSeed } from './boot-data.js';
import { loaderPlan } from '../runtime/loaders.js';
import { bootstrapUrl } from '../internal/layout.js';
import { startLinkBeforeThreads } from '../backends/hub/tree.js';

// Runs as a CommonJS script in the new worker. If the bootstrap cannot even
// be imported, report it through the handshake so that start() never hangs.
const ENTRY = `
const { workerData } = require('node:worker_threads');
if (workerData.sourceMaps) process.setSourceMapsEnabled(true);
if (workerData.tsxHooks) require('node:module').register(workerData.tsxHooks, { data: {} });
import(workerData.bootstrap).then((weft) => weft.runBootstrap()).catch((error) => {
  const state = new Int32Array(workerData.start);
  workerData.port.postMessage({
    type: 'bootstrap-error',
    name: String(error && error.name || 'Error'),
    message: String(error && error.message || error),
    stack: error && error.stack,
  });
  if (Atomics.compareExchange(state, 0, ${StartState.Booting}, ${StartState.Failed}) !== ${StartState.Booting}) {
    process.stderr.write('Exception in a starting thread:\\n' + String(error && error.stack || error) + '\\n');
  }
  Atomics.notify(state, 0);
  process.exit(1);
});
`;

/** A weft worker, and our ends of its control channel and handshake. */
export interface WeftWorker {
  readonly worker: Worker;
  /** Our end of the control channel; unref'd, read with `drainControl`. */
  readonly port: MessagePort;
  readonly start: Int32Array;
}

/** Creates a weft worker, running `assignment` at once, or waiting for one (a spare). */
export function createWorker(assignment: ThreadAssignment | undefined): WeftWorker {
  startLinkBeforeThreads();
  const { port1, port2 } = new MessageChannel();
  const start = new SharedArrayBuffer(4);
  const seed: WorkerSeed = {
    bootstrap: bootstrapUrl,
    tsxHooks: loaderPlan().tsxHooks,
    sourceMaps: sourceMapsEnabled(),
    port: port2,
    start,
    assignment,
  };
  const worker = new Worker(ENTRY, { eval: true, workerData: seed, transferList: [port2, ...(assignment?.ports ?? [])], env: SHARE_ENV });
  port1.unref();
  return { worker, port: port1, start: new Int32Array(start) };
}

/** Whether this thread maps stack traces through source maps (`--enable-source-maps`, tsx); new threads do the same. */
function sourceMapsEnabled(): boolean {
  return (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
}

