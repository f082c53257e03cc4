/**
 * `JoinableQueue`: a process-scope `Queue` that counts unfinished work —
 * Python's `multiprocessing.JoinableQueue`. Every put adds one task; a
 * consumer calls `taskDone()` when it has processed an item it got, and
 * `join()` waits until every task is done, in any process.
 *
 * How it differs from the thread-scope `Queue`'s `taskDone`/`join`: the
 * count lives in the hub. A `taskDone()` for an item this wrapper got is
 * sent one-way (it cannot be one too many, and `join()` cannot return
 * before the hub has it); one with no such item is a round trip, so that
 * one too many throws `ERR_TASK_DONE_TOO_MANY` in the caller. Not checked:
 * if other callers already marked every task done, a one-way `taskDone`
 * for an item got earlier is dropped instead of throwing. In a child, the
 * one-way `taskDone`s are counted in shared memory (the thread's put ring)
 * and flushed to the hub by the process's link, with its puts, a batch per
 * message; the process's exit flushes them before its parent's `join()` of
 * it returns. A process killed (SIGKILL) before its link sent them leaves
 * those tasks unfinished, as a worker killed before its `task_done()` does
 * in Python: `join()` never returns early. From Python's: `join` takes
 * a timeout (gh-104448) and an AbortSignal, and a consumer killed between
 * `get` and `taskDone` leaves its task unfinished, as in Python — `join`
 * with a timeout is the way out.
 *
 * @example
 * ```ts
 * const jobs = new JoinableQueue<string>();
 * // worker process:  for await (const job of jobs) { handle(job); jobs.taskDone(); }
 * for (const job of ['a', 'b']) await jobs.put(job);
 * await jobs.join(); // every job handled
 * ```
 */
import { hubCall, hubCallSync } from '../backends/hub/client.js';
import { TIMED_OUT } from '../backends/hub/call.js';
import { kHandle, registerHandleKind, type Handle } from '../codec/handles.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { Queue, attachQueue, type QueueHandleData } from './queue.js';
import { taskDoneRemote } from './queue-operations.js';
import { hubHandle } from '../backends/hub/hub-object.js';

/**
 * A process-scope `Queue` that counts unfinished work: Python's
 * `multiprocessing.JoinableQueue`. `join()` waits until `taskDone()` has
 * been called for every item put, in any process.
 *
 * @example
 * ```ts
 * const jobs = new JoinableQueue<string>();
 * // worker process:  for await (const job of jobs) { handle(job); jobs.taskDone(); }
 * for (const job of ['a', 'b']) await jobs.put(job);
 * await jobs.join(); // every job handled
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /**
   * Marks one item got earlier as processed (Python's `task_done`). When
   * every item put has been marked, `join()` returns. `ERR_TASK_DONE_TOO_MANY`
   * if called more times than items were put.
   */
  taskDone(): void {
    taskDoneRemote(this.ref);
  }

  /** Waits until every item put has been marked done. Resolves false if `timeout` ms pass first. */
  async join(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    return (await hubCall(this.ref.id, 'join', [], { timeout, signal })) !== TIMED_OUT;
  }

  /** As `join`, blocking the calling thread. */
  joinSync(options?: SyncWaitOptions): boolean {
    const { timeout } = checkSyncWaitOptions(options);
    return hubCallSync(this.ref.id, 'join', [], timeout) !== TIMED_OUT;
  }

  override [kHandle](): Handle {
    const data: QueueHandleData = { id: this.ref.id, maxsize: this.ref.maxsize };
    return hubHandle('multiprocessing.JoinableQueue', data);
  }
}

registerHandleKind<QueueHandleData>('multiprocessing.JoinableQueue', (data) => attachQueue(JoinableQueue, data));
