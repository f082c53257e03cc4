/**
 * The tutorial's ticket sale: one ticket left in data.json, nine processes
 * each check the balance and then try to buy it. With a process-scope Lock
 * around the buy, exactly one succeeds; without it (`--no-lock`), every
 * process reads the same balance before any writes it back, and the one
 * ticket is sold nine times.
 *
 *   from multiprocessing import Process, Lock   import { Barrier, Lock, Process, Value } from 'weft/multiprocessing'
 *   lock.acquire(); buy_ticket(name)            lock.acquireSync(); buyTicket(...)
 *   lock.release()                              lock.release()
 *
 * Changes from the tutorial, so that the output is the same on every run:
 * the buy's network delay is a fixed half second (not random), every
 * process checks before any buys (a Barrier), data.json lives in a temporary
 * directory, the buy lines carry no name or time (which process wins is
 * chance), and the main process prints the tally at the end.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from 'weft';
import { Barrier, Lock, Process, Value } from 'weft/multiprocessing';

const USERS = 9;

function readTickets(path: string): number {
  return (JSON.parse(readFileSync(path, 'utf8')) as { number: number }).number;
}

// Check tickets
function checkTicket(name: string, path: string): void {
  console.log(`user ${name} checks tickets, current balance: ${readTickets(path)}`);
}

// Ticket purchase
function buyTicket(path: string, sold: Value<number>): void {
  let number = readTickets(path);
  if (number > 0) {
    number -= 1;
    // Network delay of simulated ticket purchase
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    writeFileSync(path, JSON.stringify({ number }));
    sold.add(1);
    console.log('Ticket snatch succeeded!');
  } else {
    console.log('Ticket grabbing failed!');
  }
}

export function main(name: string, path: string, lock: Lock, checked: Barrier, sold: Value<number>, useLock: boolean): void {
  checkTicket(name, path);
  checked.waitSync(); // everyone has checked: now they all try to buy
  if (useLock) lock.acquireSync(); // Lock up
  try {
    buyTicket(path, sold);
  } finally {
    if (useLock) lock.release(); // Unlock
  }
}

if (isMain(import.meta)) {
  const useLock = !process.argv.includes('--no-lock');
  const dir = mkdtempSync(join(tmpdir(), 'weft-tickets-'));
  const path = join(dir, 'data.json');
  writeFileSync(path, JSON.stringify({ number: 1 }));
  console.log(`Tickets on sale: ${readTickets(path)}`);
  // Create mutex object
  const lock = new Lock();
  const checked = new Barrier(USERS);
  const sold = new Value('i', 0);
  const proList: Process[] = [];
  for (let i = 0; i < USERS; i++) {
    const proObj = new Process({ target: main, args: [`pro_obj${i + 1}`, path, lock, checked, sold, useLock] });
    proObj.start();
    proList.push(proObj);
  }
  for (const pro of proList) await pro.join();
  console.log(`Tickets sold: ${sold.value}, tickets left: ${readTickets(path)}`); // with the lock 1 and 0; without, 9 and 0
  rmSync(dir, { recursive: true, force: true });
}
