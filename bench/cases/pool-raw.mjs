// Anchor: no pool at all — N bare workers fed round-robin with postMessage / process.send,
// every task sent at once (no limit in flight), results matched by id. What the machine
// gives right now with Node's own messaging; for `cpu`, the speedup ceiling at the moment
// of the run (on a shared 2-CPU machine, far below 2 when others are busy).
// `node pool-raw.mjs burst|roundtrip|map|cpu threads|processes`.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { chunkedMap, measure } from './pool-harness.mjs';
import { add, doubleChunk, hash } from './pool-task.mjs';

const tasks = { add, doubleChunk, hash };
const serve = (send) => ([id, name, args]) => send([id, tasks[name](...args)]);

if (!isMainThread) {
  parentPort.on('message', serve((reply) => parentPort.postMessage(reply)));
} else if (process.argv[2] === 'child') {
  process.on('message', serve((reply) => process.send(reply)));
  process.on('disconnect', () => process.exit(0));
} else {
  const [bench = 'burst', config = 'threads'] = process.argv.slice(2);
  if (config !== 'threads' && config !== 'processes') throw new Error('config: threads | processes');
  const MAP_CHUNK = 10_000;
  await measure(bench, async (n) => {
    const pending = new Map();
    let nextId = 0;
    let turn = 0;
    const settle = ([id, value]) => {
      pending.get(id)(value);
      pending.delete(id);
    };
    const workers = Array.from({ length: n }, () => {
      if (config === 'threads') {
        const worker = new Worker(new URL(import.meta.url));
        worker.on('message', settle);
        return { send: (m) => worker.postMessage(m), ready: once(worker, 'online'), close: () => worker.terminate() };
      }
      const child = fork(new URL(import.meta.url), ['child']);
      child.on('message', settle);
      return { send: (m) => child.send(m), ready: once(child, 'spawn'), close: () => (child.disconnect(), once(child, 'exit')) };
    });
    await Promise.all(workers.map((w) => w.ready));
    const run = (name, args) => new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      workers[turn++ % n].send([id, name, args]);
    });
    return {
      add: (a, b) => run('add', [a, b]),
      hash: (rounds) => run('hash', [rounds]),
      map: (items) => chunkedMap((chunk) => run('doubleChunk', [chunk]), items, MAP_CHUNK),
      close: () => Promise.all(workers.map((w) => w.close())),
    };
  }, { library: 'raw', config });
}
