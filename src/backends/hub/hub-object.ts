/**
 * What the process-scope primitives' client classes share: the naming of
 * hub objects (re-exported from `backends/hub/handle.ts`), and this
 * thread's record of the process-scope locks it holds.
 *
 * Why a local record: a release by the thread that took the lock cannot
 * fail, so it is sent one-way (`hubSend`, no round trip); a release by
 * another thread (legal for a Lock, as in Python) may find the lock
 * unlocked, so it asks the hub and throws `ERR_LOCK_NOT_HELD` there. Module
 * state is per thread in Node, so the record is this thread's own.
 */
import { kHandle, type Shareable } from '../../codec/handles.js';
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { isHubBacked } from './hub-id.js';

export { kHubId, isHubBacked, type HubBacked } from './hub-id.js';
export { hubHandle, type HubHandleData } from './handle.js';

const levelsHeld = new Map<number, number>();

/** This thread's record of the locks it took and has not given back (levels, for an RLock). */
export const localHolds = {
  /** The thread took one more level of lock `id` (a Lock has only one). */
  took(id: number, reentrant: boolean): void {
    levelsHeld.set(id, reentrant ? (levelsHeld.get(id) ?? 0) + 1 : 1);
  },
  /** Gives back one level if this thread holds one; false if it holds none. */
  giveBack(id: number): boolean {
    const levels = levelsHeld.get(id) ?? 0;
    if (levels === 0) return false;
    if (levels === 1) levelsHeld.delete(id);
    else levelsHeld.set(id, levels - 1);
    return true;
  },
  /** True if the thread holds any lock through the hub (a quick test before `giveBack`). */
  holdsAny(): boolean {
    return levelsHeld.size > 0;
  },
  /** True if the thread holds lock `id` through the hub. */
  holds(id: number): boolean {
    return levelsHeld.has(id);
  },
  /** A Condition's wait released every level in the hub: forget them, returning how many. */
  suspend(id: number): number {
    const levels = levelsHeld.get(id) ?? 0;
    levelsHeld.delete(id);
    return levels;
  },
  /** The wait took the lock back at its saved depth. */
  resume(id: number, levels: number): void {
    levelsHeld.set(id, Math.max(1, levels));
  },
};

/**
 * Throws unless `value` is a process-scope object: a thread-scope one is
 * `ERR_WRONG_SCOPE`, naming the module to import instead.
 */
export function requireProcessScope(value: unknown, what: string): void {
  if (isHubBacked(value)) return;
  const handle = typeof value === 'object' && value !== null && kHandle in value ? (value as Shareable)[kHandle]() : undefined;
  if (handle !== undefined && handle.scope === 'thread') {
    throw misuse(ErrorCode.WrongScope, `multiprocessing: ${what} must come from weft/multiprocessing, got a ${handle.kind} from weft/threading, which processes cannot share`);
  }
  throw invalidArg(`multiprocessing: ${what} must come from weft/multiprocessing`, 'type');
}

let waitIds = 0;

/** A new id for one Condition wait of this thread (it names the wait to the hub if it must be restored). */
export function nextWaitId(): number {
  return ++waitIds;
}
