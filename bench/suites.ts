/**
 * What `npm run bench` measures: each suite sets one weft measurement beside
 * the anchors it must be judged against, measured in the same run.
 */
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
  {
    id: 'mp-lock-contended',
    title: 'Process-scope Lock hand-off: 2 processes, acquireSync() + release() in a loop',
    subject: node('mp-lock.mjs', 'weft-mp-lock-contended', 'weft multiprocessing Lock, 2 processes', 'ops/s', 'higher', ['contended']),
    anchors: [
      node('unix-socket-pingpong.mjs', 'unix-socket-pingpong', 'raw Unix-socket round trip between 2 processes', 'round trips/s', 'higher'),
      { id: 'python-mp-lock-contended', title: 'Python multiprocessing.Lock, 2 processes (no hand-off: a semaphore)', command: ['python3', 'cases/python_mp_lock.py', 'contended'], unit: 'ops/s', better: 'higher' },
    ],
    goal: 'each hand-off within a few socket round trips (it crosses the hub: release in, grant out)',
  },
  {
    id: 'mp-lock-uncontended',
    title: 'Process-scope Lock, uncontended acquireSync() + release()',
    subject: node('mp-lock.mjs', 'weft-mp-lock-uncontended', 'weft multiprocessing Lock acquireSync+release', 'ops/s', 'higher', ['uncontended']),
    anchors: [
      { id: 'python-mp-lock', title: 'Python multiprocessing.Lock acquire+release', command: ['python3', 'cases/python_mp_lock.py', 'uncontended'], unit: 'ops/s', better: 'higher' },
    ],
    goal: 'one hub round trip per acquire (a cached grant would remove it)',
  },
  queueStream('ints', 1, 1, "≥ 10× the MessagePort stream, and ahead of Python's queue.Queue"),
  queueStream('objects', 1, 1, "≥ 5× the MessagePort stream, and ahead of Python's queue.Queue"),
  queueStream('ints', 2, 2, "ahead of Python's queue.Queue"),
  queueStream('objects', 2, 2, "ahead of Python's queue.Queue"),
  {
    id: 'mp-queue-ints-1→1',
    title: 'multiprocessing Queue: 200,000 small integers, 1 producer process → 1 consumer process',
    subject: node('mp-queue-stream.mjs', 'weft-mp-queue-ints-1→1', 'weft multiprocessing Queue, 1→1 processes', 'items/s', 'higher', ['200000']),
    anchors: [
      pythonQueue(['process', 'ints', '1', '1', '200000'], 'python-mp-queue-ints-1→1-200k', 'Python multiprocessing.Queue, processes'),
      node('ipc-stream.mjs', 'node-ipc-ints-1→1', 'raw Node IPC process.send, child → parent', 'items/s', 'higher', ['200000']),
    ],
    goal: "≥ 3× Python's multiprocessing.Queue",
  },
  {
    id: 'queue-objects-1→1-warm',
    title: 'Queue: 200,000 small objects, 1→1 threads, after an untimed first pass (compiled code)',
    subject: node('queue-stream.mjs', 'weft-queue-objects-warm', 'weft Queue, 1→1 threads, warm', 'items/s', 'higher', ['objects', '1', '1', 'warm']),
    anchors: [node('message-port-stream.mjs', 'message-port-objects-warm', 'raw MessagePort stream, warm', 'items/s', 'higher', ['objects', '1', 'warm'])],
    goal: 'not a goal of its own: shows what the short run spends compiling',
  },
];
