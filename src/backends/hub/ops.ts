/**
 * The typed op map: for each kind of process-scope object, the ops a thread
 * may call on it, the arguments each takes and what the caller gets back.
 * The hub client (`client.ts`: `hubCall`, `hubCallSync`, `hubSend`) takes
 * these names and types, and every state machine's `call` switches over
 * its kind's names (`OpName<K>`), so a call and the op that serves it cannot
 * drift apart unseen: a renamed op, a missing argument or an answer read as
 * the wrong type is a compile error on both sides.
 *
 * An object's id carries its kind (`HubId<K>`), given by `hubCreate` and by
 * the handle a thread attaches, so a call on an Event's id with a Lock's op
 * does not compile either.
 *
 * The answers are what the *calling thread* receives: a child's link may
 * turn the hub's answer into a local one first (a Queue's lent items and
 * room credit, a Value lent to the process: `queue-lending.ts`,
 * `queue-credit-link.ts`, `value-owner-link.ts`). Ops that only a link or a
 * process's server sends (a lock's `return`/`report`, a queue's
 * `lendWatch`…) travel as raw requests and are not listed here. Each op's
 * meaning is in the header of its state machine's file.
 */
import type { TIMED_OUT } from './call.js';
import type { Grant, LockStatisticsAnswer, ProcessGrant } from './lock.js';
import type { QueueStat } from './queue.js';
import type { CreditCellAnswer } from './queue-credit-link.js';
import type { LentAnswer } from './queue-lending.js';
import type { LocalAnswer } from './value-ownership.js';
import type { OwnedAnswer } from './value-owner-link.js';
import type { ManagerStat } from './manager.js';
import type { EventStatistics } from '../cores/event.js';
import type { ReleaseOutcome, SemaphoreStatistics } from '../cores/semaphore.js';
import type { BarrierStatistics } from '../cores/barrier.js';
import type { ConditionStatistics } from '../cores/condition.js';
import type { Batch } from '../../trace/events.js';

/** The answer the core gives a waiting call whose timeout ran out. */
type TimedOut = typeof TIMED_OUT;

/** One op: what the caller sends, and what it is answered. */
interface Op<Args extends readonly unknown[], Answer> {
  readonly args: Args;
  readonly answer: Answer;
}

/** `waitForWaiters(n)` (weft/testing): every kind a caller can wait on answers it. */
interface Waitable {
  waitForWaiters: Op<[n: number], number | TimedOut>;
}

/**
 * Ops that only a process's server sends (its link in a child, the hub's
 * own thread for the root), as raw requests: listed so that the state
 * machines' switches are checked against the whole map; their arguments
 * are checked where they are read.
 */
type ServerOp = Op<readonly unknown[], unknown>;

interface LockOps extends Waitable {
  acquire: Op<[mode: 'grant'], ProcessGrant | Grant | TimedOut>;
  return: ServerOp;
  report: ServerOp;
  release: Op<[], undefined>;
  pin: Op<[depth: number], undefined>;
  locked: Op<[], boolean>;
  statistics: Op<[], LockStatisticsAnswer>;
}

interface EventOps extends Waitable {
  isSet: Op<[], boolean>;
  set: Op<[], undefined>;
  clear: Op<[], undefined>;
  wait: Op<[], true | TimedOut>;
  statistics: Op<[], EventStatistics>;
}

interface SemaphoreOps extends Waitable {
  acquire: Op<[], true | TimedOut>;
  release: Op<[n: number], ReleaseOutcome>;
  statistics: Op<[], SemaphoreStatistics>;
}

interface BarrierOps extends Waitable {
  wait: Op<[], number | TimedOut>;
  timedOut: Op<[], undefined>;
  actionDone: Op<[ok: boolean], number>;
  reset: Op<[], undefined>;
  abort: Op<[], undefined>;
  statistics: Op<[], BarrierStatistics>;
}

interface ConditionOps extends Waitable {
  wait: Op<[waitId: number], Grant | TimedOut>;
  restore: Op<[waitId: number], [notified: boolean, grant: Grant]>;
  notify: Op<[n: number], number>;
  statistics: Op<[], ConditionStatistics>;
}

interface QueueOps {
  put: Op<[item: Uint8Array, flags: number], undefined | CreditCellAnswer | TimedOut>;
  send: Op<[item: Uint8Array], undefined>;
  get: Op<[flags: number], Uint8Array | LentAnswer | TimedOut>;
  taskDone: Op<[], undefined>;
  join: Op<[], true | TimedOut>;
  stat: Op<[], QueueStat>;
  shutdown: Op<[immediate: boolean], undefined>;
  puts: ServerOp;
  creditWatch: ServerOp;
  creditBack: ServerOp;
  lendWatch: ServerOp;
  lendMore: ServerOp;
  claimed: ServerOp;
  returned: ServerOp;
}

/** A `Value` or `SharedArray`: numbers (bigints for 64-bit typecodes). */
type Num = number | bigint;

