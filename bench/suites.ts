/**
 * What `npm run bench` measures: each suite sets one weft measurement beside
 * the anchors it must be judged against, measured in the same run.
 */
import { traceSuites } from './trace-suites.ts';
export interface Measurement {
  readonly id: string;
  readonly title: string;
  /** Program and arguments, run from bench/. */
  readonly command: readonly string[];
  readonly unit: string;
  readonly better: 'higher' | 'lower';
}

export interface Suite {
  readonly id: string;
  readonly title: string;
  readonly subject: Measurement;
  readonly anchors: readonly Measurement[];
  /** The goal from the issue, for the reader of the report. */
  readonly goal?: string;
}

const node = (file: string, id: string, title: string, unit: string, better: 'higher' | 'lower', args: readonly string[] = []): Measurement => ({
  id,
  title,
  command: [process.execPath, `cases/${file}`, ...args],
  unit,
  better,
});

const python = (mode: string, id: string, title: string): Measurement => ({
  id,
  title,
  command: ['python3', 'cases/python_lock.py', mode],
  unit: 'ops/s',
  better: 'higher',
});

const pythonQueue = (args: readonly string[], id: string, title: string): Measurement => ({
  id,
  title,
  command: ['python3', 'cases/python_queue.py', ...args],
  unit: 'items/s',
  better: 'higher',
});

/** A stream of `kind` items from `producers` threads to `consumers` threads, through weft's Queue and its anchors. */
function queueStream(kind: 'ints' | 'objects', producers: number, consumers: number, goal: string): Suite {
  const count = kind === 'ints' ? '1,000,000 small integers' : '200,000 small objects { id, name, tags }';
  const shape = `${producers}→${consumers}`;
  const pairs = String(producers);
  const anchors: Measurement[] = [];
  if (producers === consumers) {
    const pairsNote = producers === 1 ? '' : ` (${producers} channels, one per pair)`;
    anchors.push(node('message-port-stream.mjs', `message-port-${kind}-${shape}`, `raw MessagePort stream${pairsNote}`, 'items/s', 'higher', [kind, pairs]));
  }
  anchors.push(
    pythonQueue(['thread', kind, String(producers), String(consumers)], `python-queue-${kind}-${shape}`, "Python queue.Queue, threads"),
    pythonQueue(['process', kind, String(producers), String(consumers)], `python-mp-queue-${kind}-${shape}`, 'Python multiprocessing.Queue, processes'),
  );
  return {
    id: `queue-${kind}-${shape}`,
    title: `Queue: ${count}, ${shape} threads`,
    subject: node('queue-stream.mjs', `weft-queue-${kind}-${shape}`, `weft Queue, ${shape} threads`, 'items/s', 'higher', [kind, String(producers), String(consumers)]),
    anchors,
    goal,
  };
}

/**
 * 200,000 `kind` items from `producers` child processes to `consumers` child
 * processes through weft's process-scope Queue, beside Python's
 * multiprocessing.Queue and (1→1) raw Node IPC.
 */
function mpQueueStream(kind: 'ints' | 'objects', producers: number, consumers: number, goal: string): Suite {
  const shape = `${producers}→${consumers}`;
  const items = kind === 'ints' ? 'small integers' : 'small objects { id, name, tags }';
  const args = [kind, String(producers), String(consumers), '200000'];
  const anchors: Measurement[] = [pythonQueue(['process', ...args], `python-mp-queue-${kind}-${shape}-200k`, 'Python multiprocessing.Queue, processes')];
  if (kind === 'ints' && shape === '1→1') {
    anchors.push(node('ipc-stream.mjs', 'node-ipc-ints-1→1', 'raw Node IPC process.send, child → parent', 'items/s', 'higher', ['200000']));
  }
  return {
    id: `mp-queue-${kind}-${shape}`,
    title: `multiprocessing Queue: 200,000 ${items}, ${shape} processes`,
    subject: node('mp-queue-stream.mjs', `weft-mp-queue-${kind}-${shape}`, `weft multiprocessing Queue, ${shape} processes`, 'items/s', 'higher', args),
    anchors,
    goal,
  };
}

