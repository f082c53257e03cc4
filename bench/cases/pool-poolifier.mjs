// Anchor: poolifier 5. `node pool-poolifier.mjs burst|roundtrip|map|cpu [config]`.
//   thread            FixedThreadPool(N), poolifier's defaults (LEAST_USED, tasks queue off:
//                     tasks go straight to a worker's port, many in flight per worker)
//   thread-best       FixedThreadPool(N), ROUND_ROBIN (best found)
//   cluster           FixedClusterPool(N) (worker processes via node:cluster), defaults
//   cluster-best      FixedClusterPool(N), ROUND_ROBIN (best found)
// map: chunks of MAP_CHUNK items, one task per chunk (poolifier's mapExecute is one task
// per item).
import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import { chunkedMap, measure } from './pool-harness.mjs';

const [bench = 'burst', config = 'thread'] = process.argv.slice(2);
const best = { workerChoiceStrategy: 'ROUND_ROBIN' };
const configs = {
  thread: [FixedThreadPool, {}],
  'thread-best': [FixedThreadPool, best],
  cluster: [FixedClusterPool, {}],
  'cluster-best': [FixedClusterPool, best],
};
if (!(config in configs)) throw new Error(`unknown config ${config}: ${Object.keys(configs).join(' | ')}`);
const MAP_CHUNK = 10_000;
const file = new URL('./pool-poolifier-worker.cjs', import.meta.url).pathname;

await measure(bench, async (workers) => {
  const [Pool, options] = configs[config];
  const pool = new Pool(workers, file, { errorHandler: (e) => console.error(e), ...options });
  return {
    add: (a, b) => pool.execute({ a, b }, 'add'),
    hash: (rounds) => pool.execute(rounds, 'hash'),
    map: (items) => chunkedMap((chunk) => pool.execute(chunk, 'doubleChunk'), items, MAP_CHUNK),
    close: () => pool.destroy(),
  };
}, { library: 'poolifier', config });
