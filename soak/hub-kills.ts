/**
 * Soak: processes killed at random points — SIGKILL or SIGTERM — while they
 * use process-scope queues and locks, round after round, each round with
 * fresh objects (so the hub's reference counts are churned too).
 *
 * Each round: producers put numbered items into a bounded queue `work`
 * (a put there is a round trip, so a producer knows which of its puts the
 * hub has); consumers move items from `work` to an unbounded `done`; every
 * worker takes a shared lock around a short section guarded by a word it
 * claims and clears (`guard`). The root kills a random worker at random
 * moments and starts a replacement, then lets the rest finish, shuts `work`
 * down and checks:
 *
 * - no item doubled: each item id is in `done` at most once;
 * - no item lost: every put a producer saw succeed is in `done`, except at
 *   most one per consumer killed (the item it held between its get and its
 *   put: a process killed there takes it along — nothing can do better
 *   without transactions); nothing appears that was never put;
 * - no stuck lock, no broken exclusion: the root takes the lock at the end;
 *   a worker that finds the guard claimed must have been told `ownerDied`;
 * - no hang: every process ends after the round (joined), none is left;
 * - the hub's object count does not grow from round to round.
 */
import { Lock, Process, Queue, SharedArray, Value, ShutDown, activeChildren } from '../src/multiprocessing.js';
import { hubStatistics } from '../src/testing/index.js';
import { randomBelow, type Scenario, type SoakReport } from './scenario.js';

const PRODUCERS = 3;
const CONSUMERS = 3;
const ITEMS_PER_PRODUCER = 400;
/** Producer slots: the first PRODUCERS, then one per replacement. */
const MAX_PRODUCER_SLOTS = 64;
const MAX_CONSUMER_SLOTS = 64;
const ITEM_BASE = 1_000_000;

interface Shared {
  readonly work: Queue<number>;
  readonly done: Queue<number>;
  readonly lock: Lock;
  /** 0, or the pid of the worker inside the guarded section. */
  readonly guard: Value<number>;
  /** Exclusion violations seen by workers. */
  readonly violations: Value<number>;
  /** Sections entered after a dead holder (ownerDied). */
  readonly inherited: Value<number>;
  /** Per producer slot: the last sequence number whose put returned. */
  readonly confirmed: SharedArray<number>;
}

/** The guarded section: claim the word, touch it, clear it. Killed inside, the claim stays for the next owner to find. */
function guarded(shared: Shared): void {
  shared.lock.withLockSync(() => {
    const found = shared.guard.value;
    if (found !== 0) {
      if (shared.lock.ownerDied) shared.inherited.add(1);
      else shared.violations.add(1);
    }
    shared.guard.value = process.pid;
    shared.guard.value = 0;
  });
}

/** Puts items `slot * ITEM_BASE + 1…` into `work`, recording each one the hub took. */
export function producer(shared: Shared, slot: number, from: number, to: number): void {
  for (let seq = from; seq <= to; seq++) {
    shared.work.putSync(slot * ITEM_BASE + seq);
    shared.confirmed.set(slot, seq);
    if (seq % 4 === 0) guarded(shared);
  }
}

/** Holds the lock most of the time (so a kill often lands inside it), until `stop` is set. */
export async function holder(shared: Shared, stop: Value<number>, entries: Value<number>): Promise<void> {
  while (stop.value === 0) {
    await shared.lock.withLock(async () => {
      entries.add(1);
      const found = shared.guard.value;
      if (found !== 0) {
        if (shared.lock.ownerDied) shared.inherited.add(1);
        else shared.violations.add(1);
      }
      shared.guard.value = process.pid;
      for (let i = 0; i < 8; i++) await shared.guard.compareExchange(-1, -1); // a few round trips inside
      shared.guard.value = 0;
    });
  }
}

/** Moves items from `work` to `done` until `work` is shut down. */
export async function consumer(shared: Shared): Promise<void> {
  for (let n = 1; ; n++) {
    let item: number;
    try {
      item = await shared.work.get();
    } catch (error) {
      if (error instanceof ShutDown) return;
      throw error;
    }
    shared.done.putSync(item);
    if (n % 4 === 0) guarded(shared);
  }
}

interface Worker {
  readonly process: Process;
  readonly role: 'producer' | 'consumer' | 'holder';
}

