// Anchor: tinypool 2. `node pool-tinypool.mjs burst|roundtrip|map|cpu [config]`.
//   default    worker threads, min = max = N, everything else tinypool's default
//              (useAtomics, one task in flight per worker)
//   pipelined  worker threads, concurrentTasksPerWorker 64 (best found)
//   process    runtime 'child_process' (a process pool), otherwise default
// map: tinypool has no map; chunks of MAP_CHUNK items, one task per chunk.
import Tinypool from 'tinypool';
import { chunkedMap, measure } from './pool-harness.mjs';

const [bench = 'burst', config = 'default'] = process.argv.slice(2);
const configs = {
  default: {},
  pipelined: { concurrentTasksPerWorker: 64 },
  process: { runtime: 'child_process' },
};
if (!(config in configs)) throw new Error(`unknown config ${config}: ${Object.keys(configs).join(' | ')}`);
const MAP_CHUNK = 10_000;
const filename = new URL('./pool-task.mjs', import.meta.url).href;

await measure(bench, async (workers) => {
  const pool = new Tinypool({ filename, minThreads: workers, maxThreads: workers, ...configs[config] });
  return {
    add: (a, b) => pool.run({ a, b }, { name: 'addTask' }),
    hash: (rounds) => pool.run(rounds, { name: 'hashTask' }),
    map: (items) => chunkedMap((chunk) => pool.run(chunk, { name: 'doubleChunk' }), items, MAP_CHUNK),
    close: () => pool.destroy(),
  };
}, { library: 'tinypool', config });
