// The tasks of the pool benchmarks (pool-*.mjs, python_pool.py has the same in Python).
// Side-effect free: every pool imports this module in each of its workers.
//
// `add`, `double` and `hash` are the tasks as weft and Python take them (plain
// arguments); the `…Task` forms take one argument, as piscina, tinypool and
// poolifier pass a single task object.
import { createHash } from 'node:crypto';

export function add(a, b) {
  return a + b;
}

export function double(x) {
  return x * 2;
}

const block = Buffer.alloc(1024, 7);

/** CPU-bound: `rounds` chained sha256 of 1 KiB; HASH_ROUNDS of them take about 2 ms on the bench machine. */
export function hash(rounds) {
  let digest = block;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).update(block).digest();
  return digest.readUInt32LE(0);
}

export const HASH_ROUNDS = 1400;

export function addTask({ a, b }) {
  return add(a, b);
}

/** map by hand for libraries without one: a chunk of items in, the chunk of results out. */
export function doubleChunk(items) {
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = double(items[i]);
  return out;
}

export function hashTask(rounds) {
  return hash(rounds);
}
