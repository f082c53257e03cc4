/**
 * The tutorial's ticket sale across "machines": nine buyers, each a
 * process with its own connection to Redis (as if each ran on a machine of
 * its own), check the one ticket left, then buy it — each holding a
 * machine-scope Lock (weft/redis) around its buy. Exactly one succeeds.
 *
 *   from multiprocessing import Process, Lock   import { connect, Lock } from 'weft/redis'
 *   lock.acquire(); buy_ticket(name)            await lock.withLock(() => buyTicket(...))
 *
 * On real machines the balance would live in a shared database; here it is
 * data.json in a temporary directory, which every process can reach, as
 * in the tutorial. So that the output is the same on every run, every
 * buyer checks before any buys (they report on a Queue, the main process
 * then sets an Event), the buy's network delay is a fixed half second, and
 * the main process prints the tally. Without a Redis server it says so in
 * one line and ends: the tour goes on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from 'weft';
import { Process } from 'weft/multiprocessing';
import { connect, Event, Lock, Queue } from 'weft/redis';

const USERS = 9;
const url = process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379';

function readTickets(path: string): number {
  return (JSON.parse(readFileSync(path, 'utf8')) as { number: number }).number;
}

// Ticket purchase
async function buyTicket(path: string, sold: Queue<string>): Promise<void> {
  let number = readTickets(path);
  if (number > 0) {
    number -= 1;
    await new Promise((resolve) => setTimeout(resolve, 500)); // network delay of the simulated purchase
    writeFileSync(path, JSON.stringify({ number }));
    await sold.put('sold');
    console.log('Ticket snatch succeeded!');
  } else {
    console.log('Ticket grabbing failed!');
  }
}

/** One buyer, on its own "machine": its own connection to the namespace. */
export async function buyer(name: string, path: string, namespace: string): Promise<void> {
  await using redis = await connect({ url, namespace });
  const lock = new Lock('tickets', { redis });
  console.log(`user ${name} checks tickets, current balance: ${readTickets(path)}`);
  await new Queue<string>('checked', { redis }).put(name);
  await new Event('go', { redis }).wait(); // everyone has checked: now they all try to buy
  await lock.withLock(() => buyTicket(path, new Queue<string>('sold', { redis })));
}

/** Whether a Redis server answers at `url` (a TCP connect, 1 s at most). */
function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 6379), timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** A run starts from a clean sale: the namespace is reused, so a run leaves only these few keys in your Redis. */
async function resetSale(redis: Awaited<ReturnType<typeof connect>>): Promise<void> {
  await new Event('go', { redis }).clear();
  for (const name of ['checked', 'sold']) {
    const queue = new Queue<string>(name, { redis });
    while (!(await queue.empty())) await queue.getNowait();
  }
}

if (isMain(import.meta)) {
  if (!(await redisAnswers())) {
    console.log(`(skipped: no Redis server answers at ${url}; start one, or set WEFT_REDIS_URL)`);
    process.exit(0);
  }
  const namespace = 'weft-tour-tickets';
  const dir = mkdtempSync(join(tmpdir(), 'weft-tickets-'));
  const path = join(dir, 'data.json');
  writeFileSync(path, JSON.stringify({ number: 1 }));
  console.log(`Tickets on sale: ${readTickets(path)}`);
  const redis = await connect({ url, namespace });
  try {
    await resetSale(redis);
    const buyers: Process[] = [];
    for (let i = 0; i < USERS; i++) {
      const machine = new Process({ target: buyer, args: [`machine${i + 1}`, path, namespace] });
      machine.start();
      buyers.push(machine);
    }
    const checked = new Queue<string>('checked', { redis });
    for (let i = 0; i < USERS; i++) await checked.get();
    await new Event('go', { redis }).set();
    for (const machine of buyers) await machine.join();
    const sold = await new Queue<string>('sold', { redis }).qsize();
    console.log(`Tickets sold: ${sold}, tickets left: ${readTickets(path)}`); // 1 and 0: the Lock made each buy atomic
  } finally {
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
