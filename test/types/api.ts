/**
 * Compile-time checks of the public types: `npm test` typechecks this file
 * (`npm run typecheck`), so a change that breaks how users write these lines
 * fails the suite. Nothing here runs.
 */
import { Lock, RLock, SharedArray, Thread, Value, type WaitOptions } from 'weft/threading';
import { isMain, withModule } from 'weft';
import { Full, PriorityQueue, Queue, SimpleQueue } from 'weft/queue';

export function task(a: number, b: string): string {
  return `${a}${b}`;
}

export function typeChecks(): void {
  // A Value's type follows its typecode, not the initial literal.
  const count = new Value('i', 0);
  const next: number = count.add(1);
  count.value = next + 5;
  const big = new Value('q');
  const asBigint: bigint = big.value;
  big.add(1n);
  // @ts-expect-error a 64-bit Value holds bigints
  big.add(1);
  const typed = new Value<number>('d', 0.5);
  typed.update((v) => v * 2);

  const array = new SharedArray('i', [1, 2, 3]);
  array.set(0, 10);
  const first: number = array.get(0);
  const bigs = new SharedArray('Q', 4);
  const element: bigint = bigs.get(1);
  void first;
  void element;
  void asBigint;

  // Thread args are checked against the target's parameters.
  new Thread({ target: task, args: [1, 'x'] });
  // @ts-expect-error wrong argument types for the target
  new Thread({ target: task, args: ['x', 1] });
  new Thread({ target: withModule(task, import.meta.url), args: [2, 'y'] });

  const options: WaitOptions = { timeout: 10, signal: AbortSignal.timeout(5) };
  const lock: Lock | RLock = Math.random() > 0.5 ? new Lock() : new RLock();
  void lock.acquire(options);
  void isMain(import.meta);

  // Queues are typed by their items; a PriorityQueue item is [priority, value].
  const jobs = new Queue<{ id: number }>(10);
  jobs.putNowait({ id: 1 });
  // @ts-expect-error the item type is checked
  jobs.putNowait('job');
  const job: { id: number } = jobs.getSync({ timeout: 5 });
  void job;
  const ranked = new PriorityQueue<[number, string]>();
  void ranked.put([1, 'first']);
  // @ts-expect-error the priority comes first
  void ranked.put(['first', 1]);
  const simple = new SimpleQueue<string>();
  simple.put('x');
  const full = new Full<string>('kept');
  const kept: string = full.item;
  void kept;
  void (async () => {
    for await (const item of jobs) void item.id;
  });
}

export function add(a: number, b: number): number {
  return a + b;
}

export async function fetchLength(url: string): Promise<number> {
  return url.length;
}

/** Pools and executors: argument and result types flow through. */
export async function poolTypeChecks(): Promise<void> {
  const { ThreadPoolExecutor, ProcessPoolExecutor, wait, asCompleted, FIRST_COMPLETED } = await import('weft/futures');
  const { Pool, ThreadPool } = await import('weft/multiprocessing');
  const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  const future = executor.submit(add, 1, 2);
  const sum: number = await future;
  const viaResult: number = await future.result({ timeout: 1000 });
  // @ts-expect-error a wrong argument type is a compile error
  executor.submit(add, 1, 'two');
  // @ts-expect-error too few arguments
  executor.submit(add, 1);
  const length: number = await executor.submit(fetchLength, 'https://example.com');
  const { done } = await wait([future], { returnWhen: FIRST_COMPLETED });
  for (const finished of done) {
    const value: number = await finished.result();
    void value;
  }
  for await (const finished of asCompleted([future])) {
    const value: number = await finished.result();
    void value;
  }
  for await (const mapped of executor.map(add, [1, 2], [3, 4])) {
    const value: number = mapped;
    void value;
  }
  await executor.shutdown({ wait: true, cancelFutures: false });
  const processes = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 10 });
  const withTimeout: number = await processes.submitWith({ timeout: 100 }, add, 1, 2);
  await processes.shutdown();

  const pool = new Pool({ processes: 2 });
  const three: number = await pool.apply(add, [1, 2]);
  // @ts-expect-error apply's args are checked against the function
  await pool.apply(add, ['1', 2]);
  const squares: number[] = await pool.map((x: number) => x * x, [1, 2]);
  const lengths: number[] = await pool.starmap(add, [[1, 2]]);
  for await (const n of pool.imap(fetchLength, ['a', 'bb'])) {
    const value: number = n;
    void value;
  }
  const asyncResult = pool.applyAsync(add, [1, 2], { callback: (value: number) => void value });
  const later: number = await asyncResult.get();
  pool.close();
  await pool.join();
  const threads = new ThreadPool();
  await threads.terminate();
  void [sum, viaResult, length, withTimeout, three, squares, lengths, later];
}