// ── Pools and executors (issue 5) ─────────────────────────────────────────────────────────
// Every Node pool runs through bench/cases/pool-harness.mjs (same warm-up, counts and
// checks), 2 workers, task add(a, b) from pool-task.mjs; Python's pools through
// python_pool.py, measured the same way. Each library at its defaults and at its best
// settings found (see the header of each pool-<library>.mjs). Throughput units are ops/s
// (one op = one task).

/** A pool case: `node cases/pool-<library>.mjs <bench> <config>`. */
const poolCase = (library: string, bench: string, config: string, id: string, title: string, unit: string, better: 'higher' | 'lower'): Measurement =>
  node(`pool-${library}.mjs`, id, title, unit, better, [bench, config]);

/** weft's pool or executor (`kind`: thread | process | thread-executor | process-executor). */
const weftPool = (bench: string, kind: string, title: string, unit: string, better: 'higher' | 'lower'): Measurement =>
  poolCase('weft', bench, kind, `weft-${kind}-${bench}`, title, unit, better);

const pythonPool = (bench: string, kind: string, id: string, title: string, unit: string, better: 'higher' | 'lower'): Measurement => ({
  id,
  title,
  command: ['python3', 'cases/python_pool.py', bench, kind],
  unit,
  better,
});

const burst = (library: string, config: string, title: string): Measurement =>
  poolCase(library, 'burst', config, `${library}-${config}-burst`, title, 'ops/s', 'higher');
const roundTrip = (library: string, config: string, title: string): Measurement =>
  poolCase(library, 'roundtrip', config, `${library}-${config}-roundtrip`, title, 'µs', 'lower');
const mapItems = (library: string, config: string, title: string): Measurement =>
  poolCase(library, 'map', config, `${library}-${config}-map`, title, 'items/s', 'higher');
const cpuSpeedup = (library: string, config: string, title: string): Measurement =>
  poolCase(library, 'cpu', config, `${library}-${config}-cpu`, title, '×', 'higher');

const rawSab = (mode: 'sync' | 'async'): Measurement =>
  node('raw-sab-pingpong.mjs', `raw-sab-pingpong-${mode}`, `raw SAB ping-pong, main ${mode === 'sync' ? 'Atomics.wait (blocks)' : 'await Atomics.waitAsync'}`, 'µs', 'lower', [mode]);
const rawIpc = node('raw-ipc-pingpong.mjs', 'raw-ipc-pingpong', 'raw fork() IPC ping-pong (process.send)', 'µs', 'lower');
const pythonMpLock: Measurement = { id: 'python-mp-lock', title: 'Python multiprocessing.Lock acquire+release', command: ['python3', 'cases/python_mp_lock.py', 'uncontended'], unit: 'ops/s', better: 'higher' };

/** No pool: 2 bare workers fed round-robin, everything in flight at once (pool-raw.mjs). */
const rawThreads = 'no pool: 2 bare Workers, postMessage round-robin';
const rawProcesses = 'no pool: 2 bare fork() children, process.send round-robin';

const piscinaBurst = burst('piscina', 'default', 'piscina, defaults (1 task in flight per worker)');
const pythonThreadBurst = pythonPool('burst', 'thread', 'python-thread-executor-burst', 'Python ThreadPoolExecutor submit()', 'ops/s', 'higher');
const poolifierClusterBurst = burst('poolifier', 'cluster', 'poolifier FixedClusterPool, defaults');
const pythonProcessBurst = pythonPool('burst', 'process', 'python-process-executor-burst', 'Python ProcessPoolExecutor submit()', 'ops/s', 'higher');

