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
 * **Sampling under a burst.** A clock read costs about 40 ns here, and an
 * uncontended `acquireSync()` + `release()` about 25: recording both ends of
 * every hold would make a tight loop of them 4–6× slower, and its trace
 * tens of millions of events a second that nobody can read. So while a
 * thread records more than one event per `BURST_US_PER_EVENT` µs, its
 * *uncontended* Lock holds are recorded 1 in `SAMPLE_EVERY` (`admitHold()`);
 * everything else — waits, contended acquires, queue operations, lifecycle
 * — is always recorded. Entering and leaving this mode are events of their
 * own (`Op.Sampling`), shown in the trace. It ends when the rate drops, when
 * the thread goes back to its event loop, or at a gap between two
 * recorded events longer than `GAP_MS`.
 *
 * The clock is `performance.now()` (monotonic); each batch carries where
 * that clock starts on the machine's monotonic clock (`clock.ts`), so
 * threads and processes line up.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { Cls, Op, type Batch } from './events.js';
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

/** Uncontended holds kept while sampling: 1 in this many. */
export const SAMPLE_EVERY = 16;
/** Events per rate measurement. */
const WINDOW = 256;
/** Sampling starts when a window's events came faster than one per this many µs. */
const BURST_US_PER_EVENT = 2;
/** A gap this long between two recorded events ends sampling (the burst is over). */
const GAP_MS = 1;
let sampling = false;
let sampled = 0;
let windowCount = 0;
let windowStart = 0;
let lastTime = 0;

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
  const now = performance.now();
  if (sampling && now - lastTime > GAP_MS) setSampling(false, lastTime);
  store(op, cls, id, value, now);
  lastTime = now;
  if (++windowCount === WINDOW) measureRate(now);
}

/**
 * Whether to record an uncontended Lock hold (both its ends): always, but
 * 1 in `SAMPLE_EVERY` during a burst. Call it under `if (tracing)`.
 */
export function admitHold(): boolean {
  return !sampling || ++sampled % SAMPLE_EVERY === 0;
}

function store(op: number, cls: number, id: number, value: number, now: number): void {
  const i = count;
  times[i] = now;
  ops[i] = op;
  classes[i] = cls;
  ids[i] = id;
  values[i] = value;
  count = i + 1;
  if (count === CAPACITY) flushRecorder();
}

/** Once per window: a burst starts sampling; while sampling, a rate back under the threshold ends it. */
function measureRate(now: number): void {
  const elapsedUs = (now - windowStart) * 1000;
  windowStart = now;
  windowCount = 0;
  const burst = WINDOW * BURST_US_PER_EVENT;
  if (!sampling && elapsedUs < burst) setSampling(true, now);
  else if (sampling && elapsedUs > burst * SAMPLE_EVERY) setSampling(false, now);
}

function setSampling(on: boolean, now: number): void {
  sampling = on;
  sampled = 0;
  store(Op.Sampling, Cls.None, 0, on ? SAMPLE_EVERY : 0, now);
  // A burst is synchronous code: once the thread is back in its event loop, it is over.
  if (on) setTimeout(() => sampling && setSampling(false, performance.now()), 0).unref();
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
