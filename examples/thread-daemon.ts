/**
 * The tutorial's guardian (daemon) thread: set `daemon` before start(). A
 * daemon thread would be ended with the program; this one is joined, so it
 * runs to its end first.
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
  // 3. Make it a guardian (daemon) thread — before it starts
  threadObj.daemon = true;
  // 4. Start the guardian thread
  threadObj.start();
  // 5. Wait for the sub thread before the main thread ends
  await threadObj.join();
  console.log('Main process (main thread)');
  console.log(number.value);
}
