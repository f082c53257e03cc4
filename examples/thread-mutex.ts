/**
 * The tutorial's thread mutex: ten threads each read a shared number, wait a
 * second, and write it back minus one. With the lock the read-wait-write is
 * atomic and the result is 90; without it (`--no-lock`) every thread reads
 * 100 before any writes, and the result is 99.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Lock, Thread, Value } from 'weft/threading';

// Thread task
export async function task(lock: Lock, number: Value<number>, useLock: boolean): Promise<void> {
  // Lock up
  if (useLock) await lock.acquire();
  // Modified value
  const number2 = number.value;
  await sleep(1000);
  number.value = number2 - 1;
  // Unlock
  if (useLock) lock.release();
}

if (isMain(import.meta)) {
  const useLock = !process.argv.includes('--no-lock');
  // Create thread mutex object
  const lock = new Lock();
  // Records to modify
  const number = new Value('i', 100);
  // Create 10 threads
  const list1: Thread[] = [];
  for (let line = 0; line < 10; line++) {
    const t = new Thread({ target: task, args: [lock, number, useLock] });
    t.start();
    list1.push(t);
  }
  // The main thread can only end after the child threads end
  for (const t of list1) await t.join();
  console.log(number.value); // With mutex, output: 90; without mutex, output: 99
}
