/**
 * The tutorial's first thread: a function run in a sub-thread.
 *
 * Python shares module globals between threads; weft threads each have their
 * own copy of every module, so the shared `number` is a `Value` handed to the
 * thread. Everything else is line for line.
 *
 *   from threading import Thread          import { Thread, Value } from 'weft/threading'
 *   number = 1000                         const number = new Value('i', 1000)
 *   def task(): ...                       export async function task(number) { ... }
 *   if __name__ == '__main__':            if (isMain(import.meta)) {
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Thread, Value } from 'weft/threading';

export async function task(number: Value<number>): Promise<void> {
  number.value = 200;
  console.log('Sub thread start');
  await sleep(1000);
  console.log('Sub thread end');
}

if (isMain(import.meta)) {
  const number = new Value('i', 1000);
  // 2. Create a sub thread object
  const threadObj = new Thread({ target: task, args: [number] });
  // 3. Start sub thread
  threadObj.start();
  // 4. Wait for the sub thread to end, then the main thread can end
  await threadObj.join();
  console.log('Main process (main thread)');
  console.log(number.value); // Output: 200
}
