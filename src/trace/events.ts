/**
 * What a trace records, in the compact form threads buffer and send: one
 * event is an operation code, the class of the object it happened to, the
 * object's trace id, a number (a queue's depth, an exit code…) and a time.
 * Threads fill columns of typed arrays (`recorder.ts`) and send them in
 * batches; the root turns them into Chrome Trace Event JSON (`chrome.ts`).
 *
 * Codes are plain numbers (`as const` objects), so that recording one event
 * stores five numbers and allocates nothing.
 */

/** What happened. */
export const Op = {
  /** A lock-like acquire found the object taken and starts to wait (acquire-requested). */
  Request: 1,
  /** A lock-like acquire succeeded; value: 0 at once, 1 after waiting, 2 inherited from a dead holder. */
  Acquired: 2,
  /** A lock-like object was released (value: how many permits, for a semaphore). */
  Released: 3,
  /** A lock-like acquire gave up (timeout, abort). */
  TimedOut: 4,
  /** A wait that is not an acquire begins: a barrier, a full queue's put, an empty queue's get. */
  WaitBegin: 5,
  /** …and ends; value: 0 done, 1 timed out or broken. */
  WaitEnd: 6,
  /** An item was put; value: the queue's depth after it (-1: not known here). */
  Put: 7,
  /** An item was taken; value: the depth after it (-1: not known here). */
  Get: 8,
  /** The recording thread started. */
  ThreadStart: 9,
  /** The recording thread ended; value: its exit code (0 ran to the end, 1 threw). */
  ThreadExit: 10,
  /** The recording process started (its main thread records it). */
  ProcessStart: 11,
  /** A process ended; id: its pid; value: its exit code (recorded by the process itself and by its parent). */
  ProcessExit: 12,
  /** The thread's uncontended Lock holds are recorded 1 in `value` from now (0: all again); see `recorder.ts`. */
  Sampling: 13,
  /** A queue's depth changed (recorded where only the depth is known: the hub, for process-scope queues). */
  Depth: 14,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** Bit set in a class code for process-scope objects (`weft/multiprocessing`). */
export const PROCESS_SCOPE = 0x80;

/** The class of the object an event is about (0: none, for thread and process events). */
export const Cls = {
  None: 0,
  Lock: 1,
  RLock: 2,
  Semaphore: 3,
  BoundedSemaphore: 4,
  Barrier: 5,
  Queue: 6,
  LifoQueue: 7,
  PriorityQueue: 8,
  JoinableQueue: 9,
  SimpleQueue: 10,
} as const;
export type Cls = (typeof Cls)[keyof typeof Cls];

const CLASS_NAMES: Readonly<Record<number, string>> = {
  [Cls.Lock]: 'Lock',
  [Cls.RLock]: 'RLock',
  [Cls.Semaphore]: 'Semaphore',
  [Cls.BoundedSemaphore]: 'BoundedSemaphore',
  [Cls.Barrier]: 'Barrier',
  [Cls.Queue]: 'Queue',
  [Cls.LifoQueue]: 'LifoQueue',
  [Cls.PriorityQueue]: 'PriorityQueue',
  [Cls.JoinableQueue]: 'JoinableQueue',
  [Cls.SimpleQueue]: 'SimpleQueue',
};

/** `Lock`, or `mp.Lock` for the process-scope one. */
export function className(cls: number): string {
  const name = CLASS_NAMES[cls & ~PROCESS_SCOPE] ?? `class ${cls}`;
  return (cls & PROCESS_SCOPE) !== 0 ? `mp.${name}` : name;
}

/** Lock-like classes draw holds; the others draw waits and depths. */
export function isLockLike(cls: number): boolean {
  const base = cls & ~PROCESS_SCOPE;
  return base === Cls.Lock || base === Cls.RLock || base === Cls.Semaphore || base === Cls.BoundedSemaphore;
}

/** Which lane a batch's events belong to. */
export interface Lane {
  readonly pid: number;
  /** The worker's `threadId`, 0 for a main thread. */
  readonly threadId: number;
  readonly thread: string;
  readonly process: string;
}

/**
 * Events of one thread, in the order it recorded them: column `k` of each
 * array is one event. `times` are `performance.now()` of that thread, in ms;
 * `origin` is where that clock starts on the machine's monotonic clock
 * (`clock.ts`), so `origin + times[k]` is a time every thread and process
 * of the machine agrees on.
 */
export interface Batch extends Lane {
  readonly origin: number;
  readonly ops: Uint8Array;
  readonly classes: Uint8Array;
  readonly ids: Int32Array;
  readonly values: Float64Array;
  readonly times: Float64Array;
}
