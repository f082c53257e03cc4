// Anchor: a raw MessagePort stream of the same items as queue-stream.mjs, from producer
// workers to consumer workers (one channel per pair: a port has one reader).
// `node message-port-stream.mjs ints|objects pairs [warm]`; items/s, timed from a 'go'
// sent once every worker is up, to the last consumer's count. With `warm`, the stream
// runs once untimed first (as queue-stream.mjs does).
import { MessageChannel, Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { report } from './lib.mjs';

function makeItem(kind, i) {
  return kind === 'ints' ? i : { id: i, name: `item-${i}`, tags: ['a', 'b', 'c'] };
}

function produce({ port, kind, count }) {
  parentPort.on('message', () => {
    for (let i = 0; i < count; i++) port.postMessage(makeItem(kind, i));
  });
  parentPort.postMessage('ready');
}

function consume({ port, kind, count }) {
  let sum = 0;
  let seen = 0;
  port.on('message', (item) => {
    sum += kind === 'ints' ? item : item.id;
    if (++seen === count) {
      parentPort.postMessage(sum);
      sum = 0;
      seen = 0;
    }
  });
  parentPort.postMessage('ready');
}

function startWorker(role, port, kind, count) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role, port, kind, count }, transferList: [port] });
  const ready = new Promise((resolve) => worker.once('message', resolve));
  return { worker, ready };
}

if (isMainThread) {
  const [kind = 'ints', pairs = '1', warm] = process.argv.slice(2);
  const total = kind === 'ints' ? 1_000_000 : 200_000;
  const n = Number(pairs);
  const producers = [];
  const consumers = [];
  for (let i = 0; i < n; i++) {
    const { port1, port2 } = new MessageChannel();
    producers.push(startWorker('produce', port1, kind, total / n));
    consumers.push(startWorker('consume', port2, kind, total / n));
  }
  await Promise.all([...producers, ...consumers].map((w) => w.ready));
  let seconds = 0;
  for (let round = 0; round < (warm === 'warm' ? 2 : 1); round++) {
    const done = consumers.map(({ worker }) => new Promise((resolve) => worker.once('message', resolve)));
    const t0 = performance.now();
    for (const { worker } of producers) worker.postMessage('go');
    await Promise.all(done);
    seconds = (performance.now() - t0) / 1000;
  }
  await Promise.all([...producers, ...consumers].map(({ worker }) => worker.terminate()));
  report(total / seconds, 'items/s');
} else if (workerData.role === 'produce') {
  produce(workerData);
} else {
  consume(workerData);
}
