/**
 * `Manager` and its proxies (`DictProxy`, `ListProxy`, `Namespace`): Python's
 * semantics in one process (checked against a model of Python's list for
 * random op sequences), then across threads and processes — exact counts
 * under concurrent appends, updates and pops, copy-vs-proxy nesting, proxies
 * through Process args, queues and pool tasks — and the lifetime: every call
 * after `shutdown()` fails with `ERR_MANAGER_SHUTDOWN`, also in children, and
 * a manager ends with the process that made it.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Lock as ThreadLock } from '../../src/threading.js';
import { Process } from '../../src/runner/process.js';
import { activeChildren } from '../../src/runner/current-process.js';
import { Pool } from '../../src/pool/pool.js';
import { DictProxy } from '../../src/multiprocessing/dict-proxy.js';
import { Event } from '../../src/multiprocessing/event.js';
import { ListProxy } from '../../src/multiprocessing/list-proxy.js';
import { Lock } from '../../src/multiprocessing/lock.js';
import { Manager } from '../../src/multiprocessing/manager.js';
import { Namespace } from '../../src/multiprocessing/namespace.js';
import { Queue } from '../../src/multiprocessing/queue.js';
import { SimpleQueue } from '../../src/multiprocessing/simple-queue.js';
import { Value } from '../../src/multiprocessing/value.js';
import { checkNoThreadsLeft } from '../helpers/leaks.js';
import { joinAll, runners } from '../helpers/workers.js';
import * as targets from '../fixtures/manager-targets.js';

const T = { timeout: 120_000 };
const WAIT = { timeout: 60_000 };
checkNoThreadsLeft();
afterEach(() => {
  const left = activeChildren();
  for (const child of left) child.kill();
  assert.deepEqual(left.map((c) => c.name), [], 'processes left running after the test');
});

const code = (expected: string) => (error: unknown): boolean => {
  assert.equal((error as { code?: string }).code, expected, String(error));
  return true;
};

describe('DictProxy in one process', () => {
  test('get/set/has/delete/size, sync and async, with Python\'s defaults', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<number>({ a: 1 });
    assert.ok(d instanceof DictProxy);
    await d.set('b', 2);
    d.setSync('c', 3);
    assert.equal(await d.get('a'), 1);
    assert.equal(d.getSync('c'), 3);
    assert.equal(await d.get('missing'), undefined, "Python's get answers None");
    assert.equal(d.getSync('missing', 42), 42);
    assert.equal(await d.getItem('b'), 2);
    await assert.rejects(d.getItem('missing'), (error) => error instanceof RangeError && code('ERR_NOT_FOUND')(error));
    assert.throws(() => d.getItemSync('missing'), code('ERR_NOT_FOUND'));
    assert.equal(await d.has('a'), true);
    assert.equal(d.hasSync('zz'), false);
    assert.equal(await d.size(), 3);
    assert.equal(await d.delete('a'), true);
    assert.equal(d.deleteSync('a'), false);
    assert.equal(d.sizeSync(), 2);
    await d.clear();
    assert.equal(await d.size(), 0);
  });

  test('keys, values, items in insertion order; update from an object, a Map or pairs; iteration over a snapshot', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<number>([['x', 1], ['y', 2]]);
    await d.update({ z: 3, x: 10 });
    d.updateSync(new Map([['w', 4]]));
    await d.update([['y', 20]]);
    assert.deepEqual(await d.keys(), ['x', 'y', 'z', 'w']);
    assert.deepEqual(d.valuesSync(), [10, 20, 3, 4]);
    assert.deepEqual(await d.items(), [['x', 10], ['y', 20], ['z', 3], ['w', 4]]);
    assert.deepEqual(await d.toObject(), { x: 10, y: 20, z: 3, w: 4 });
    assert.deepEqual(d.toObjectSync(), { x: 10, y: 20, z: 3, w: 4 });
    const seen: string[] = [];
    for await (const key of d) {
      seen.push(key);
      await d.delete(key); // iterating a snapshot: changing the dict is allowed
    }
    assert.deepEqual(seen, ['x', 'y', 'z', 'w']);
    assert.deepEqual([...manager.dict({ k: 1 })], ['k']);
    const copy = manager.dict<number>(d);
    await copy.update(manager.dict({ v: 5 }));
    assert.deepEqual(await copy.toObject(), await d.toObject().then((o) => ({ ...o, v: 5 })), 'made from and updated with another managed dict');
  });

  test('pop, popitem (LIFO) and setdefault, with KeyError as ERR_NOT_FOUND', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<string>({ a: 'A', b: 'B', c: 'C' });
    assert.equal(await d.pop('a'), 'A');
    assert.equal(await d.pop('a', 'gone'), 'gone');
    assert.equal(d.popSync('a', undefined), undefined);
    await assert.rejects(d.pop('a'), code('ERR_NOT_FOUND'));
    assert.throws(() => d.popSync('a'), code('ERR_NOT_FOUND'));
    d.setSync('d', 'D');
    assert.deepEqual(await d.popitem(), ['d', 'D']);
    assert.deepEqual(d.popitemSync(), ['c', 'C']);
    assert.equal(await d.setdefault('b', 'other'), 'B');
    assert.equal(d.setdefaultSync('e', 'E'), 'E');
    assert.deepEqual(await d.toObject(), { b: 'B', e: 'E' });
    await d.clear();
    await assert.rejects(d.popitem(), (error) => error instanceof RangeError && code('ERR_NOT_FOUND')(error));
  });

  test('increment adds to a number (a missing key is 0); modify stores fn(old)', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<unknown>({ n: 1, s: 'x', f: 0.5 });
    assert.equal(await d.increment('n'), 2);
    assert.equal(d.incrementSync('n', -5), -3);
    assert.equal(await d.increment('new', 2.5), 2.5);
    assert.equal(d.incrementSync('f', 2 ** 40), 2 ** 40 + 0.5);
    assert.equal(d.incrementSync('n', 2 ** 31), 2 ** 31 - 3, 'past int32 the sum is stored as a double');
    await assert.rejects(d.increment('s'), (error) => error instanceof TypeError && code('ERR_INVALID_ARG')(error));
    assert.throws(() => d.incrementSync('n', '1' as unknown as number), code('ERR_INVALID_ARG'));
    assert.deepEqual(await d.modify('log', (log = []) => [...(log as string[]), 'a']), ['a']);
    assert.deepEqual(d.modifySync('log', (log) => [...(log as string[]), 'b']), ['a', 'b']);
    assert.deepEqual(await d.get('log'), ['a', 'b']);
    assert.equal(await d.get('s'), 'x', 'a failed increment changes nothing');
  });

  test('bad keys and values throw in the caller, and nothing is stored', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<unknown>();
    assert.throws(() => d.setSync(1 as unknown as string, 1), (error) => error instanceof TypeError && code('ERR_INVALID_ARG')(error));
    await assert.rejects(d.get(Symbol('k') as unknown as string), code('ERR_INVALID_ARG'));
    assert.throws(() => d.setSync('f', { fn: () => 1 }), (error: Error) => code('ERR_NOT_SERIALIZABLE')(error) && /value\.fn/.test(error.message));
    await assert.rejects(d.set('lock', { lock: new ThreadLock() }), code('ERR_WRONG_SCOPE'));
    assert.throws(() => manager.dict(5 as never), code('ERR_INVALID_ARG'));
    assert.equal(d.sizeSync(), 0);
    assert.throws(() => new DictProxy(), TypeError, 'proxies come from a Manager');
  });
});

describe('ListProxy in one process', () => {
  test('Python\'s indexing: negative indices, IndexError as ERR_INDEX_OUT_OF_RANGE, insert clamps', T, async () => {
    await using manager = new Manager();
    const l = manager.list<string>(['a', 'b', 'c']);
    assert.ok(l instanceof ListProxy);
    assert.equal(await l.get(0), 'a');
    assert.equal(l.getSync(-1), 'c');
    assert.equal(await l.get(-3), 'a');
    await assert.rejects(l.get(3), (error) => error instanceof RangeError && code('ERR_INDEX_OUT_OF_RANGE')(error));
    assert.throws(() => l.getSync(-4), code('ERR_INDEX_OUT_OF_RANGE'));
    assert.throws(() => l.setSync(5, 'x'), code('ERR_INDEX_OUT_OF_RANGE'));
    await l.set(-1, 'C');
    l.insertSync(100, 'end');
    await l.insert(-100, 'start');
    await l.insert(-1, 'before-end');
    assert.deepEqual(await l.toArray(), ['start', 'a', 'b', 'C', 'before-end', 'end']);
    assert.equal(await l.pop(), 'end');
    assert.equal(l.popSync(0), 'start');
    assert.equal(await l.pop(-2), 'C');
    assert.throws(() => l.popSync(7), code('ERR_INDEX_OUT_OF_RANGE'));
    assert.equal(await l.length(), 3);
    await l.clear();
    await assert.rejects(l.pop(), code('ERR_INDEX_OUT_OF_RANGE'));
    assert.throws(() => l.getSync(1.5), code('ERR_INVALID_ARG'));
  });

  test('index, count and remove compare values by their encoding, objects included', T, async () => {
    await using manager = new Manager();
    const l = manager.list<unknown>([1, { a: [1, 2] }, 'x', 1, { a: [1, 2] }]);
    assert.equal(await l.index(1), 0);
    assert.equal(l.indexSync(1, 1), 3);
    assert.equal(await l.index({ a: [1, 2] }), 1);
    assert.equal(await l.index({ a: [1, 2] }, -2), 4);
    await assert.rejects(l.index('x', 3), code('ERR_NOT_FOUND'));
    assert.equal(await l.count(1), 2);
    assert.equal(l.countSync({ a: [1, 2] }), 2);
    assert.equal(l.countSync({ a: [2, 1] }), 0);
    await l.remove({ a: [1, 2] });
    assert.deepEqual(await l.toArray(), [1, 'x', 1, { a: [1, 2] }]);
    assert.throws(() => l.removeSync('nope'), (error) => error instanceof RangeError && code('ERR_NOT_FOUND')(error));
  });

  test('index, count and remove find a stored proxy or Lock by what it names, whatever copy is asked', T, async () => {
    await using manager = new Manager();
    const l = manager.list<unknown>();
    const inner = manager.dict<number>();
    const other = manager.dict<number>();
    const lock = new Lock();
    await l.extend([1, inner, { lock }, inner]);
    // The same proxy, a copy read back from the list, and a Lock inside a value: each handle carries its own ticket.
    assert.equal(await l.index(inner), 1);
    assert.equal(l.indexSync(l.getSync(3)), 1);
    assert.equal(await l.count(inner), 2);
    assert.equal(l.indexSync({ lock }), 2);
    assert.equal(await l.index({ lock: (l.getSync(2) as { lock: Lock }).lock }), 2);
    assert.throws(() => l.indexSync(other), code('ERR_NOT_FOUND'));
    await l.remove(inner);
    assert.equal(await l.index(inner), 2);
    // Sorting moves the stored values as they are: they stay live and findable.
    await l.sort({ key: (value) => (value === 1 ? 1 : 0) });
    assert.equal(await l.index(1), 2);
    assert.equal(await l.index(inner), 1);
    const d = manager.dict<unknown>({ p: inner });
    // modify compares with the value it read (its own copy): it succeeds at once.
    await d.modify('p', (found) => [found]);
    assert.equal(((await d.get('p')) as DictProxy[])[0] instanceof DictProxy, true);
  });

  test('sort as Python: numbers by value, stable reverse, key, compare; mixed types are a TypeError', T, async () => {
    await using manager = new Manager();
    const l = manager.list<number>([10, 9, 1, 100, 2]);
    await l.sort();
    assert.deepEqual(await l.toArray(), [1, 2, 9, 10, 100], 'by value, not JS string order');
    l.sortSync({ reverse: true });
    assert.deepEqual(l.toArraySync(), [100, 10, 9, 2, 1]);
    const words = manager.list(['bb', 'a', 'cc', 'd']);
    await words.sort({ key: (w) => w.length, reverse: true });
    assert.deepEqual(await words.toArray(), ['bb', 'cc', 'a', 'd'], 'equal keys keep their order');
    words.sortSync({ compare: (a, b) => (a < b ? 1 : a > b ? -1 : 0) });
    assert.deepEqual(words.toArraySync(), ['d', 'cc', 'bb', 'a']);
    const mixed = manager.list<unknown>([1, 'a']);
    await assert.rejects(mixed.sort(), (error) => error instanceof TypeError && code('ERR_INVALID_ARG')(error));
    assert.deepEqual(await mixed.toArray(), [1, 'a'], 'a failed sort changes nothing');
    await l.reverse();
    assert.deepEqual(await l.toArray(), [1, 2, 9, 10, 100]);
    l.extendSync([7, 8]);
    await l.extend(new Set([9]));
    assert.deepEqual([...l], [1, 2, 9, 10, 100, 7, 8, 9]);
    const seen: number[] = [];
    for await (const value of l) seen.push(value);
    assert.equal(seen.length, 8);
  });

  test('random op sequences agree with a model of Python\'s list', T, async () => {
    await using manager = new Manager();
    const l = manager.list<number>();
    const model: number[] = [];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const norm = (i: number | undefined, fallback: number): number => (i === undefined ? fallback : i < 0 ? Math.max(0, i + model.length) : Math.min(i, model.length));
    const outcome = (fn: () => unknown): unknown => {
      try {
        return { ok: fn() };
      } catch (error) {
        return { code: (error as { code?: string }).code };
      }
    };
    const inRange = (i: number): number | undefined => {
      const at = i < 0 ? i + model.length : i;
      return at >= 0 && at < model.length ? at : undefined;
    };
    for (let step = 0; step < 400; step++) {
      const i = rand(13) - 6;
      const v = rand(5);
      switch (rand(9)) {
        case 0: l.appendSync(v); model.push(v); break;
        case 1: l.insertSync(i, v); model.splice(i < 0 ? Math.max(0, i + model.length) : Math.min(i, model.length), 0, v); break;
        case 2: {
          const at = inRange(i);
          assert.deepEqual(outcome(() => l.popSync(i)), at === undefined ? { code: 'ERR_INDEX_OUT_OF_RANGE' } : { ok: model.splice(at, 1)[0] }, `pop(${i})`);
          break;
        }
        case 3: {
          const at = inRange(i);
          assert.deepEqual(outcome(() => l.getSync(i)), at === undefined ? { code: 'ERR_INDEX_OUT_OF_RANGE' } : { ok: model[at] }, `get(${i})`);
          break;
        }
        case 4: {
          const at = model.indexOf(v);
          assert.deepEqual(outcome(() => l.removeSync(v)), at < 0 ? { code: 'ERR_NOT_FOUND' } : { ok: undefined });
          if (at >= 0) model.splice(at, 1);
          break;
        }
        case 5: {
          const start = rand(3) === 0 ? undefined : rand(13) - 6;
          const stop = rand(3) === 0 ? undefined : rand(13) - 6;
          const a = norm(start, 0);
          const b = norm(stop, model.length);
          assert.deepEqual(l.sliceSync(start, stop), model.slice(a, Math.max(a, b)), `slice(${start}, ${stop})`);
          break;
        }
        case 6: assert.equal(l.countSync(v), model.filter((x) => x === v).length); break;
        case 7: {
          const at = model.indexOf(v, norm(i, 0));
          assert.deepEqual(outcome(() => l.indexSync(v, i)), at < 0 ? { code: 'ERR_NOT_FOUND' } : { ok: at }, `index(${v}, ${i})`);
          break;
        }
        case 8: {
          const at = inRange(i);
          assert.deepEqual(outcome(() => l.setSync(i, v)), at === undefined ? { code: 'ERR_INDEX_OUT_OF_RANGE' } : { ok: undefined });
          if (at !== undefined) model[at] = v;
          break;
        }
      }
    }
    assert.deepEqual(await l.toArray(), model);
  });
});

describe('Namespace in one process', () => {
  test('attribute syntax is blocking calls; explicit get/set are async; method names are reserved', T, async () => {
    await using manager = new Manager();
    const ns = manager.Namespace({ x: 1 });
    assert.ok(ns instanceof Namespace);
    ns.y = 'two';
    assert.equal(ns.x, 1);
    assert.equal(ns.y, 'two');
    assert.equal(ns.missing, undefined);
    assert.equal('y' in ns, true);
    assert.equal('missing' in ns, false);
    assert.deepEqual(Object.keys(ns), ['x', 'y']);
    assert.deepEqual({ ...ns }, { x: 1, y: 'two' });
    delete ns.x;
    assert.equal(await ns.has('x'), false);
    await ns.set('z', [1, 2]);
    assert.deepEqual(await ns.get('z'), [1, 2]);
    assert.deepEqual(ns.keysSync(), ['y', 'z']);
    assert.deepEqual(await ns.toObject(), { y: 'two', z: [1, 2] });
    assert.throws(() => {
      (ns as Record<string, unknown>).get = 5;
    }, code('ERR_INVALID_ARG'));
    ns.setSync('get', 5);
    assert.equal(ns.getSync('get'), 5, 'a reserved name is reachable through the explicit methods');
    assert.equal(typeof ns.get, 'function');
    assert.equal(await ns, ns, 'a namespace is not a thenable');
    assert.equal(String(ns), "Namespace(y='two', z=[ 1, 2 ], get=5)", "Python's repr");
  });
});

describe('values are copies; proxies stored in proxies stay live', () => {
  test('mutating what was read changes nothing shared; a nested proxy is the same object', T, async () => {
    await using manager = new Manager();
    const d = manager.dict<unknown>({ plain: [1] });
    ((await d.get('plain')) as number[]).push(2);
    assert.deepEqual(await d.get('plain'), [1], 'a read value is a copy');
    const inner = manager.list<number>();
    const ns = manager.Namespace();
    await d.set('inner', inner);
    await d.set('ns', ns);
    await d.set('lock', new Lock());
    const back = (await d.get('inner')) as ListProxy<number>;
    assert.ok(back instanceof ListProxy);
    await back.append(7);
    assert.deepEqual(await inner.toArray(), [7], 'the proxy read back reaches the same list');
    ((await d.get('ns')) as Namespace & Record<string, unknown>).flag = true;
    assert.equal(ns.flag, true);
    const lock = d.getSync('lock') as Lock;
    assert.equal(lock.tryAcquire(), true);
    assert.equal(((await d.get('lock')) as Lock).locked(), true, 'a stored Lock is the same lock');
    lock.release();
    const list = manager.list<unknown>([d]);
    assert.deepEqual(((await list.get(0)) as DictProxy).getSync('plain'), [1]);
    assert.equal(await list.count(d), 1, 'a proxy equals another handle of the same object');
  });
});

test('console.log shows a snapshot of the contents, as Python\'s print does; a proxy holding itself ends', T, async () => {
  await using manager = new Manager();
  const d = manager.dict<unknown>({ a: 1 });
  const l = manager.list<unknown>([1, 'x']);
  await d.set('list', l);
  await l.append(l);
  assert.equal(inspect(l).replace(/#\d+/, '#N'), "ListProxy [ 1, 'x', <ListProxy #N> ]");
  assert.equal(inspect(d).replace(/#\d+/, '#N'), "DictProxy { a: 1, list: ListProxy [ 1, 'x', <ListProxy #N> ] }");
});

describe('Manager lifetime', () => {
  test('shutdown frees every object; later calls fail ERR_MANAGER_SHUTDOWN, sync and async, and nothing new is made', T, async () => {
    const manager = new Manager();
    assert.equal(manager.start(), manager, 'start() is a no-op on a served manager');
    const d = manager.dict({ a: 1 });
    const l = manager.list([1]);
    const ns = manager.Namespace({ x: 1 });
    assert.deepEqual(manager.statistics(), { running: true, objects: 3 });
    manager.shutdown();
    manager.shutdown();
    assert.deepEqual(manager.statistics(), { running: false, objects: 0 });
    assert.throws(() => d.getSync('a'), code('ERR_MANAGER_SHUTDOWN'));
    await assert.rejects(l.append(2), code('ERR_MANAGER_SHUTDOWN'));
    assert.throws(() => ns.x, code('ERR_MANAGER_SHUTDOWN'));
    await assert.rejects(ns.get('x'), code('ERR_MANAGER_SHUTDOWN'));
    assert.match(String(ns), /^<Namespace #\d+ \(shut down\)>$/);
    assert.match(inspect(d), /^<DictProxy #\d+ \(shut down\)>$/);
    assert.throws(() => manager.dict(), code('ERR_MANAGER_SHUTDOWN'));
    assert.throws(() => manager.list(), code('ERR_MANAGER_SHUTDOWN'));
    assert.throws(() => manager.Lock(), code('ERR_MANAGER_SHUTDOWN'));
    assert.throws(() => manager.start(), code('ERR_MANAGER_SHUTDOWN'));
  });

  test('await using shuts the manager down at the end of the block', T, async () => {
    let d: DictProxy<number>;
    {
      await using manager = new Manager();
      d = manager.dict({ a: 1 });
      assert.equal(await d.get('a'), 1);
    }
    await assert.rejects(d.get('a'), code('ERR_MANAGER_SHUTDOWN'));
  });

  test('the primitives Python\'s SyncManager serves are weft\'s process-scope classes', T, async () => {
    await using manager = new Manager();
    assert.ok(manager.Lock() instanceof Lock);
    assert.ok(manager.Event() instanceof Event);
    assert.ok(manager.Queue() instanceof Queue);
    const v = manager.Value('i', 41);
    assert.ok(v instanceof Value);
    assert.equal(v.add(1), 42);
    assert.deepEqual(manager.Array('d', [1.5, 2]).toArray(), [1.5, 2]);
    assert.equal(manager.Semaphore(2).tryAcquire(), true);
    assert.equal(manager.Barrier(1).parties, 1);
  });

  test('a manager passed to a child makes objects there; a manager ends with the process that made it', T, async () => {
    await using manager = new Manager();
    const out = new Queue<DictProxy<string>>();
    const maker = new Process({ target: targets.makeOnManager, args: [manager, out] });
    maker.start();
    const made = await out.get(WAIT);
    assert.deepEqual(await made.toObject(), { madeBy: 'child' });
    assert.equal(await maker.join(WAIT), true);
    assert.equal(manager.statistics().objects, 1, 'made through the parent\'s manager: it outlives the child');

    const owner = new Process({ target: targets.ownManager, args: [out] });
    owner.start();
    const orphan = await out.get(WAIT);
    assert.equal(await owner.join(WAIT), true);
    assert.equal(owner.exitcode, 0);
    // The hub hears of the child's end when its connection closes, which may be just after join
    // returns: wait for that, bounded by the test's timeout (every call answers at once, either way).
    for (;;) {
      try {
        assert.equal(await orphan.get('owner'), 'child');
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'ERR_MANAGER_SHUTDOWN');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
});

for (const [scope, runner] of runners) {
  describe(`proxies across ${scope}`, () => {
    test('4 workers × 1000 appends: exactly 4000 items, each once', T, async () => {
      await using manager = new Manager();
      const list = manager.list<number>();
      const workers = [0, 1, 2, 3].map((w) => runner.start(targets.appendMany, [list, w * 1000, 1000]));
      await joinAll(workers);
      const items = await list.toArray();
      assert.equal(items.length, 4000);
      assert.deepEqual(items.sort((a, b) => a - b), Array.from({ length: 4000 }, (_, i) => i));
    });

    test('concurrent atomic updates: every key of every worker arrives', T, async () => {
      await using manager = new Manager();
      const dict = manager.dict<number>();
      const workers = ['a', 'b', 'c'].map((tag) => runner.start(targets.updateMany, [dict, tag, 400]));
      await joinAll(workers);
      assert.equal(await dict.size(), 1200);
      assert.equal(await dict.get('b:399'), 399);
    });

    test('increment and modify are atomic read-modify-writes: 3 workers × 200 counts give exactly 600', T, async () => {
      await using manager = new Manager();
      const dict = manager.dict<number>();
      await joinAll([0, 1, 2].map(() => runner.start(targets.countMany, [dict, 'n', 200])));
      assert.equal(await dict.get('n'), 600);
    });

    test('concurrent pops take every item exactly once; setdefault has one winner', T, async () => {
      await using manager = new Manager();
      const list = manager.list(Array.from({ length: 600 }, (_, i) => i));
      const taken = manager.dict<number[]>();
      const tags = ['p', 'q', 'r'];
      await joinAll(tags.map((tag) => runner.start(targets.popUntilEmpty, [list, taken, tag])));
      const all = (await taken.values()).flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 600 }, (_, i) => i));
      const claims = manager.dict<string>();
      const seen = manager.list<string>();
      await joinAll(tags.map((tag) => runner.start(targets.claimFirst, [claims, seen, tag])));
      const winner = await claims.get('winner');
      assert.ok(tags.includes(winner!));
      assert.deepEqual(await seen.toArray(), [winner, winner, winner]);
    });

    test('a Namespace and nested proxies work there as here; nested plain values stay copies', T, async () => {
      await using manager = new Manager();
      const ns = manager.Namespace({ input: 21, scratch: true });
      const outer = manager.dict<unknown>({ inner: manager.list<number>(), plain: [0], ns: manager.Namespace() });
      await joinAll([runner.start(targets.useNamespace, [ns, 'out']), runner.start(targets.touchNested, [outer, 5])]);
      assert.deepEqual(await ns.toObject(), { input: 21, out: 42 });
      assert.deepEqual(await ((await outer.get('inner')) as ListProxy<number>).toArray(), [5]);
      assert.deepEqual(await outer.get('plain'), [0]);
      assert.equal(((await outer.get('ns')) as Namespace & Record<string, unknown>).last, 5);
    });

    test('a proxy sent through a Queue arrives live', T, async () => {
      await using manager = new Manager();
      const queue = new Queue<DictProxy<number>>();
      const dict = manager.dict<number>();
      const worker = runner.start(targets.takeFromQueue, [queue, 9]);
      await queue.put(dict);
      await joinAll([worker]);
      assert.equal(await dict.get('fromChild'), 9);
    });

    test('after shutdown the calls there fail ERR_MANAGER_SHUTDOWN, sync and async', T, async () => {
      const manager = new Manager();
      const dict = manager.dict<number>();
      const list = manager.list<number>();
      const ready = new Event();
      const shutDown = new Event();
      const report = new SimpleQueue<string>();
      const worker = runner.start(targets.afterShutdown, [dict, list, ready, shutDown, report]);
      assert.equal(await ready.wait(WAIT), true);
      assert.equal(await dict.get('alive'), 1);
      manager.shutdown();
      shutDown.set();
      assert.equal(await report.get(WAIT), 'ERR_MANAGER_SHUTDOWN ERR_MANAGER_SHUTDOWN ERR_MANAGER_SHUTDOWN ERR_MANAGER_SHUTDOWN');
      await joinAll([worker]);
    });
  });
}

test('proxies as process-pool task arguments', T, async () => {
  await using manager = new Manager();
  const dict = manager.dict<number>();
  const pool = new Pool({ processes: 2 });
  try {
    const results = await pool.starmap(targets.recordTask, [[dict, 'a', 1], [dict, 'b', 2], [dict, 'c', 3]]);
    assert.deepEqual(results, [1, 2, 3]);
  } finally {
    pool.close();
    await pool.join();
  }
  assert.deepEqual(await dict.toObject(), { a: 1, b: 2, c: 3 });
});
