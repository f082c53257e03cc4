/**
 * Queue items, property-tested: whatever goes through a queue — by the
 * Int32 fast path, the codec's own walk, or the v8 serializer for the leaves
 * that need it (RegExp, Error, boxed primitives) — comes out equal to what
 * `v8.deserialize(v8.serialize(v))` makes of it, in every queue kind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { LifoQueue, PriorityQueue, Queue } from '../../src/queue.js';

const T = { timeout: 30_000 };

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
  maxDepth: 3,
});

/** Values weighted toward the fast paths: integers of every size, -0, NaN, short strings, small objects. */
const item = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 31) - 2, max: 2 ** 31 + 1 }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 53),
  fc.double(),
  fc.string({ maxLength: 60 }),
  fc.record({ id: fc.integer(), name: fc.string({ maxLength: 12 }), tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }) }),
  anything.filter((v) => !hasInvalidDate(v)),
);

/** Node 20's deepStrictEqual calls two Invalid Dates unequal; those are left to the example tests. */
function hasInvalidDate(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Date) return Number.isNaN(value.getTime());
  if (value instanceof Map) return [...value].some(([k, v]) => hasInvalidDate(k, seen) || hasInvalidDate(v, seen));
  if (value instanceof Set) return [...value].some((v) => hasInvalidDate(v, seen));
  return Object.values(value).some((v) => hasInvalidDate(v, seen));
}

describe('an item comes out of a queue as v8.deserialize(v8.serialize(item))', T, () => {
  test('Queue, one item at a time', T, () => {
    const queue = new Queue<unknown>();
    fc.assert(
      fc.property(item, (value) => {
        queue.putNowait(value);
        assert.deepStrictEqual(queue.getNowait(), deserialize(serialize(value)));
      }),
      { numRuns: 1000 },
    );
  });

  test('Queue and LifoQueue, batches in and out', T, () => {
    const fifo = new Queue<unknown>();
    const lifo = new LifoQueue<unknown>();
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (values) => {
        for (const value of values) {
          fifo.putNowait(value);
          lifo.putNowait(value);
        }
        const expected = values.map((value) => deserialize(serialize(value)));
        assert.deepStrictEqual(values.map(() => fifo.getNowait()), expected);
        assert.deepStrictEqual(values.map(() => lifo.getNowait()), expected.reverse());
      }),
      { numRuns: 150 },
    );
  });

  test('PriorityQueue, the value beside its priority', T, () => {
    const queue = new PriorityQueue<[number, unknown]>();
    fc.assert(
      fc.property(fc.double({ noNaN: true }), item, (priority, value) => {
        queue.putNowait([priority, value]);
        assert.deepStrictEqual(queue.getNowait(), deserialize(serialize([priority, value])));
      }),
      { numRuns: 300 },
    );
  });
});
