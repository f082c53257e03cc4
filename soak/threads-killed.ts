/**
 * Soak scenario, thread part of issue 12: threads terminated at random
 * points while they use thread-scope Locks, Queues and Semaphores.
 *
 * Each round starts, on one Queue (unbounded or bounded, by turns), a Lock
 * guarding a counter, and a Semaphore:
 *
 * - producers (killable) that put numbered items — producer p's k-th item is
 *   `p * STRIDE + k` — recording after each put how many returned, and take
 *   the Lock every few items to add 1 to the counter;
 * - lock workers (killable) that take the Lock, check nobody else is inside
 *   (a flag word), add 1 to the counter, and release it;
 * - semaphore workers (killable) that acquire and release the Semaphore;
 * - two consumers (never killed: an item a consumer dies holding is lost by
 *   design, as in Python) that get items until a stop mark.
 *
 * Meanwhile the main thread terminates killable threads at random moments
 * (through `Thread[kTerminate]`, weft's own termination, as pools and ending
 * threads do) and starts replacements. At the end of the round the
 * survivors are stopped and everything is checked:
 *
 * - no hang: every join, the final Lock and Semaphore acquires and the
 *   round itself finish within their timeouts;
 * - no item doubled: every item arrives at most once;
 * - no item lost: every put that returned is delivered; of a killed
 *   producer only its one put in flight may be missing;
 * - FIFO: each consumer sees each producer's items in order;
 * - no stuck lock: the Lock is free (acquired at once) with no ownerDied
 *   unless a holder was killed inside; mutual exclusion was never broken;
 *   the counter is within [recorded, recorded + kills];
 * - the Semaphore still hands out its permits (one was kept spare for each
 *   worker that could die holding one).
 *
 * `run(deadlineMs)`: runs rounds until `deadlineMs` (an epoch time in ms,
 * or, if smaller than a year's worth of ms, a duration from now). Standalone:
 * `tsx soak/threads-killed.ts 60000`.
 */
import { Lock, Semaphore, SharedArray, Thread, Event } from '../src/threading.js';
import { Queue } from '../src/queue.js';
import { isMain } from '../src/index.js';
import { kTerminate } from '../src/runner/thread.js';
import type { Scenario, SoakReport } from './scenario.js';

export interface ScenarioResult {
  ran: string;
  ok: boolean;
  details: string;
}

// Producer p's k-th item is p * STRIDE + k: room for more items than any producer puts (they run while others start, too).
const STRIDE = 1_000_000_000;
const STOP = -1;
const CONSUMERS = 2;
const PRODUCERS = 3;
const LOCKERS = 2;
const SEMAPHORERS = 2;
const ROUND_MS = 4000;
const JOIN = { timeout: 30_000 };
/** `ready` holds, for thread slot s, its ready mark at s and its recorded lock additions at s + RECORDED. */
const RECORDED = 1024;

// ---- thread targets (exported: threads import this module) ---------------------

/** Puts this producer's items until `stop` is set; `done[slot]` counts the puts that returned. */
export function produce(queue: Queue<number>, id: number, done: SharedArray<number>, slot: number, lock: Lock, counter: SharedArray<number>, stop: Event, ready: SharedArray<number>, readySlot: number): void {
  ready.set(readySlot, 1);
  for (let k = 0; !stop.isSet(); k++) {
    queue.putSync(id * STRIDE + k);
    done.set(slot, k + 1);
    if (k % 8 === 7) addUnderLock(lock, counter, ready, readySlot);
  }
}

/**
 * Takes the lock, checks exclusion, adds 1 to the counter. counter: [value,
 * inside, violations, inherited]. Each thread counts its own additions, after
 * the release, in `ready[slot + RECORDED]` (its own word: no race), so the
 * recorded total is at most the counter, and short of it by at most one per
 * thread killed between its addition and its record.
 */
