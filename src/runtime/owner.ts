/**
 * Naming the thread behind a token, for `statistics()` and inspection: the
 * shape every scope reports an owner in. The thread scope fills it from its
 * arena (`threadRef` in `backends/atomics/runtime.ts`).
 */

/** The live thread a token names, as statistics report it. */
export interface ThreadRef {
  readonly name: string;
  readonly ident: number;
}

export const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
