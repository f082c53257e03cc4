/**
 * Launching a `Thread`: onto a warm spare if one is ready
 * (`spare-workers.ts`), else onto a new worker (`weft-worker.ts`), and, when
 * `start()` must know at once that the thread can run, waiting for the
 * start handshake (`boot-data.ts`).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { decodeError } from '../codec/remote-error.js';
import { StartState, START_WAIT_MS, type AssignMessage, type ControlMessage, type ThreadAssignment } from './boot-data.js';
import { spareWorkers } from './spare-workers.js';
import { createWorker, type WeftWorker } from './weft-worker.js';

/**
 * Starts a worker running `assignment` — a warm spare if one is ready.
 * With `waitForStart`, blocks until the thread has loaded its target and
 * throws what it failed with, if it failed (see `boot-data.ts`).
 */
export function launch(assignment: ThreadAssignment, waitForStart: boolean): WeftWorker {
  const spare = spareWorkers.take();
  let launched: WeftWorker;
  if (spare === undefined) {
    launched = createWorker(assignment);
  } else {
    const message: AssignMessage = { type: 'assign', assignment };
    spare.port.postMessage(message, [...(assignment.ports ?? [])]);
    launched = spare;
  }
  if (assignment.daemon) launched.worker.unref();
  else launched.worker.ref();
  spareWorkers.afterLaunch();
  if (waitForStart) {
    const failure = awaitStart(launched.start, launched.port);
    if (failure !== undefined) {
      launched.port.close();
      throw failure;
    }
  }
  return launched;
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