async function round(counts: Record<string, number>, failures: string[], deadline: number): Promise<void> {
  const shared: Shared = {
    work: new Queue<number>(32),
    done: new Queue<number>(),
    lock: new Lock(),
    guard: new Value('i', 0, { lock: false }),
    violations: new Value('i', 0, { lock: false }),
    inherited: new Value('i', 0, { lock: false }),
    confirmed: new SharedArray('i', MAX_PRODUCER_SLOTS),
  };
  const workers: Worker[] = [];
  let producerSlots = 0;
  let consumerCount = 0;
  let consumersKilled = 0;
  /** Per producer slot: the range it was asked to put. */
  const ranges: [from: number, to: number][] = [];
  const startProducer = (from: number, to: number): void => {
    const slot = producerSlots++;
    ranges[slot] = [from, to];
    const p = new Process({ target: producer, args: [shared, slot, from, to] });
    p.start();
    workers.push({ process: p, role: 'producer' });
  };
  const startConsumer = (): void => {
    consumerCount++;
    const p = new Process({ target: consumer, args: [shared] });
    p.start();
    workers.push({ process: p, role: 'consumer' });
  };
  const stop = new Value('i', 0, { lock: false });
  const entries = new Value('i', 0, { lock: false });
  const startHolder = (): void => {
    const p = new Process({ target: holder, args: [shared, stop, entries] });
    p.start();
    workers.push({ process: p, role: 'holder' });
  };
  for (let i = 0; i < PRODUCERS; i++) startProducer(1, ITEMS_PER_PRODUCER);
  for (let i = 0; i < CONSUMERS; i++) startConsumer();
  startHolder();
  startHolder();

  // Kill a random live worker every so often, and replace it.
  const kills = 1 + randomBelow(4);
  for (let k = 0; k < kills && performance.now() < deadline; k++) {
    await new Promise((resolve) => setTimeout(resolve, 20 + randomBelow(400)));
    const live = workers.filter((w) => w.process.isAlive());
    if (live.length === 0) break;
    // A holder half of the time: it is inside the lock most of its life.
    const holders = live.filter((w) => w.role === 'holder');
    const victim = holders.length > 0 && Math.random() < 0.5 ? holders[randomBelow(holders.length)] : live[randomBelow(live.length)];
    if (victim.role === 'holder') {
      // Kill it once holders are at work (not while it boots), most likely inside the lock.
      const seen = entries.value;
      while (entries.value < seen + 2 && victim.process.isAlive() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (Math.random() < 0.5) {
      victim.process.kill();
      counts.sigkill++;
    } else {
      victim.process.terminate();
      counts.sigterm++;
    }
    await victim.process.join();
    if (victim.role === 'holder') {
      counts.holdersKilled++;
      startHolder();
    } else if (victim.role === 'consumer') {
      consumersKilled++;
      if (producerSlots + consumerCount < MAX_CONSUMER_SLOTS) startConsumer();
    } else {
      // The replacement goes on from what its predecessor had confirmed, under a slot of its own.
      const slot = workers.filter((w) => w.role === 'producer').indexOf(victim);
      const [, to] = ranges[slot];
      const next = shared.confirmed.get(slot) + 2; // +1 may or may not have gone in: skip it
      if (next <= to && producerSlots < MAX_PRODUCER_SLOTS) startProducer(next, to);
    }
  }

  // Producers finish; then the queue is shut down once drained, and consumers end.
  for (const w of workers) if (w.role === 'producer') await w.process.join();
  shared.work.shutdown();
  stop.value = 1;
  for (const w of workers) {
    if (!(await w.process.join({ timeout: 120_000 }))) {
      failures.push(`${w.role} ${w.process.name} did not end`);
      w.process.kill();
      await w.process.join();
    }
    if (w.process.exitcode !== 0 && w.process.exitcode !== -9 && w.process.exitcode !== -15 && w.process.exitcode !== 143) {
      failures.push(`${w.role} ${w.process.name} ended with ${w.process.exitcode}: ${w.process.error?.message}`);
    }
  }

  // The checks.
  const seen = new Map<number, number>();
  for (;;) {
    let item: number;
    try {
      item = shared.done.getNowait();
    } catch {
      break;
    }
    seen.set(item, (seen.get(item) ?? 0) + 1);
  }
  counts.items += seen.size;
  for (const [item, times] of seen) if (times > 1) failures.push(`item ${item} delivered ${times} times`);
  let missing = 0;
  for (let slot = 0; slot < producerSlots; slot++) {
    const [from, to] = ranges[slot];
    const confirmed = shared.confirmed.get(slot);
    for (let seq = from; seq <= to; seq++) {
      const item = slot * ITEM_BASE + seq;
      if (seq <= confirmed && !seen.has(item)) missing++;
      if (seq > confirmed + 1 && seen.has(item)) failures.push(`item ${item} delivered but never put (producer confirmed ${confirmed})`);
      seen.delete(item);
    }
  }
  for (const item of seen.keys()) failures.push(`item ${item} delivered, from no producer`);
  if (missing > consumersKilled) failures.push(`${missing} confirmed items lost, with ${consumersKilled} consumer(s) killed (at most one each may go)`);
  counts.itemsTakenByKilledConsumers += missing;
  if (shared.violations.value > 0) failures.push(`${shared.violations.value} exclusion violation(s): the guard was claimed while its holder lived`);
  counts.lockInherited += shared.inherited.value;
  if (!(await shared.lock.acquire({ timeout: 60_000 }))) failures.push('the lock is stuck: not free a minute after every worker ended');
  else shared.lock.release();
  const left = activeChildren();
  if (left.length > 0) failures.push(`${left.length} child process(es) still active after the round`);
  counts.processes += workers.length;
}

export const scenario: Scenario = {
  name: 'hub-kills',
  description: 'processes SIGKILLed/terminated at random while using process-scope queues and locks: checksums, exclusion, no stuck lock, no hang, no leftover',
  async run(deadline: number): Promise<SoakReport> {
    const counts: Record<string, number> = { processes: 0, sigkill: 0, sigterm: 0, holdersKilled: 0, items: 0, itemsTakenByKilledConsumers: 0, lockInherited: 0, hubObjectsAfterFirstRound: 0, hubObjectsAtEnd: 0 };
    const failures: string[] = [];
    let rounds = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    while (performance.now() < deadline) {
      await round(counts, failures, deadline);
      rounds++;
      gc?.();
      await new Promise((resolve) => setImmediate(resolve));
      const objects = (await hubStatistics()).objects;
      if (rounds === 1) counts.hubObjectsAfterFirstRound = objects;
      counts.hubObjectsAtEnd = objects;
    }
    return { rounds, counts, failures };
  },
};