const threadBurstAnchors = [
  piscinaBurst,
  burst('piscina', 'pipelined', 'piscina, concurrentTasksPerWorker 64'),
  burst('tinypool', 'default', 'tinypool, defaults'),
  burst('tinypool', 'pipelined', 'tinypool, concurrentTasksPerWorker 64'),
  burst('workerpool', 'default', 'workerpool, threads (defaults = best)'),
  burst('poolifier', 'thread', 'poolifier FixedThreadPool, defaults'),
  burst('poolifier', 'thread-best', 'poolifier FixedThreadPool, ROUND_ROBIN'),
  pythonThreadBurst,
  burst('raw', 'threads', rawThreads),
];
const processBurstAnchors = [
  poolifierClusterBurst,
  burst('poolifier', 'cluster-best', 'poolifier FixedClusterPool, ROUND_ROBIN'),
  burst('tinypool', 'process', "tinypool, runtime 'child_process'"),
  burst('workerpool', 'process', "workerpool, workerType 'process'"),
  pythonProcessBurst,
  pythonPool('burst', 'mp', 'python-mp-pool-burst', 'Python multiprocessing.Pool apply_async()', 'ops/s', 'higher'),
  burst('raw', 'processes', rawProcesses),
];

const poolSuites: Suite[] = [
  {
    id: 'pool-burst-thread',
    title: 'ThreadPool: 100,000 tasks add(i, 1) submitted at once, then awaited, 2 workers',
    subject: weftPool('burst', 'thread', 'weft ThreadPool applyAsync().get()', 'ops/s', 'higher'),
    anchors: threadBurstAnchors,
    goal: "≥ 6× piscina's defaults",
  },
  {
    id: 'pool-burst-process',
    title: 'Pool (processes): 100,000 tasks add(i, 1) submitted at once, then awaited, 2 workers',
    subject: weftPool('burst', 'process', 'weft Pool applyAsync().get()', 'ops/s', 'higher'),
    anchors: processBurstAnchors,
    goal: "≥ 2× poolifier's cluster pool (defaults)",
  },
  {
    id: 'pool-burst-thread-executor',
    title: 'ThreadPoolExecutor: 100,000 submit(add, i, 1) at once, then awaited, 2 workers',
    subject: weftPool('burst', 'thread-executor', 'weft ThreadPoolExecutor submit()', 'ops/s', 'higher'),
    anchors: [piscinaBurst, pythonThreadBurst],
    goal: "as ThreadPool's: ≥ 6× piscina's defaults",
  },
  {
    id: 'pool-burst-process-executor',
    title: 'ProcessPoolExecutor: 100,000 submit(add, i, 1) at once, then awaited, 2 workers',
    subject: weftPool('burst', 'process-executor', 'weft ProcessPoolExecutor submit()', 'ops/s', 'higher'),
    anchors: [poolifierClusterBurst, pythonProcessBurst],
    goal: "as Pool's: ≥ 2× poolifier's cluster pool",
  },
  {
    id: 'pool-roundtrip-thread',
    title: 'ThreadPool: one task at a time, await apply(add, [i, 1]), 2 workers (µs per task)',
    subject: weftPool('roundtrip', 'thread', 'weft ThreadPool await apply()', 'µs', 'lower'),
    anchors: [
      rawSab('async'),
      rawSab('sync'),
      roundTrip('piscina', 'default', 'piscina, defaults'),
      roundTrip('piscina', 'async', "piscina, atomics 'async'"),
      roundTrip('tinypool', 'default', 'tinypool, defaults'),
      roundTrip('workerpool', 'default', 'workerpool, threads'),
      roundTrip('poolifier', 'thread', 'poolifier FixedThreadPool, defaults'),
      roundTrip('raw', 'threads', 'no pool: a bare Worker, postMessage echo'),
      pythonPool('roundtrip', 'thread', 'python-thread-executor-roundtrip', 'Python ThreadPoolExecutor submit().result()', 'µs', 'lower'),
    ],
    goal: '≤ 1.3× the raw SAB ping-pong with waitAsync (the fair one for an awaited API; the blocking one is the floor)',
  },
  {
    id: 'pool-roundtrip-process',
    title: 'Pool (processes): one task at a time, await apply(add, [i, 1]), 2 workers (µs per task)',
    subject: weftPool('roundtrip', 'process', 'weft Pool await apply()', 'µs', 'lower'),
    anchors: [
      rawIpc,
      rawSab('async'),
      roundTrip('poolifier', 'cluster', 'poolifier FixedClusterPool, defaults'),
      roundTrip('tinypool', 'process', "tinypool, runtime 'child_process'"),
      roundTrip('workerpool', 'process', "workerpool, workerType 'process'"),
      pythonPool('roundtrip', 'process', 'python-process-executor-roundtrip', 'Python ProcessPoolExecutor submit().result()', 'µs', 'lower'),
      pythonPool('roundtrip', 'mp', 'python-mp-pool-roundtrip', 'Python multiprocessing.Pool apply()', 'µs', 'lower'),
    ],
    goal: 'no goal of its own in the issue; the raw IPC ping-pong is the floor with Node IPC, the SAB one the floor between threads',
  },
  {
    id: 'pool-roundtrip-thread-executor',
    title: 'ThreadPoolExecutor: one task at a time, await submit(add, i, 1), 2 workers (µs per task)',
    subject: weftPool('roundtrip', 'thread-executor', 'weft ThreadPoolExecutor await submit()', 'µs', 'lower'),
    anchors: [
      rawSab('async'),
      rawSab('sync'),
      pythonPool('roundtrip', 'thread', 'python-thread-executor-roundtrip', 'Python ThreadPoolExecutor submit().result()', 'µs', 'lower'),
    ],
    goal: '≤ 1.3× the raw SAB ping-pong with waitAsync',
  },
  {
    id: 'pool-roundtrip-process-executor',
    title: 'ProcessPoolExecutor: one task at a time, await submit(add, i, 1), 2 workers (µs per task)',
    subject: weftPool('roundtrip', 'process-executor', 'weft ProcessPoolExecutor await submit()', 'µs', 'lower'),
    anchors: [
      rawIpc,
      pythonPool('roundtrip', 'process', 'python-process-executor-roundtrip', 'Python ProcessPoolExecutor submit().result()', 'µs', 'lower'),
    ],
  },
  {
    id: 'pool-map-thread',
    title: 'ThreadPool: map(double, 1,000,000 numbers), 2 workers',
    subject: weftPool('map', 'thread', 'weft ThreadPool map(), automatic chunksize', 'items/s', 'higher'),
    anchors: [
      pythonPool('map', 'mp', 'python-mp-pool-map', 'Python multiprocessing.Pool.map, default chunksize', 'items/s', 'higher'),
      pythonPool('map', 'mpthread', 'python-mp-threadpool-map', 'Python multiprocessing.pool.ThreadPool.map', 'items/s', 'higher'),
      mapItems('piscina', 'default', 'piscina, one task per 10,000-item chunk (best)'),
      mapItems('tinypool', 'default', 'tinypool, one task per 10,000-item chunk'),
      mapItems('poolifier', 'thread', 'poolifier FixedThreadPool, per 10,000-item chunk'),
      mapItems('raw', 'threads', `${rawThreads}, per 10,000-item chunk`),
    ],
    goal: "ahead of Python's Pool.map with its default chunksize",
  },
  {
    id: 'pool-map-process',
    title: 'Pool (processes): map(double, 1,000,000 numbers), 2 workers',
    subject: weftPool('map', 'process', 'weft Pool map(), automatic chunksize', 'items/s', 'higher'),
    anchors: [
      pythonPool('map', 'mp', 'python-mp-pool-map', 'Python multiprocessing.Pool.map, default chunksize', 'items/s', 'higher'),
      mapItems('poolifier', 'cluster', 'poolifier FixedClusterPool, per 10,000-item chunk'),
      mapItems('tinypool', 'process', "tinypool 'child_process', per 10,000-item chunk"),
      mapItems('raw', 'processes', `${rawProcesses}, per 10,000-item chunk`),
    ],
    goal: "ahead of Python's Pool.map with its default chunksize",
  },
  {
    id: 'pool-cpu-thread',
    title: 'ThreadPool: ~2 ms sha256 tasks, speedup of 2 workers over 1 (on a 2-CPU machine)',
    subject: cpuSpeedup('weft', 'thread', 'weft ThreadPool, 2 workers ÷ 1 worker'),
    anchors: [cpuSpeedup('raw', 'threads', 'no pool: bare Workers, 2 ÷ 1 (the ceiling now)'), cpuSpeedup('piscina', 'default', 'piscina, 2 workers ÷ 1 worker')],
    goal: '≥ 1.8× on an idle machine; the bare-Worker speedup shows what the machine gave during the run (ratio lines compare speedups)',
  },
  {
    id: 'pool-cpu-process',
    title: 'Pool (processes): ~2 ms sha256 tasks, speedup of 2 workers over 1 (on a 2-CPU machine)',
    subject: cpuSpeedup('weft', 'process', 'weft Pool, 2 workers ÷ 1 worker'),
    anchors: [
      cpuSpeedup('raw', 'processes', 'no pool: bare fork() children, 2 ÷ 1 (the ceiling now)'),
      cpuSpeedup('piscina', 'default', 'piscina (threads), 2 workers ÷ 1 worker'),
      cpuSpeedup('poolifier', 'cluster', 'poolifier FixedClusterPool, 2 ÷ 1'),
    ],
    goal: '≥ 1.8× on an idle machine; the bare-children speedup shows what the machine gave during the run (ratio lines compare speedups)',
  },
];

