// weft's pools, measured exactly as the anchors are (pool-harness.mjs).
// `node pool-weft.mjs burst|roundtrip|map|cpu thread|process|thread-executor|process-executor`
//   thread            ThreadPool({ processes: N })            weft/multiprocessing
//   process           Pool({ processes: N })                  weft/multiprocessing
//   thread-executor   ThreadPoolExecutor({ maxWorkers: N })   weft/futures
//   process-executor  ProcessPoolExecutor({ maxWorkers: N })  weft/futures
// Everything at weft's defaults. Pools: burst = applyAsync(add, [i, 1]).get(), round trip =
// await apply(add, [i, 1]), map = await map(double, items) (chunksize chosen by weft).
// Executors: submit(add, i, 1) → Future, awaited as a PromiseLike; map = for await over
// executor.map(double, items). The tasks are the exports of pool-task.mjs, which weft's
// workers import by reference.
//
// While the pool or the executor is not built yet, exits with 2 and one line on stderr
// saying what is missing: `npm run bench` shows the case as skipped and measures the rest.
// While dist/ is being rebuilt by someone else, waits for it (up to a minute).
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { measure } from './pool-harness.mjs';
import { add, double, hash } from './pool-task.mjs';

const kinds = {
  thread: ['multiprocessing', 'ThreadPool'],
  process: ['multiprocessing', 'Pool'],
  'thread-executor': ['futures', 'ThreadPoolExecutor'],
  'process-executor': ['futures', 'ProcessPoolExecutor'],
};

function skip(why) {
  process.stderr.write(`weft pool not measured: ${why}\n`);
  process.exit(2);
}

/**
 * An entry of the built package (`weft/<entry>`, else dist/entries/<entry>.js), or a skip.
 * `npm run build` wipes dist/ first: while dist/entries/index.js is missing a build is
 * (most likely) under way in this shared tree, so wait up to a minute for it.
 */
async function entryModule(entry) {
  const built = new URL(`../../dist/entries/${entry}.js`, import.meta.url);
  for (let waited = 0; !existsSync(new URL('../../dist/entries/index.js', import.meta.url)) && waited < 60_000; waited += 500) await sleep(500);
  if (!existsSync(built)) skip(`dist/entries/${entry}.js is not built; run npm run build`);
  try {
    return await import(entry === 'index' ? 'weft' : `weft/${entry}`);
  } catch {
    return import(built.href); // not in package.json "exports" yet
  }
}

/** The class from the built package, or a skip when it is not there yet. */
async function load(entry, name) {
  const module = await entryModule(entry);
  if (typeof module[name] !== 'function') skip(`weft/${entry} has no ${name} yet`);
  return module[name];
}

async function collect(iterable) {
  const out = [];
  for await (const value of iterable) out.push(value);
  return out;
}

const { isMain } = await entryModule('index');
if (isMain(import.meta)) {
  const [bench = 'burst', kind = 'thread'] = process.argv.slice(2);
  if (!(kind in kinds)) throw new Error(`unknown kind ${kind}: ${Object.keys(kinds).join(' | ')}`);
  const [entry, name] = kinds[kind];
  const Class = await load(entry, name);
  const executor = kind.endsWith('executor');

  await measure(bench, async (workers) => {
    if (executor) {
      const ex = new Class({ maxWorkers: workers });
      return {
        add: (a, b) => ex.submit(add, a, b),
        hash: (rounds) => ex.submit(hash, rounds),
        map: (items) => collect(ex.map(double, items)),
        close: () => ex.shutdown(),
      };
    }
    const pool = new Class({ processes: workers });
    return {
      add: (a, b) => pool.apply(add, [a, b]),
      submit: (a, b) => pool.applyAsync(add, [a, b]).get(),
      hash: (rounds) => pool.apply(hash, [rounds]),
      map: (items) => pool.map(double, items),
      close: async () => {
        pool.close();
        await pool.join();
      },
    };
  }, { library: 'weft', config: kind });
}