function addUnderLock(lock: Lock, counter: SharedArray<number>, ready: SharedArray<number>, readySlot: number): void {
  lock.acquireSync();
  try {
    // A holder killed inside left `inside` set: the next owner is told.
    if (lock.ownerDied) {
      counter.set(3, counter.get(3) + 1);
      counter.set(1, 0);
    }
    if (counter.get(1) !== 0) counter.set(2, counter.get(2) + 1);
    counter.set(1, 1);
    counter.set(0, counter.get(0) + 1);
    counter.set(1, 0);
  } finally {
    lock.release();
  }
  ready.set(readySlot + RECORDED, ready.get(readySlot + RECORDED) + 1);
}

export async function lockLoop(lock: Lock, counter: SharedArray<number>, stop: Event, ready: SharedArray<number>, readySlot: number): Promise<void> {
  ready.set(readySlot, 1);
  for (let i = 0; !stop.isSet(); i++) {
    if (i % 2 === 0) {
      addUnderLock(lock, counter, ready, readySlot);
    } else {
      await lock.acquire();
      try {
        if (lock.ownerDied) {
          counter.set(3, counter.get(3) + 1);
          counter.set(1, 0);
        }
        if (counter.get(1) !== 0) counter.set(2, counter.get(2) + 1);
        counter.set(1, 1);
        counter.set(0, counter.get(0) + 1);
        counter.set(1, 0);
      } finally {
        lock.release();
      }
      ready.set(readySlot + RECORDED, ready.get(readySlot + RECORDED) + 1);
    }
  }
}

export async function semaphoreLoop(semaphore: Semaphore, stop: Event, ready: SharedArray<number>, readySlot: number): Promise<void> {
  ready.set(readySlot, 1);
  for (let i = 0; !stop.isSet(); i++) {
    if (i % 2 === 0) semaphore.acquireSync();
    else await semaphore.acquire();
    semaphore.release();
  }
}

/** Gets items until the stop mark; then reports what it got, in order, on `results`. */
export async function consume(queue: Queue<number>, results: Queue<number[]>): Promise<void> {
  const got: number[] = [];
  for (;;) {
    // Async: under tsx a thread blocked in a …Sync wait holds up the module
    // loading of threads started after it (seen on Node 20), and this
    // scenario starts threads all the time.
    const item = await queue.get();
    if (item === STOP) break;
    got.push(item);
  }
  await results.put(got);
}

// ---- the round -------------------------------------------------------------------

interface Killable {
  thread: Thread;
  kind: 'producer' | 'locker' | 'semaphorer';
  /** For a producer: its id and its slot in `done`. */
  id?: number;
  slot?: number;
  /** Its slot in `ready`, set once it runs: only running threads are killed. */
  readySlot: number;
}

interface RoundStats {
  kills: number;
  items: number;
  counter: number;
  inherited: number;
}

const random = (n: number): number => Math.floor(Math.random() * n);

