/**
 * The `lock` option of the process-scope `Value` and `SharedArray`, as in
 * Python's `multiprocessing.Value(..., lock=...)`: `true` (the default)
 * gives the object a new process-scope RLock, `false` gives it none, and a
 * process-scope Lock or RLock is used as given.
 */
import { invalidArg } from '../errors.js';
import { requireProcessScope } from '../backends/hub/hub-object.js';
import { Lock } from './lock.js';
import { RLock } from './rlock.js';

export type ProcessLockOption = boolean | Lock | RLock;

export function processLockFor(option: ProcessLockOption | undefined): Lock | RLock | null {
  if (option === undefined || option === true) return new RLock();
  if (option === false) return null;
  requireProcessScope(option, 'the lock option');
  if (option instanceof Lock || option instanceof RLock) return option;
  throw invalidArg('shared: the lock option must be true, false, or a Lock/RLock from weft/multiprocessing', 'type');
}
