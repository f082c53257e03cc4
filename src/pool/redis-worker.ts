/**
 * A worker of a machine-scope pool: what `weft worker` runs. It holds one
 * connection to the pool's namespace (its lease, renewed from the lease
 * thread) and a local pool that runs the tasks, so the connection's thread
 * is never busy with them: `weft/multiprocessing`'s `Pool` (a process per
 * slot, the default: a task that crashes or leaks cannot touch the worker)
 * or, with `threads`, its `ThreadPool` (a worker thread per slot: a
 * quarter of the hop's cost, for short tasks that trust each other).
 *
 * Each of its slots loops: take a task (a wait on the pool's
 * take list, answered straight by a submit: no polling), check and import
 * its module (pool-task-ref.ts), run it in a local process, send the
 * outcome with the next take (`finishTake`: one round trip between two
 * tasks; a slot that stops sends it alone, `finish`). A task that throws, or whose module differs, is
 * answered with the error; a local process (or thread) that dies mid-task
 * answers `BrokenPoolError` and is replaced.
 *
 * | state    | entered by                     | does                                                        |
 * |----------|--------------------------------|-------------------------------------------------------------|
 * | serving  | `startWorker()`                | slots take and run tasks                                    |
 * | stopping | `stop()` (SIGTERM, SIGINT)     | takes are withdrawn; running tasks get `gracePeriod` ms to finish and answer |
 * | stopped  | the grace period ran out, or nothing runs | tasks still running are given back (to the head, this delivery not counted), the local pool ends, the connection leaves |
 *
 * If this process dies instead (kill -9), its lease runs out and the server
 * puts its running tasks back (counting the delivery): see pool-lua.ts.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { serialize } from 'node:v8';
import { encodeError } from '../codec/remote-error.js';
import { invalidArg } from '../errors.js';
import { Pool as ProcessPool, ThreadPool } from './pool.js';
import { checkPositiveInteger, cpus } from './pool-options.js';
import { checkName, objectId } from '../backends/redis/keys.js';
import { POOL_FINISH, POOL_FINISH_TAKE, POOL_GIVE_BACK, POOL_TAKE, POOL_WITHDRAW_TAKE } from '../backends/redis/pool-lua.js';
import { decodeValue, encodeValue, TaskFlags, type TaskPayload } from './redis-pool.js';
import { loadTask } from '../backends/redis/pool-task-ref.js';
import { connect, type RedisScope } from '../backends/redis/scope.js';
import type { Grant, WaitSteps } from '../backends/redis/waits.js';

/** Options of `startWorker()` (and of `weft worker`). */
export interface RedisWorkerOptions {
  /** The server (default `$WEFT_REDIS_URL`, else `redis://127.0.0.1:6379`). */
  url?: string;
  /** Default `'weft'`. */
  namespace?: string;
  /** The pool served (default `'default'`). */
  pool?: string;
  /** The project directory task modules are found under (default `process.cwd()`). */
  root?: string;
  /** Tasks run at once, each in a local process (default `cpuCount()`). */
  processes?: number;
  /** Instead of processes: tasks run at once, each in a local worker thread of this process. */
  threads?: number;
  /** The connection's lease, ms (default 10 000): how soon others take over the tasks of a worker that died. */
  lease?: number;
  /** On `stop()`, how long running tasks may take to finish before they are given back (default 10 000 ms). */
  gracePeriod?: number;
}

export interface RedisWorkerStatistics {
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
}

/** The local pool the tasks run in: processes or threads, with one API. */
type LocalPool = ProcessPool | ThreadPool;

const RETRY_MS = 100;
const FINISH_TRIES = 50;
/** A task's outcome not yet sent: it goes with the slot's next take. */
interface Outcome {
  readonly tid: string;
  /** `1<value>` or `0<error>` (redis-pool.ts `outcome`). */
  readonly answer: string;
}

const TAKE_GRANT_IDLE: Pick<Grant, 'fence' | 'died' | 'wanted'> = { fence: '0', died: false, wanted: false };

/**
 * Starts serving a pool in this process: resolves once its connection and
 * local processes are up. `weft worker` is this plus signal handling.
 *
 * @example
 * ```ts
 * import { startWorker } from 'weft/redis';
 * const worker = await startWorker({ namespace: 'shop', root: '/srv/app', processes: 4 });
 * process.once('SIGTERM', () => void worker.stop());
 * await worker.stopped;
 * ```
 */
