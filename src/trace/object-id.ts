/**
 * The trace id of a thread-scope object: a word in the object's own shared
 * memory (`TraceId` in its layout table), so that every thread that holds
 * the object names it the same way. The first thread to trace the object
 * draws a random id and installs it with a compare-and-swap; whoever loses
 * the race takes the winner's. Random rather than counted, so no shared
 * counter is needed: ids only have to differ within one process (the
 * trace names objects `Lock 1`, `Lock 2`… in order of appearance).
 *
 * Process-scope objects are named by their id in the hub instead.
 */

/**
 * The object's trace id, installing one on first use. Called only while
 * tracing: one load when the id is set.
 *
 * @example
 * ```ts
 * if (tracing) record(Op.Released, Cls.Lock, traceIdOf(words, LockWord.TraceId), 1);
 * ```
 */
export function traceIdOf(words: Int32Array, index: number): number {
  const id = Atomics.load(words, index);
  if (id !== 0) return id;
  const drawn = 1 + Math.floor(Math.random() * 0x7ffffffe);
  const found = Atomics.compareExchange(words, index, 0, drawn);
  return found === 0 ? drawn : found;
}
