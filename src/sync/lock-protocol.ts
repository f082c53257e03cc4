/**
 * What a `Condition` needs from its lock beyond the public API — CPython's
 * `_is_owned`, and the core its wait releases and takes back
 * (`backends/cores/condition.ts`): the lock object only traces that and
 * records `ownerDied`.
 */
export const kIsOwned = Symbol.for('weft.lock.isOwned');
/** The getter a Condition reads its lock's core through. */
export const kLockCore = Symbol('weft.lock.core');
/** A Condition's wait is about to release the lock: traced as the lock's release. */
export const kLeaving = Symbol('weft.lock.leaving');
/** A Condition's wait took the lock back (`taken`; undefined: it was never released). */
export const kRegained = Symbol('weft.lock.regained');

/** Static method that rebuilds a primitive over the shared state of a handle. */
export const kAttach = Symbol.for('weft.attach');

/** Getter returning `[words, index]` of the word that counts a primitive's waiters (for weft/testing). */
export const kWaitingWord = Symbol.for('weft.waitingWord');
