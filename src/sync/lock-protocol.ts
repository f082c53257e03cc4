/**
 * What a `Condition` needs from its lock beyond the public API — CPython's
 * `_is_owned`, `_release_save` and `_acquire_restore`: a Condition releases
 * its lock completely while it sleeps (every level of an RLock) and restores
 * it exactly afterwards.
 */
export const kIsOwned = Symbol.for('weft.lock.isOwned');
export const kReleaseSave = Symbol.for('weft.lock.releaseSave');
export const kAcquireRestore = Symbol.for('weft.lock.acquireRestore');
export const kAcquireRestoreSync = Symbol.for('weft.lock.acquireRestoreSync');

export interface ConditionLock {
  /** True if the calling thread holds the lock. */
  [kIsOwned](): boolean;
  /** Releases the lock fully; returns what `acquireRestore` needs. */
  [kReleaseSave](): number;
  /** Re-acquires, waiting as long as it takes, and restores the saved depth. */
  [kAcquireRestore](saved: number): Promise<void>;
  [kAcquireRestoreSync](saved: number): void;
}

/** Static method that rebuilds a primitive over the shared state of a handle. */
export const kAttach = Symbol.for('weft.attach');

/** Getter returning `[words, index]` of the word that counts a primitive's waiters (for weft/testing). */
export const kWaitingWord = Symbol.for('weft.waitingWord');
