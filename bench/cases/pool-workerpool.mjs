// Anchor: workerpool 10. `node pool-workerpool.mjs burst|roundtrip|map|cpu [config]`.
//   default  workerType 'auto' (worker threads on Node), min = max = N workers
//   process  workerType 'process' (child_process.fork)
// workerpool keeps one task in flight per worker and has no setting that changes that,
// so its defaults are its best. map: chunks of MAP_CHUNK items, one task per chunk.
import workerpool from 'workerpool';
import { chunkedMap, measure } from './pool-harness.mjs';

const [bench = 'burst', config = 'default'] = process.argv.slice(2);
const configs = {
  default: {},
  process: { workerType: 'process' },
};
if (!(config in configs)) throw new Error(`unknown config ${config}: ${Object.keys(configs).join(' | ')}`);
const MAP_CHUNK = 10_000;
const script = new URL('./pool-workerpool-worker.mjs', import.meta.url).pathname;

await measure(bench, async (workers) => {
  const pool = workerpool.pool(script, { minWorkers: workers, maxWorkers: workers, ...configs[config] });
  return {
    add: (a, b) => pool.exec('add', [a, b]),
    hash: (rounds) => pool.exec('hash', [rounds]),
    map: (items) => chunkedMap((chunk) => pool.exec('doubleChunk', [chunk]), items, MAP_CHUNK),
    close: () => pool.terminate(),
  };
}, { library: 'workerpool', config });