export async function startWorker(options: RedisWorkerOptions = {}): Promise<RedisWorker> {
  if (typeof options !== 'object' || options === null) throw invalidArg('redis worker: options must be an object', 'type');
  const pool = checkName(options.pool ?? 'default', 'the pool name');
  const threads = checkPositiveInteger(options.threads, 'threads', 'redis worker');
  if (threads !== undefined && options.processes !== undefined) {
    throw invalidArg('redis worker: give processes or threads, not both (tasks run in local processes, or in local threads)');
  }
  const slots = threads ?? checkPositiveInteger(options.processes, 'processes', 'redis worker') ?? cpus();
  const grace = options.gracePeriod ?? 10_000;
  if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) throw invalidArg(`redis worker: gracePeriod must be a number of ms >= 0, got ${String(grace)}`);
  const scope = await connect({ url: options.url, namespace: options.namespace, lease: options.lease });
  const local = threads === undefined ? new ProcessPool({ processes: slots }) : new ThreadPool({ processes: slots });
  return new RedisWorker(scope, pool, resolve(options.root ?? process.cwd()), slots, grace, local);
}

/**
 * A running worker of a machine-scope pool; made by `startWorker()`.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ namespace: 'shop', processes: 2 });
 * console.log(worker.statistics()); // { running: 0, completed: 0, failed: 0 }
 * await worker.stop(); // running tasks finish (or go back), then it leaves
 * ```
 */
export class RedisWorker {
  /** Resolves once the worker stopped (after `stop()`). */
  readonly stopped: Promise<void>;
  readonly pool: string;
  readonly root: string;
  /** Tasks run at once (local processes, or threads with `threads`). */
  readonly slots: number;
  /** Where tasks run: `'processes'` or `'threads'`. */
  readonly runsIn: 'processes' | 'threads';
  readonly #scope: RedisScope;
  readonly #oid: string;
  readonly #grace: number;
  readonly #local: LocalPool;
  readonly #abort = new AbortController();
  /** Task ids running here, each with the promise of its end. */
  readonly #running = new Map<string, Promise<string>>();
  /** Tasks given back by stop(): their late outcome is not sent. */
  readonly #givenBack = new Set<string>();
  readonly #slots: Promise<void>[] = [];
  /** Takes in progress (a wait for a task). */
  readonly #takes = new Set<Promise<Grant | undefined>>();
  #completed = 0;
  #failed = 0;
  #stopping: Promise<void> | undefined;

  /** Made by `startWorker()`. */
  constructor(scope: RedisScope, pool: string, root: string, slots: number, grace: number, local: LocalPool) {
    this.#scope = scope;
    this.pool = pool;
    this.root = root;
    this.slots = slots;
    this.runsIn = local instanceof ThreadPool ? 'threads' : 'processes';
    this.#oid = objectId('pool', pool);
    this.#grace = grace;
    this.#local = local;
    for (let i = 0; i < slots; i++) this.#slots.push(this.#slot());
    let stopped!: () => void;
    this.stopped = new Promise((resolve) => (stopped = resolve));
    this.#onStopped = stopped;
  }

  readonly #onStopped: () => void;

  /** This worker's connection id (`statistics().owner` elsewhere). */
  get id(): number {
    return this.#scope.id;
  }