interface NumbersOps {
  get: Op<[i: number], Num>;
  set: Op<[i: number, value: Num], undefined>;
  add: Op<[i: number, delta: Num], Num>;
  compareExchange: Op<[i: number, expected: Num, replacement: Num], Num>;
  toArray: Op<[], Num[]>;
  /** A child's op on numbers that may migrate to its process (`value-ownership.ts`). */
  local: Op<[typecode: string, op: 'get' | 'set' | 'add' | 'compareExchange' | 'toArray', ...args: Num[]], LocalAnswer | OwnedAnswer>;
  ownWatch: ServerOp;
  ownBack: ServerOp;
  ownSync: ServerOp;
}

interface ManagerOps {
  shutdown: Op<[], undefined>;
  running: Op<[], boolean>;
  stat: Op<[], ManagerStat>;
}

/** A proxy's referent (`dict.ts`, `list.ts`, a Namespace is a dict): values travel encoded, as bytes. */
type Bytes = Uint8Array;

interface DictOps {
  get: Op<[key: string], Bytes | null>;
  set: Op<[key: string, value: Bytes], undefined>;
  delete: Op<[key: string], boolean>;
  has: Op<[key: string], boolean>;
  keys: Op<[], string[]>;
  values: Op<[], Bytes[]>;
  items: Op<[], [string, Bytes][]>;
  size: Op<[], number>;
  clear: Op<[], undefined>;
  update: Op<[entries: [string, Bytes][]], undefined>;
  pop: Op<[key: string], Bytes | null>;
  popitem: Op<[], [string, Bytes] | null>;
  setdefault: Op<[key: string, value: Bytes], Bytes>;
  increment: Op<[key: string, delta: number], number>;
  compareAndSet: Op<[key: string, expected: Bytes | null, value: Bytes], boolean>;
}

interface ListOps {
  length: Op<[], number>;
  get: Op<[i: number], Bytes>;
  set: Op<[i: number, value: Bytes], undefined>;
  append: Op<[value: Bytes], undefined>;
  extend: Op<[values: Bytes[]], undefined>;
  insert: Op<[i: number, value: Bytes], undefined>;
  pop: Op<[i: number], Bytes>;
  remove: Op<[value: Bytes], undefined>;
  index: Op<[value: Bytes, start?: number, stop?: number], number>;
  count: Op<[value: Bytes], number>;
  slice: Op<[start?: number, stop?: number], Bytes[]>;
  toArray: Op<[], Bytes[]>;
  reverse: Op<[], undefined>;
  clear: Op<[], undefined>;
  snapshot: Op<[], { items: Bytes[]; version: number }>;
  reorderIf: Op<[version: number, order: number[]], boolean>;
}

interface TraceOps {
  events: Op<[batch: Batch], undefined>;
  sync: Op<[], undefined>;
  flush: Op<[], undefined>;
}

/** Every kind of process-scope object, by the name it is created under (`registerHubKind`). */
export interface HubOps {
  'multiprocessing.Lock': LockOps;
  'multiprocessing.RLock': LockOps;
  'multiprocessing.Event': EventOps;
  'multiprocessing.Semaphore': SemaphoreOps;
  'multiprocessing.BoundedSemaphore': SemaphoreOps;
  'multiprocessing.Barrier': BarrierOps;
  'multiprocessing.Condition': ConditionOps;
  'multiprocessing.Queue': QueueOps;
  'multiprocessing.Value': NumbersOps;
  'multiprocessing.SharedArray': NumbersOps;
  'multiprocessing.managers.SyncManager': ManagerOps;
  'multiprocessing.managers.DictProxy': DictOps;
  'multiprocessing.managers.Namespace': DictOps;
  'multiprocessing.managers.ListProxy': ListOps;
  'weft.trace': TraceOps;
}

export type HubKindName = keyof HubOps;

/** The kinds a caller can wait on (`waitForWaiters`, weft/testing). */
export type WaitableKind = { [K in HubKindName]: HubOps[K] extends Waitable ? K : never }[HubKindName];

/** The kinds a Manager's proxies refer to. */
export type ProxyKind = 'multiprocessing.managers.DictProxy' | 'multiprocessing.managers.Namespace' | 'multiprocessing.managers.ListProxy';

/** The ops of kind `K` (of every kind in `K`, for a union: those they share). */
export type OpName<K extends HubKindName> = keyof HubOps[K] & string;

/** What op `O` of kind `K` takes. */
export type ArgsOf<K extends HubKindName, O extends OpName<K>> = HubOps[K][O] extends { readonly args: infer A extends readonly unknown[] } ? A : never;

/** What the caller of op `O` of kind `K` gets back. */
export type AnswerOf<K extends HubKindName, O extends OpName<K>> = HubOps[K][O] extends { readonly answer: infer R } ? R : never;

declare const kind: unique symbol;

/**
 * The id in the hub of an object of kind `K`: a number on the wire, typed
 * here so that only `K`'s ops can be called on it. Made by `hubCreate`, or
 * by `hubIdOf` for an id that arrived in a handle.
 */
export type HubId<K extends HubKindName> = number & { readonly [kind]: K };

/** The id an attached handle carries, typed as the kind its handle kind says it is. */
export function hubIdOf<K extends HubKindName>(id: number, _kind: K): HubId<K> {
  return id as HubId<K>;
}
