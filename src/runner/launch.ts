/**
 * Starting the worker thread behind a `Thread`.
 *
 * The worker's first code is a few lines evaluated as a script (`ENTRY`):
 * they register tsx's hooks when the program needs them (`loaders.ts`) and
 * only then import the bootstrap — which may itself be a `.ts` file when weft
 * runs from source. Workers share `process.env` with their creator, as
 * Python threads share `os.environ`.
 */
import { MessageChannel, SHARE_ENV, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EncodedArgs } from '../codec/args.js';
import { decodeError } from '../codec/remote-error.js';
import { StartState, START_WAIT_MS, type ControlMessage, type ThreadBoot } from './boot-data.js';
import { loaderPlan } from './loaders.js';
import type { TargetRef } from './target.js';

const bootstrapUrl = new URL(`./bootstrap${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

// Runs as a CommonJS script in the new worker. If the bootstrap cannot even
// be imported, report it through the handshake so that start() never hangs.
const ENTRY = `
const { workerData } = require('node:worker_threads');
if (workerData.sourceMaps) process.setSourceMapsEnabled(true);
if (workerData.tsxHooks) require('node:module').register(workerData.tsxHooks, { data: {} });
import(workerData.bootstrap).catch((error) => {
  const state = new Int32Array(workerData.start);
  workerData.port.postMessage({
    type: 'bootstrap-error',
    name: String(error && error.name || 'Error'),
    message: String(error && error.message || error),
    stack: error && error.stack,
  });
  if (Atomics.compareExchange(state, 0, ${StartState.Booting}, ${StartState.Failed}) !== ${StartState.Booting}) {
    process.stderr.write('Exception in thread ' + workerData.name + ':\\n' + String(error && error.stack || error) + '\\n');
  }
  Atomics.notify(state, 0);
  process.exit(1);
});
`;

export interface LaunchRequest {
  readonly arena: SharedArrayBuffer;
  readonly token: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly target: TargetRef | undefined;
  readonly cls: TargetRef | undefined;
  readonly args: EncodedArgs;
  readonly fields: EncodedArgs;
  /** Block until the new thread has loaded its target (see `boot-data.ts`). */
  readonly waitForStart: boolean;
}

export interface Launched {
  readonly worker: Worker;
  /** Our end of the control channel; unref'd, read with `drainControl`. */
  readonly port: MessagePort;
}

/** Starts the worker. Throws what the new thread failed with, if it failed to load while we waited. */
export function launch(request: LaunchRequest): Launched {
  const { port1, port2 } = new MessageChannel();
  const start = new SharedArrayBuffer(4);
  const boot: ThreadBoot = {
    arena: request.arena,
    token: request.token,
    name: request.name,
    daemon: request.daemon,
    target: request.target,
    cls: request.cls,
    args: request.args,
    fields: request.fields,
    start,
    port: port2,
    bootstrap: bootstrapUrl,
    tsxHooks: loaderPlan().tsxHooks,
    sourceMaps: sourceMapsEnabled(),
  };
  const worker = new Worker(ENTRY, { eval: true, workerData: boot, transferList: [port2], env: SHARE_ENV });
  port1.unref();
  if (request.daemon) worker.unref();
  if (request.waitForStart) {
    const failure = awaitStart(new Int32Array(start), port1);
    if (failure !== undefined) {
      port1.close();
      throw failure;
    }
  }
  return { worker, port: port1 };
}

/** Whether this thread maps stack traces through source maps (`--enable-source-maps`, tsx); new threads do the same. */
function sourceMapsEnabled(): boolean {
  return (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
}

/** Blocks until the handshake settles; the load error if the thread failed. */
function awaitStart(state: Int32Array, port: MessagePort): Error | undefined {
  Atomics.wait(state, 0, StartState.Booting, START_WAIT_MS);
  const settled = Atomics.compareExchange(state, 0, StartState.Booting, StartState.Detached);
  if (settled !== StartState.Failed) return undefined;
  for (const message of drainControl(port)) {
    const error = controlError(message);
    if (error !== undefined) return error;
  }
  return new Error('threading: the new thread failed to start and did not say why');
}

/** Every message waiting on the control port, read synchronously. */
export function drainControl(port: MessagePort): ControlMessage[] {
  const messages: ControlMessage[] = [];
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    messages.push(received.message as ControlMessage);
  }
  return messages;
}

/** The error a control message carries. */
export function controlError(message: ControlMessage): Error | undefined {
  if (message.type === 'error') return decodeError(message.error);
  if (message.type === 'bootstrap-error') {
    const error = new Error(message.message);
    error.name = message.name;
    if (message.stack !== undefined) error.stack = message.stack;
    return error;
  }
  return undefined;
}