async function round(index: number): Promise<RoundStats> {
  const bounded = index % 2 === 1;
  const queue = new Queue<number>(bounded ? 64 : 0);
  const results = new Queue<number[]>();
  const lock = new Lock();
  const counter = new SharedArray('i', 4);
  const semaphore = new Semaphore(1);
  const stop = new Event();
  const done = new SharedArray('i', 256);
  const ready = new SharedArray('i', 2 * RECORDED);
  let nextReady = 0;
  let nextId = 1;
  let nextSlot = 0;
  let semaphoreWorkers = 0;
  const producers: { id: number; slot: number; killed: boolean }[] = [];

  const consumers = Array.from({ length: CONSUMERS }, () => startThread(consume, [queue, results]));
  const live: Killable[] = [];
  const startKillable = (kind: Killable['kind']): void => {
    if (nextReady === RECORDED) return;
    const readySlot = nextReady++;
    if (kind === 'producer') {
      if (nextSlot === done.length) return;
      const id = nextId++;
      const slot = nextSlot++;
      producers.push({ id, slot, killed: false });
      live.push({ kind, id, slot, readySlot, thread: startThread(produce, [queue, id, done, slot, lock, counter, stop, ready, readySlot]) });
    } else if (kind === 'locker') {
      live.push({ kind, readySlot, thread: startThread(lockLoop, [lock, counter, stop, ready, readySlot]) });
    } else {
      // One spare permit for every worker that may die holding one (a semaphore has no owner).
      semaphoreWorkers += 1;
      semaphore.release();
      live.push({ kind, readySlot, thread: startThread(semaphoreLoop, [semaphore, stop, ready, readySlot]) });
    }
  };
  for (let i = 0; i < PRODUCERS; i++) startKillable('producer');
  for (let i = 0; i < LOCKERS; i++) startKillable('locker');
  for (let i = 0; i < SEMAPHORERS; i++) startKillable('semaphorer');

  // Threads take a while to start on a loaded machine (under tsx, each
  // compiles its modules): the round's clock starts once the first ones run.
  const startBy = performance.now() + 60_000;
  while (live.some((k) => ready.get(k.readySlot) === 0)) {
    if (performance.now() > startBy) throw new Error(`round ${index}: the threads did not start within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  let kills = 0;
  const end = performance.now() + ROUND_MS;
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 5 + random(40)));
    // Only threads that are running their loop: a kill while a thread still
    // starts tests little, and starting is what this machine is slowest at.
    const running = live.filter((k) => ready.get(k.readySlot) === 1);
    if (running.length === 0) continue;
    const victim = running[random(running.length)];
    live.splice(live.indexOf(victim), 1);
    await withTimeout(victim.thread[kTerminate](), 30_000, `terminating a ${victim.kind}`);
    kills += 1;
    if (victim.kind === 'producer') producers.find((p) => p.id === victim.id)!.killed = true;
    startKillable(victim.kind);
  }

  if (process.env.SOAK_DEBUG) console.log('round', index, 'ready', ready.toArray().slice(0, nextReady), 'done', done.toArray().slice(0, nextSlot), 'live', live.length);
  stop.set();
  for (const k of live) {
    if (!(await k.thread.join(JOIN))) throw new Error(`round ${index}: a ${k.kind} did not stop (hang)`);
    if (k.thread.error !== undefined) throw new Error(`round ${index}: a ${k.kind} threw: ${k.thread.error.stack}`);
  }
  for (let i = 0; i < CONSUMERS; i++) await queue.put(STOP, { timeout: 30_000 });
  const received: number[][] = [];
  for (let i = 0; i < CONSUMERS; i++) received.push(await results.get({ timeout: 30_000 }));
  for (const c of consumers) {
    if (!(await c.join(JOIN))) throw new Error(`round ${index}: a consumer did not end (hang)`);
  }

  // Items: none doubled, none lost, each producer's in order per consumer.
  const seen = new Map<number, number>();
  for (const got of received) {
    const last = new Map<number, number>();
    for (const item of got) {
      if (seen.has(item)) throw new Error(`round ${index}: item ${item} delivered twice`);
      seen.set(item, 1);
      const id = Math.floor(item / STRIDE);
      const k = item % STRIDE;
      if ((last.get(id) ?? -1) >= k) throw new Error(`round ${index}: producer ${id}'s items out of order (${k} after ${last.get(id)})`);
      last.set(id, k);
    }
  }
  let items = 0;
  for (const p of producers) {
    const returned = done.get(p.slot);
    for (let k = 0; k < returned; k++) {
      if (!seen.has(p.id * STRIDE + k)) throw new Error(`round ${index}: item ${k} of producer ${p.id} lost (its put returned; ${p.killed ? 'killed' : 'stopped'} after ${returned} puts)`);
    }
    // A killed producer's one put in flight may have landed; nothing after it can have.
    const extra = seen.has(p.id * STRIDE + returned) ? 1 : 0;
    if (extra === 1 && !p.killed) throw new Error(`round ${index}: producer ${p.id} delivered an item its loop never recorded`);
    for (const item of seen.keys()) {
      if (Math.floor(item / STRIDE) === p.id && item % STRIDE > returned) throw new Error(`round ${index}: producer ${p.id} delivered item ${item % STRIDE} past its ${returned} puts`);
    }
    items += returned + extra;
  }
  if (items !== seen.size) throw new Error(`round ${index}: ${seen.size} items delivered, ${items} accounted for`);
  if (queue.qsize() !== 0) throw new Error(`round ${index}: ${queue.qsize()} items left in the queue`);

  // The lock: free, exclusion held, the counter consistent with what was recorded.
  if (!lock.acquireSync({ timeout: 10_000 })) throw new Error(`round ${index}: the lock is stuck`);
  lock.release();
  const [value, inside, violations, inherited] = counter.toArray();
  const recorded = ready.toArray().slice(RECORDED).reduce((a, b) => a + b, 0);
  if (violations !== 0) throw new Error(`round ${index}: mutual exclusion broken ${violations} times`);
  if (inside !== 0 && inherited === 0 && kills === 0) throw new Error(`round ${index}: the lock's inside flag was left set`);
  if (value < recorded || value > recorded + kills) throw new Error(`round ${index}: counter ${value}, recorded ${recorded}, kills ${kills}`);

  // The semaphore: its first permit plus the spares, less at most one per worker killed holding one.
  if (!semaphore.acquireSync({ timeout: 10_000 })) throw new Error(`round ${index}: the semaphore is stuck (${semaphoreWorkers} workers)`);
  return { kills, items: seen.size, counter: value, inherited };
}

