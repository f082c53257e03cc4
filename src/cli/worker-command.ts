/**
 * `weft worker`: serves a `weft/redis` Pool on this machine until SIGTERM
 * or SIGINT, then stops cleanly (running tasks get the grace period to
 * finish; the rest go back to the pool). The work is `startWorker()` of
 * weft/redis (pool/redis-worker.ts), loaded from weft itself —
 * the built bundle, or the sources when the command runs under tsx — so
 * that the worker's local processes run weft's one copy.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { pathToFileURL } from 'node:url';
import { builtEntry } from './paths.js';

type RedisEntry = typeof import('../redis.js');

/** weft/redis, from the sources when this command runs from them (tsx), else from the build. */
async function loadRedisEntry(): Promise<RedisEntry> {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = fromSource ? new URL('../redis.ts', import.meta.url).href : pathToFileURL(builtEntry('weft/redis')!).href;
  return (await import(url)) as RedisEntry;
}

/** `weft worker --redis <url> [--namespace <ns>] [--pool <name>] [--root <dir>] [--processes <n> | --threads <n>] [--lease <ms>] [--grace <ms>]`. */
export function addWorkerCommand(program: Command): Command {
  return program
    .command('worker')
    .description('serve a weft/redis Pool: run its tasks on this machine (until SIGTERM or Ctrl-C)')
    .option('--redis <url>', 'the Redis server (default: $WEFT_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--namespace <ns>', 'the namespace the callers connect to', 'weft')
    .option('--pool <name>', 'the pool served', 'default')
    .option('--root <dir>', 'the project directory task modules are found under (the callers\' root)', process.cwd())
    .option('--processes <n>', 'tasks run at once, each in a process of its own (default: the CPU count)', wholeNumber)
    .option('--threads <n>', 'instead of processes: tasks run at once, each in a worker thread of this process (cheaper per task; a task can reach the others)', wholeNumber)
    .option('--lease <ms>', 'how soon, if this worker dies, its tasks go to others', wholeNumber)
    .option('--grace <ms>', 'on SIGTERM, how long running tasks may take to finish before they are given back', wholeNumber, 10_000)
    .action(async (options: { redis?: string; namespace: string; pool: string; root: string; processes?: number; threads?: number; lease?: number; grace: number }) => {
      const { startWorker } = await loadRedisEntry();
      const worker = await startWorker({
        url: options.redis,
        namespace: options.namespace,
        pool: options.pool,
        root: options.root,
        processes: options.processes,
        threads: options.threads,
        lease: options.lease,
        gracePeriod: options.grace,
      });
      const stop = (signal: string): void => {
        process.stderr.write(`weft worker: ${signal}: stopping (running tasks: ${worker.statistics().running})\n`);
        void worker.stop();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      console.log(`weft worker ${worker.id}: serving pool '${worker.pool}' of namespace '${options.namespace}', ${worker.slots} ${worker.runsIn === 'threads' ? 'thread(s)' : 'process(es)'}, root ${worker.root}`);
      await worker.stopped;
      const { completed, failed } = worker.statistics();
      console.log(`weft worker ${worker.id}: stopped (${completed} task(s) done, ${failed} failed)`);
    });
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}
