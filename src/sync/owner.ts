/**
 * Naming the thread behind a token, for `statistics()` and inspection.
 */
import { runtime } from '../backends/atomics/runtime.js';

/** The live thread a token names, as statistics report it. */
export interface ThreadRef {
  readonly name: string;
  readonly ident: number;
}

export function threadRef(token: number): ThreadRef | null {
  if (token === 0) return null;
  const info = runtime().arena.info(token);
  return info === undefined ? null : Object.freeze({ name: info.name, ident: info.threadId });
}

export const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