function startThread<A extends unknown[]>(target: (...args: A) => unknown, args: A): Thread {
  const thread = new Thread<A>({ target, args });
  thread.start();
  return thread as unknown as Thread;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms} ms (hang)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What ran, as one line and its details (the standalone run prints these). */
async function soakUntil(deadline: number): Promise<ScenarioResult & { rounds: number; counts: Record<string, number> }> {
  const started = performance.now();
  let rounds = 0;
  const counts = { kills: 0, items: 0, lockSections: 0, inherited: 0 };
  const seconds = (): string => ((performance.now() - started) / 1000).toFixed(0);
  try {
    while (performance.now() + ROUND_MS < deadline || rounds === 0) {
      const stats = await withTimeout(round(rounds), 120_000, `round ${rounds}`);
      rounds += 1;
      counts.kills += stats.kills;
      counts.items += stats.items;
      counts.lockSections += stats.counter;
      counts.inherited += stats.inherited;
    }
  } catch (error) {
    return { rounds, counts, ran: `${rounds} rounds in ${seconds()} s before the failure`, ok: false, details: (error as Error).stack ?? String(error) };
  }
  return {
    rounds,
    counts,
    ran: `${rounds} rounds in ${seconds()} s`,
    ok: true,
    details: `${counts.kills} threads terminated at random points; ${counts.items} items delivered exactly once, in order; ${counts.lockSections} lock sections, ${counts.inherited} inherited from a killed holder, exclusion never broken; no hang, no stuck lock or semaphore`,
  };
}

export const scenario: Scenario = {
  name: 'threads-killed',
  description: 'threads terminated at random points while using thread-scope Locks, Queues and Semaphores: no hang, no item lost or doubled, FIFO per producer, no stuck lock',
  async run(deadline: number): Promise<SoakReport> {
    const result = await soakUntil(deadline);
    return { rounds: result.rounds, counts: result.counts, failures: result.ok ? [] : [result.details] };
  },
};

if (isMain(import.meta)) {
  const ms = Number(process.argv[2] ?? 60_000);
  const result = await soakUntil(performance.now() + ms);
  console.log(`${result.ok ? 'ok' : 'FAILED'} ${scenario.name}: ${result.ran}\n${result.details}`);
  process.exitCode = result.ok ? 0 : 1;
}
