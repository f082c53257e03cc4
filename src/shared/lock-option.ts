/**
 * The `lock` option of `Value` and `SharedArray`, as in Python's
 * `multiprocessing.Value(..., lock=...)`: `true` (the default) gives the
 * object a new RLock, `false` gives it none, and a Lock or RLock is used as
 * given.
 */
import { invalidArg } from '../errors.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';

export type LockOption = boolean | Lock | RLock;

export function lockFor(option: LockOption | undefined): Lock | RLock | null {
  if (option === undefined || option === true) return new RLock();
  if (option === false) return null;
  if (option instanceof Lock || option instanceof RLock) return option;
  throw invalidArg('shared: the lock option must be true, false, or a Lock/RLock from weft/threading', 'type');
}
