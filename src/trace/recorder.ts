/**
 * This thread's trace buffer: events go into preallocated columns of typed
 * arrays and leave in batches of `CAPACITY`, so that recording one event is
 * a clock read and five stores — no allocation, no message.
 *
 * A full buffer (and, at the end, whatever is left) is sent as one `Batch`:
 *
 * - from a worker thread, on the process's trace channel (a
 *   `BroadcastChannel` named by the pid), which the process's main thread
 *   reads (`collector.ts`); a thread sends its last batch before it records
 *   its end in the arena, so a joiner that sees it ended finds its events
 *   already queued;
 * - from a main thread, straight to the process's collector.
 *
 * The clock is `performance.now()` (monotonic); each batch carries where
 * that clock starts on the machine's monotonic clock (`clock.ts`), so
 * threads and processes line up.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { type Batch } from './events.js';
import { monotonicOrigin } from './clock.js';
import { collector } from './collector.js';
import { tracing } from './switch.js';

/** Events per batch: large enough that sending is rare, small enough that a batch is cheap to copy. */
export const CAPACITY = 4096;

/** The name of the channel on which a process's threads send their batches to its main thread. */
export function traceChannelName(pid: number): string {
  return `weft-trace:${pid}`;
}

let ops = new Uint8Array(0);
let classes = new Uint8Array(0);
let ids = new Int32Array(0);
let values = new Float64Array(0);
let times = new Float64Array(0);
let count = 0;
let origin = NaN;

let threadName = isMainThread ? 'MainThread' : `Thread-${threadId}`;
let processName = 'MainProcess';

function allocate(): void {
  if (ops.length === CAPACITY) return;
  ops = new Uint8Array(CAPACITY);
  classes = new Uint8Array(CAPACITY);
  ids = new Int32Array(CAPACITY);
  values = new Float64Array(CAPACITY);
  times = new Float64Array(CAPACITY);
  count = 0;
  origin = monotonicOrigin();
}

if (tracing) allocate();
const key = Symbol.for('weft.trace.switches');
(globalThis as typeof globalThis & { [key]?: Set<(on: boolean) => void> })[key]?.add((on) => {
  if (on) allocate();
});

/**
 * Records one event now. Call it only under `if (tracing)`: the buffers
 * exist only while tracing is on.
 *
 * @example
 * ```ts
 * if (tracing) record(Op.Released, Cls.Lock, traceIdOf(words, LockWord.TraceId), 1);
 * ```
 */
export function record(op: number, cls: number, id: number, value: number): void {
  const i = count;
  times[i] = performance.now();
  ops[i] = op;
  classes[i] = cls;
  ids[i] = id;
  values[i] = value;
  count = i + 1;
  if (count === CAPACITY) flushRecorder();
}

/** Names this thread's lane (the bootstraps call it as a thread or process starts). */
export function nameLane(names: { thread?: string; process?: string }): void {
  if (names.thread !== undefined) threadName = names.thread;
  if (names.process !== undefined) processName = names.process;
}

/** Sends what this thread has recorded (nothing if it recorded nothing). */
export function flushRecorder(): void {
  if (count === 0) return;
  const n = count;
  count = 0;
  const batch: Batch = {
    pid: process.pid,
    threadId,
    thread: threadName,
    process: processName,
    origin,
    ops: ops.slice(0, n),
    classes: classes.slice(0, n),
    ids: ids.slice(0, n),
    values: values.slice(0, n),
    times: times.slice(0, n),
  };
  if (isMainThread) return collector().accept(batch);
  postToMain(batch);
}

/**
 * Posts on the process's trace channel. The channel is opened for the one
 * message and closed at once: a BroadcastChannel receives what every other
 * member posts, and a worker's open member would hoard its siblings'
 * batches. Posting is synchronous (the message is in the main thread's queue
 * when `postMessage` returns), so closing right after loses nothing.
 */
export function postToMain(batch: Batch, pid = process.pid): void {
  const channel = new BroadcastChannel(traceChannelName(pid));
  channel.postMessage(batch);
  channel.close();
}