  statistics(): RedisWorkerStatistics {
    return Object.freeze({ running: this.#running.size, completed: this.#completed, failed: this.#failed });
  }

  /** Stops taking tasks, lets running ones finish within the grace period, gives back the rest, and leaves. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  toString(): string {
    return `<RedisWorker pool=${this.pool} id=${this.id} on ${hostname()} running=${this.#running.size}>`;
  }

  async #stop(): Promise<void> {
    this.#abort.abort(new Error('redis worker: stopping'));
    // Takes end at once (withdrawn; a task already on its way is tracked as running first).
    await Promise.allSettled(this.#takes);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#grace)));
    await Promise.race([Promise.allSettled([...this.#running.values()]), graceOver]);
    clearTimeout(timer);
    for (const tid of this.#running.keys()) {
      this.#givenBack.add(tid);
      await this.#scope.run(POOL_GIVE_BACK, this.#oid, [this.id, tid]).catch(() => {}); // else the lease's end puts it back
    }
    await this.#local.terminate();
    await Promise.allSettled(this.#slots);
    await this.#scope.close();
    this.#onStopped();
  }

  async #slot(): Promise<void> {
    const signal = this.#abort.signal;
    let unsent: Outcome | undefined;
    while (!signal.aborted) {
      let grant: Grant | undefined;
      const carried = unsent;
      const sent = (): void => {
        if (unsent === carried) unsent = undefined;
      };
      const take = this.#scope.wait(this.#takeSteps(carried, sent), undefined, signal);
      this.#takes.add(take);
      try {
        grant = await take;
      } catch {
        if (signal.aborted) break;
        // The server is unreachable or restarting: try again shortly (an outcome not sent goes with the next try).
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      } finally {
        this.#takes.delete(take);
      }
      // After an abort, a task already on its way is still run (or given back by stop()).
      if (grant?.item !== undefined) unsent = await this.#track(grant.item);
    }
    if (unsent !== undefined) await this.#finish(unsent);
  }

  /** A take; with `outcome`, the previous task's answer rides along (`onSent` once the server has it). */
  #takeSteps(outcome: Outcome | undefined, onSent: () => void): WaitSteps {
    const id = this.id;
    return {
      enqueue: async (seq, tryOnly) => {
        const take = [id, seq, tryOnly ? 1 : 0];
        const [answer, item] = outcome === undefined || this.#givenBack.has(outcome.tid)
          ? await this.#scope.run<[number, string?]>(POOL_TAKE, this.#oid, take)
          : await this.#scope.run<[number, string?]>(POOL_FINISH_TAKE, this.#oid, [...take, outcome.tid, outcome.answer]);
        onSent();
        return answer === 1 ? { ...TAKE_GRANT_IDLE, item: item! } : 'queued';
      },
      withdraw: async (seq) => ((await this.#scope.run<number>(POOL_WITHDRAW_TAKE, this.#oid, [id, seq])) === 1 ? 'take' : undefined),
    };
  }

  /** Runs the task `item` (`tid,n,payload`) while it counts as running here; resolves to its outcome. */
  async #track(item: string): Promise<Outcome> {
    const first = item.indexOf(',');
    const second = item.indexOf(',', first + 1);
    const tid = item.slice(0, first);
    const run = this.#run(item.slice(second + 1));
    this.#running.set(tid, run);
    try {
      return { tid, answer: await run };
    } finally {
      this.#running.delete(tid);
    }
  }

  async #run(payload: string): Promise<string> {
    try {
      const task = decodeValue(payload) as TaskPayload;
      const fn = await loadTask(this.root, task.ref);
      const answer = `1${encodeValue(await this.#call(fn, task), 'the result')}`;
      this.#completed += 1;
      return answer;
    } catch (error) {
      this.#failed += 1;
      return `0${serialize(encodeError(error)).toString('base64')}`;
    }
  }

  /** Sends an outcome alone (a stopping slot's last), trying again while the server is unreachable. */
  async #finish({ tid, answer }: Outcome): Promise<void> {
    for (let tries = 1; !this.#givenBack.has(tid); tries++) {
      try {
        await this.#scope.run(POOL_FINISH, this.#oid, [this.id, tid, answer]);
        return;
      } catch (error) {
        if (tries === FINISH_TRIES) {
          process.stderr.write(`weft worker: could not send the outcome of task ${tid}: ${(error as Error).message}\n`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  #call(fn: Function, task: TaskPayload): Promise<unknown> {
    const { args, flags } = task;
    if ((flags & TaskFlags.Chunk) === 0) return this.#local.apply(fn as (...a: unknown[]) => unknown, args);
    const chunk = args[0] as unknown[];
    // One local task for the whole chunk.
    if ((flags & TaskFlags.Star) !== 0) return this.#local.starmap(fn as (...a: unknown[]) => unknown, chunk as unknown[][], { chunksize: chunk.length });
    return this.#local.map(fn as (x: unknown) => unknown, chunk, { chunksize: chunk.length });
  }
}
