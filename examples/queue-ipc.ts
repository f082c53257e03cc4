/**
 * The tutorial's queue between processes (IPC): a producer process stores
 * five records in a `JoinableQueue(3)`, a consumer process fetches them.
 *
 *   from multiprocessing import JoinableQueue, Process
 *   queue_obj = JoinableQueue(3)          const queueObj = new JoinableQueue<number>(3)
 *   queue.put(i)                          queue.putSync(i)
 *   queue.get()                           queue.getSync()
 *
 * The queue holds three records, so the producer's fourth `put()` blocks
 * until a record is taken. The tutorial starts the consumer only after
 * joining the producer — which never ends, blocked on that put: Python's
 * program waits forever. This port shows the blocking instead: before its
 * fourth put the producer finds the queue `full()` (no consumer has started
 * yet, so that is certain, however slow the machine), says so and blocks; the main process starts the consumer once it hears
 * (an Event), and the producer's put returns as soon as the consumer has
 * made room. The two processes then print side by side, in an order that
 * varies from run to run.
 */
import { isMain } from 'weft';
import { Event, JoinableQueue, Process } from 'weft/multiprocessing';

// Storing data in a queue
export function taskPut(queue: JoinableQueue<number>, blocked: Event): void {
  for (const i of [10, 20, 30, 40, 1000]) {
    // The queue holds 3 records: put() blocks until a consumer takes one.
    // Before the consumer starts (it waits for `blocked`), full() is exact.
    if (!blocked.isSet() && queue.full()) {
      console.log(`Queue full (${queue.maxsize} records): storing ${i} blocks until a record is removed`);
      blocked.set();
    }
    queue.putSync(i);
    console.log(`Storage record:${i}`);
  }
}

// Get data from queue
export function taskGet(queue: JoinableQueue<number>): void {
  for (let i = 0; i < 5; i++) {
    // getSync() fetches data; when the queue is empty, the process blocks until a record arrives
    console.log(`Removed the first${i + 1}Record:${queue.getSync()}`);
    queue.taskDone();
  }
}

if (isMain(import.meta)) {
  // The parameter is the number of records the queue holds
  const queueObj = new JoinableQueue<number>(3);
  const blocked = new Event();
  // Process 1 stores data
  const proObj1 = new Process({ target: taskPut, args: [queueObj, blocked] });
  proObj1.start();
  // The tutorial joins process 1 here, and waits forever: it is blocked on a full queue
  await blocked.wait();
  // Process 2 fetches data, making room for process 1
  const proObj2 = new Process({ target: taskGet, args: [queueObj] });
  proObj2.start();
  await proObj1.join();
  await proObj2.join();
  await queueObj.join();
  console.log('Every record stored was removed and marked done');
}