export const suites: readonly Suite[] = [
  {
    id: 'lock-sync-uncontended',
    title: 'Lock, uncontended acquireSync() + release()',
    subject: node('lock-sync.mjs', 'weft-lock-sync', 'weft Lock acquireSync+release', 'ops/s', 'higher'),
    anchors: [
      node('cas-pair.mjs', 'bare-cas-pair', 'bare Atomics CAS lock/unlock pair', 'ops/s', 'higher'),
      python('uncontended', 'python-lock', "Python threading.Lock acquire+release"),
    ],
    goal: 'within 2× of the bare CAS pair, and ahead of Python',
  },
  {
    id: 'lock-async-uncontended',
    title: 'Lock, uncontended await acquire() + release()',
    subject: node('lock-async.mjs', 'weft-lock-async', 'weft Lock await acquire()+release', 'ops/s', 'higher'),
    anchors: [node('async-mutex.mjs', 'async-mutex', 'async-mutex await acquire()+release', 'ops/s', 'higher')],
    goal: '≥ 10× async-mutex',
  },
  {
    id: 'lock-contended',
    title: 'Lock, contended by 2 threads (total acquire+release)',
    subject: node('lock-contended.mjs', 'weft-lock-contended', 'weft Lock, 2 threads', 'ops/s', 'higher'),
    anchors: [python('contended', 'python-lock-contended', 'Python threading.Lock, 2 threads')],
    goal: "ahead of Python's",
  },
  {
    id: 'thread-start',
    title: 'Thread start() + join() of a no-op target',
    subject: node('thread-start.mjs', 'weft-thread-start', 'weft Thread start+join', 'ms', 'lower'),
    anchors: [node('raw-worker.mjs', 'raw-worker', 'raw new Worker(no-op file) until exit', 'ms', 'lower')],
    goal: '≤ 1.2× the raw Worker',
  },
  {
    id: 'process-start',
    title: 'Process start() + join() of a no-op target',
    subject: node('process-start.mjs', 'weft-process-start', 'weft Process start+join', 'ms', 'lower'),
    anchors: [
      node('raw-fork.mjs', 'raw-fork', 'raw child_process.fork(no-op file) until exit', 'ms', 'lower'),
      { id: 'python-process-spawn', title: "Python multiprocessing.Process, 'spawn' start method", command: ['python3', 'cases/python_process.py'], unit: 'ms', better: 'lower' },
    ],
    goal: '≤ 1.2× the raw fork, and ahead of Python',
  },
  // ── Process scope at memory speed (issue 11) ────────────────────────────────────────────
  {
    id: 'mp-lock-contended',
    title: 'Process-scope Lock hand-off: 2 processes, acquireSync() + release() in a loop',
    subject: node('mp-lock.mjs', 'weft-mp-lock-contended', 'weft multiprocessing Lock, 2 processes', 'ops/s', 'higher', ['contended']),
    anchors: [
      node('unix-socket-pingpong.mjs', 'unix-socket-pingpong', 'raw Unix-socket round trip between 2 processes', 'round trips/s', 'higher'),
      { id: 'python-mp-lock-contended', title: 'Python multiprocessing.Lock, 2 processes (no hand-off: a semaphore)', command: ['python3', 'cases/python_mp_lock.py', 'contended'], unit: 'ops/s', better: 'higher' },
    ],
    goal: '≤ 2× a raw Unix-socket round trip per hand-off (ops/s ≥ 0.5× the round trips/s)',
  },
  {
    id: 'mp-lock-handoff',
    title: 'Process-scope Lock hand-off: 2 processes, every release hands the lock to the other (it waits queued in the hub)',
    subject: node('mp-lock.mjs', 'weft-mp-lock-handoff', 'weft multiprocessing Lock, 2 processes, a hand-off per op', 'ops/s', 'higher', ['handoff']),
    anchors: [node('unix-socket-pingpong.mjs', 'unix-socket-pingpong-handoff', 'raw Unix-socket round trip between 2 processes', 'round trips/s', 'higher')],
    goal: '≤ 2× a raw Unix-socket round trip per hand-off (ops/s ≥ 0.5× the round trips/s; each op also waits one round trip for the other to queue)',
  },
  {
    id: 'mp-lock-uncontended',
    title: 'Process-scope Lock, uncontended acquireSync() + release()',
    subject: node('mp-lock.mjs', 'weft-mp-lock-uncontended', 'weft multiprocessing Lock acquireSync+release', 'ops/s', 'higher', ['uncontended']),
    anchors: [pythonMpLock],
    goal: "≥ 0.5× Python's multiprocessing.Lock",
  },
  {
    id: 'mp-lock-async-uncontended',
    title: 'Process-scope Lock, uncontended await acquire() + release()',
    subject: node('mp-lock.mjs', 'weft-mp-lock-async-uncontended', 'weft multiprocessing Lock await acquire()+release', 'ops/s', 'higher', ['uncontended-async']),
    anchors: [pythonMpLock],
    goal: "≥ 0.5× Python's multiprocessing.Lock",
  },
  {
    id: 'mp-value-add',
    title: 'Process-scope Value: 2 processes adding 1, 1,000,000 times each, no add lost',
    subject: node('mp-value-add.mjs', 'weft-mp-value-add', 'weft multiprocessing Value.add(1), 2 processes', 'ops/s', 'higher'),
    anchors: [
      { id: 'python-mp-value-add', title: "Python multiprocessing.Value: with v.get_lock(): v.value += 1, 2 processes", command: ['python3', 'cases/python_mp_value.py'], unit: 'ops/s', better: 'higher' },
    ],
    goal: "ahead of Python's locked += 1",
  },
  {
    id: 'manager-list-append',
    title: 'Manager list: 2 processes appending to one managed list',
    subject: node('manager.mjs', 'weft-manager-list', 'weft Manager().list().appendSync, 2 processes', 'ops/s', 'higher', ['list']),
    anchors: [
      { id: 'python-manager-list', title: 'Python Manager().list().append, 2 processes', command: ['python3', 'cases/python_manager.py', 'list'], unit: 'ops/s', better: 'higher' },
    ],
    goal: 'one hub round trip per call: the transport\'s cost, as for every process-scope call from a child (Python talks to its manager process over one socket hop)',
  },
  {
    id: 'manager-dict-increment',
    title: 'Manager dict counter: 2 processes adding 1 to one key, no update lost',
    subject: node('manager.mjs', 'weft-manager-dict', 'weft Manager().dict().incrementSync, 2 processes', 'ops/s', 'higher', ['dict']),
    anchors: [
      { id: 'python-manager-dict', title: "Python Manager().dict(): with manager.Lock(): d['n'] += 1, 2 processes", command: ['python3', 'cases/python_manager.py', 'dict'], unit: 'ops/s', better: 'higher' },
    ],
    goal: 'one atomic op per increment, where Python needs a lock and two proxy calls',
  },
  queueStream('ints', 1, 1, "≥ 10× the MessagePort stream, and ahead of Python's queue.Queue"),
  queueStream('objects', 1, 1, "≥ 5× the MessagePort stream, and ahead of Python's queue.Queue"),
  queueStream('ints', 2, 2, "ahead of Python's queue.Queue"),
  queueStream('objects', 2, 2, "ahead of Python's queue.Queue"),
  mpQueueStream('ints', 1, 1, "≥ 3× Python's multiprocessing.Queue"),
  mpQueueStream('objects', 1, 1, "≥ 2× Python's multiprocessing.Queue"),
  mpQueueStream('ints', 2, 2, 'reported (no goal of its own)'),
  {
    id: 'queue-objects-1→1-warm',
    title: 'Queue: 200,000 small objects, 1→1 threads, after an untimed first pass (compiled code)',
    subject: node('queue-stream.mjs', 'weft-queue-objects-warm', 'weft Queue, 1→1 threads, warm', 'items/s', 'higher', ['objects', '1', '1', 'warm']),
    anchors: [node('message-port-stream.mjs', 'message-port-objects-warm', 'raw MessagePort stream, warm', 'items/s', 'higher', ['objects', '1', 'warm'])],
    goal: 'not a goal of its own: shows what the short run spends compiling',
  },
  // ── Pipe (issue 14) ──────────────────────────────────────────────────────────────────
  // Two processes, the parent's end and a child's end of one Pipe; small messages { seq, op }.
  {
    id: 'pipe-pingpong',
    title: 'Pipe: round trip of a small message between 2 processes',
    subject: node('pipe.mjs', 'weft-pipe-pingpong', 'weft Pipe, parent ⇄ child Process', 'µs', 'lower', ['pingpong']),
    anchors: [
      { id: 'python-pipe-pingpong', title: "Python multiprocessing.Pipe, 'spawn' child", command: ['python3', 'cases/python_pipe.py', 'pingpong'], unit: 'µs', better: 'lower' },
      node('pipe-raw.mjs', 'raw-ipc-pipe-pingpong', 'raw fork() IPC (process.send)', 'µs', 'lower', ['ipc', 'pingpong']),
      node('pipe-raw.mjs', 'raw-socket-pipe-pingpong', 'raw Unix socket, length + JSON frames', 'µs', 'lower', ['socket', 'pingpong']),
    ],
    goal: 'at least as fast as raw IPC (a direct socket, no hub on the way)',
  },
  {
    id: 'pipe-stream',
    title: 'Pipe: 200,000 small messages one way, child → parent',
    subject: node('pipe.mjs', 'weft-pipe-stream', 'weft Pipe, child Process → parent', 'items/s', 'higher', ['stream']),
    anchors: [
      { id: 'python-pipe-stream', title: "Python multiprocessing.Pipe, 'spawn' child", command: ['python3', 'cases/python_pipe.py', 'stream'], unit: 'items/s', better: 'higher' },
      node('pipe-raw.mjs', 'raw-ipc-pipe-stream', 'raw fork() IPC (process.send)', 'items/s', 'higher', ['ipc', 'stream']),
      node('pipe-raw.mjs', 'raw-socket-pipe-stream', 'raw Unix socket, length + JSON frames', 'items/s', 'higher', ['socket', 'stream']),
    ],
    goal: 'at least as fast as raw IPC',
  },
  // ── Machine scope: weft/redis (issue 13), on the Redis at WEFT_REDIS_URL ─────────────────
  {
    id: 'redis-lock-uncontended',
    title: 'weft/redis Lock, one process: await acquire() + release()',
    subject: node('redis-lock.mjs', 'weft-redis-lock-uncontended', 'weft/redis Lock (a kept grant: no Redis call while nobody else asks)', 'ops/s', 'higher', ['weft', 'uncontended']),
    anchors: [node('redis-lock.mjs', 'redis-semaphore-uncontended', 'redis-semaphore Mutex (ioredis)', 'ops/s', 'higher', ['redis-semaphore', 'uncontended'])],
    goal: '≥ 10× redis-semaphore',
  },
  {
    id: 'redis-lock-contended',
    title: 'weft/redis Lock, 4 processes contending: owner changes per second',
    subject: node('redis-lock.mjs', 'weft-redis-lock-contended', 'weft/redis Lock, 4 processes', 'owner changes/s', 'higher', ['weft', 'contended', '4']),
    anchors: [node('redis-lock.mjs', 'redis-semaphore-contended', 'redis-semaphore Mutex, 4 processes', 'owner changes/s', 'higher', ['redis-semaphore', 'contended', '4'])],
    goal: '≥ 8,000 owner changes/s, FIFO, equal counts',
  },
  {
    id: 'redis-queue-one',
    title: 'weft/redis Queue put → get, 1 → 1 processes, one call in flight on each side',
    subject: node('redis-queue.mjs', 'weft-redis-queue-one', 'weft/redis Queue', 'items/s', 'higher', ['weft', 'one']),
    anchors: [node('redis-queue.mjs', 'raw-redis-list-one', 'bare Redis list: RPUSH / BLPOP (@redis/client)', 'items/s', 'higher', ['raw', 'one'])],
    goal: '≥ 12,000 items/s',
  },
  {
    id: 'redis-queue-many',
    title: 'weft/redis Queue put → get, 1 → 1 processes, 256 calls in flight on each side',
    subject: node('redis-queue.mjs', 'weft-redis-queue-many', 'weft/redis Queue', 'items/s', 'higher', ['weft', 'many']),
    anchors: [node('redis-queue.mjs', 'raw-redis-list-many', 'bare Redis list: RPUSH / BLPOP (@redis/client)', 'items/s', 'higher', ['raw', 'many'])],
    goal: '≥ 50,000 items/s',
  },
  {
    id: 'redis-pool-one',
    title: 'weft/redis Pool: tasks one at a time through one worker process',
    subject: node('redis-pool.mjs', 'weft-redis-pool-one', 'weft/redis Pool.apply, `weft worker --processes 1`', 'tasks/s', 'higher', ['weft', 'one']),
    anchors: [node('redis-pool.mjs', 'bullmq-pool-one', 'BullMQ add + waitUntilFinished, Worker concurrency 1', 'tasks/s', 'higher', ['bullmq', 'one'])],
    goal: '≥ 2× BullMQ',
  },
  {
    id: 'redis-pool-one-threads',
    title: 'weft/redis Pool: tasks one at a time through one worker thread (`weft worker --threads 1`)',
    subject: node('redis-pool.mjs', 'weft-redis-pool-one-threads', 'weft/redis Pool.apply, `weft worker --threads 1`', 'tasks/s', 'higher', ['weft-threads', 'one']),
    anchors: [node('redis-pool.mjs', 'bullmq-pool-one', 'BullMQ add + waitUntilFinished, Worker concurrency 1', 'tasks/s', 'higher', ['bullmq', 'one'])],
    goal: '≥ 2× BullMQ',
  },
  {
    id: 'redis-pool-map',
    title: 'weft/redis Pool.map: 200,000 items in chunks of 5000, `weft worker --processes 2`',
    subject: node('redis-pool.mjs', 'weft-redis-pool-map', 'weft/redis Pool.map', 'items/s', 'higher', ['weft', 'map']),
    anchors: [],
    goal: '≥ 50,000 items/s',
  },
  ...poolSuites,
  ...traceSuites,
];
