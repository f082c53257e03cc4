// Anchor: piscina 5 (worker threads). `node pool-piscina.mjs burst|roundtrip|map|cpu [config]`.
//   default   min = max = N threads, everything else piscina's default (atomics 'sync',
//             concurrentTasksPerWorker 1: one task in flight per worker)
//   pipelined concurrentTasksPerWorker 64 (several tasks in flight per worker; best found)
//   async     atomics 'async' (the worker's event loop keeps running between tasks)
//   disabled  atomics 'disabled' (plain port messages)
// map: piscina has no map; chunks of MAP_CHUNK items, one task per chunk (one task per
// item would take a minute for 1,000,000 items at piscina's rate).
import { Piscina } from 'piscina';
import { chunkedMap, measure } from './pool-harness.mjs';

const [bench = 'burst', config = 'default'] = process.argv.slice(2);
const configs = {
  default: {},
  pipelined: { concurrentTasksPerWorker: 64 },
  async: { atomics: 'async' },
  disabled: { atomics: 'disabled' },
};
if (!(config in configs)) throw new Error(`unknown config ${config}: ${Object.keys(configs).join(' | ')}`);
export const MAP_CHUNK = 10_000;
const filename = new URL('./pool-task.mjs', import.meta.url).href;

await measure(bench, async (workers) => {
  const pool = new Piscina({ filename, minThreads: workers, maxThreads: workers, ...configs[config] });
  return {
    add: (a, b) => pool.run({ a, b }, { name: 'addTask' }),
    hash: (rounds) => pool.run(rounds, { name: 'hashTask' }),
    map: (items) => chunkedMap((chunk) => pool.run(chunk, { name: 'doubleChunk' }), items, MAP_CHUNK),
    close: () => pool.destroy(),
  };
}, { library: 'piscina', config });
