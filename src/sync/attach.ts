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
 * Every class rebuilt from a handle — primitives, queues, values, arrays,
 * pipe ends, proxies, the Manager, `Sequencer` — is built the same way:
 * `attach(Class, what)` passes an `Attached` holding what the handle names
 * (a core, or the handle's data) as the constructor's first argument, and the
 * constructor checks `instanceof Attached` before anything else. There is no
 * module-global "attaching" flag: such a flag, set before `new` and cleared
 * inside the constructor, stays set when the constructor throws first, and
 * the next ordinary `new X()` comes out attached to the failed handle's state
 * (or a nested `new X()` made while the constructor runs takes it). A token
 * in the arguments belongs to one call and cannot leak into another.
 *
 * Classes whose public constructor takes other arguments keep `Attached` out
 * of their public overloads (only the implementation signature accepts it),
 * so a user never sees it; `attach()` holds the one cast that reaches it.
 */

/** The static slot of a public primitive class naming the factory of its cores. */
export const kCores = Symbol('weft.cores');

/**
 * A core already made, or the data of a handle: a constructor given one
 * wraps it instead of creating new state. Not exported from weft's public
 * modules.
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

/**
 * An instance of `Class` over `what` (a core, or a handle's data): calls the
 * constructor with `new Attached(what)` as its only argument. Subclasses
 * that declare no constructor of their own pass it on unchanged.
 */
export function attach<T, W>(Class: new (...args: never[]) => T, what: W): T {
  return new (Class as unknown as new (attached: Attached<W>) => T)(new Attached(what));
}
