/**
 * The tutorial's second thread: subclass Thread and override run().
 *
 * The subclass is exported so the new thread can find it; its own fields
 * (here, the shared `number`) are copied into the thread, and weft objects
 * among them are shared, not copied.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMain } from 'weft';
import { Thread, Value } from 'weft/threading';

// 2. Inherit Thread class
export class MyThread extends Thread {
  constructor(readonly number: Value<number>) {
    super();
  }

  override async run(): Promise<void> {
    this.number.value = 200;
    console.log('Sub thread start');
    await sleep(1000);
    console.log('Sub thread end');
  }
}

if (isMain(import.meta)) {
  const number = new Value('i', 1000);
  // Create a child thread object
  const t = new MyThread(number);
  // Open child thread
  t.start();
  await t.join();
  console.log('Main process (main thread)');
  console.log(number.value); // Output: 200
}
