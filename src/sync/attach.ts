/**
 * How a public primitive is built over a core (`backends/cores/`), and how
 * one received as a handle is rebuilt over the core the handle names.
 *
 * Each public class (`Lock`, `Event`, …) is written once. Where its state
 * lives is a core: the class reads the core factory from a static slot
 * `[kCores]` of the class being constructed, so `weft/threading`'s class
 * builds atomics cores and `weft/multiprocessing`'s subclass — which only
 * overrides that slot — builds hub cores (as CPython's
 * `multiprocessing.synchronize.Barrier` subclasses `threading.Barrier` and
 * relocates its counters).
 *
 * Re-attaching passes an `Attached` token to the constructor instead of
 * setting a module-global flag: nothing is left behind for the next
 * constructor if the attach throws half-way.
 */

/** The static slot of a public primitive class naming the factory of its cores. */
export const kCores = Symbol('weft.cores');

/**
 * A core already made (from a handle): a constructor given one wraps it
 * instead of creating new state. Not exported from weft's public modules.
 */
export class Attached<C> {
  readonly #core: C;

  constructor(core: C) {
    this.#core = core;
  }

  get core(): C {
    return this.#core;
  }
}
