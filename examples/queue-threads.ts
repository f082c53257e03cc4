/**
 * The tutorial's queue: one thread stores records in a queue, another
 * fetches them. The tutorial runs it with processes and notes that
 * `queue.Queue` works the same way; with threads, that is weft/queue.
 *
 *   import queue                          import { Queue } from 'weft/queue'
 *   queue_obj = queue.Queue(5)            const queueObj = new Queue<number>(5)
 *   queue.put(i)                          queue.putSync(i)
 *   queue.get()                           queue.getSync()
 *
 * The queue passed to both threads is one queue in shared memory. Its size
 * is 5 here: the tutorial's `JoinableQueue(3)` holds only three records, so
 * its producer blocks on the fourth `put()` — and since the consumer starts
 * only after the producer is joined, the program waits forever (Python's
 * does too). `putNowait()` would throw `Full` there instead.
 */
import { isMain } from 'weft';
import { Queue } from 'weft/queue';
import { Thread } from 'weft/threading';

// Storing data in a queue
export function taskPut(queue: Queue<number>): void {
  const numberList = [10, 20, 30, 40];
  for (const i of numberList) {
    // putSync() stores data; when the queue is full, the thread blocks until there is room
    queue.putSync(i);
    console.log(`Storage record:${i}`);
  }
  queue.putSync(1000);
  console.log(`Storage record:${1000}`);
}

// Get data from queue
export function taskGet(queue: Queue<number>): void {
  for (let i = 0; i < 5; i++) {
    // getSync() fetches data; when the queue is empty, the thread blocks until a record arrives
    console.log(`Removed the first${i + 1}Record:${queue.getSync()}`);
  }
}

if (isMain(import.meta)) {
  // The parameter is the number of records the queue holds
  const queueObj = new Queue<number>(5);
  // Thread 1 stores data
  const thread1 = new Thread({ target: taskPut, args: [queueObj] });
  thread1.start();
  await thread1.join();
  // Thread 2 fetches data
  const thread2 = new Thread({ target: taskGet, args: [queueObj] });
  thread2.start();
  await thread2.join();
}
