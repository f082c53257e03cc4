/**
 * `trace`: record what a program's threads and processes do, for Perfetto
 * (ui.perfetto.dev), chrome://tracing, or `weft timeline`.
 *
 * Setting `WEFT_TRACE=run.json` in the environment of the root process
 * traces the whole run and writes the file when the root exits;
 * `trace.start()` / `trace.stop()` trace part of one. Recorded: thread and
 * process starts and exits (with exit codes), lock acquire-requested /
 * acquired / released (Lock, RLock, Semaphore, BoundedSemaphore), barrier
 * waits, queue puts and gets with the queue's depth, and waits on full or
 * empty queues — at both the thread and the process scope, in every thread
 * and process of the tree.
 *
 * Tracing off costs one boolean test per operation. On, each event costs a
 * clock read and a few stores into a preallocated buffer; threads send
 * their buffers in batches.
 */
import { isMainThread } from 'node:worker_threads';
import { ErrorCode, misuse } from '../errors.js';
import { collector } from './collector.js';
import { isRootMain, openSession, session, writeTrace } from './session.js';
import { setTracing, TRACE_ENV, tracing } from './switch.js';

/** Where `trace.start()` writes when given no path. */
export const DEFAULT_TRACE_PATH = 'weft-trace.json';

/**
 * Starts and stops tracing from the program itself.
 *
 * @example
 * ```ts
 * import { trace } from 'weft';
 * trace.start('run.json');
 * // … start threads and processes, use locks and queues …
 * await trace.stop(); // run.json opens in ui.perfetto.dev, or: weft timeline run.json -o run.html
 * ```
 */
export const trace = {
  /**
   * Starts recording, in this thread and in every thread and process
   * started from now on (they inherit `WEFT_TRACE`). Call it in the main
   * thread of the root process; throws `ERR_INVALID_STATE` elsewhere, or
   * when a trace is already being recorded.
   */
  start(path: string = DEFAULT_TRACE_PATH): void {
    if (!isRootMain()) {
      throw misuse(ErrorCode.InvalidState, `trace: start() records the whole tree and must be called in the main thread of the root process (this is ${isMainThread ? `child process ${process.pid}` : 'a worker thread'})`);
    }
    if (session().path !== undefined) {
      throw misuse(ErrorCode.InvalidState, `trace: already recording to ${session().path}; stop() first`);
    }
    process.env[TRACE_ENV] = path;
    setTracing(true);
    openSession(path);
  },

  /**
   * Stops recording and writes the trace; resolves with the file's path.
   * The file holds the events of this thread and of every thread and
   * process that has ended — join them first; one still running sends its
   * events only when it ends, and they are not in this file.
   */
  async stop(): Promise<string> {
    const s = session();
    const path = s.path;
    if (path === undefined) throw misuse(ErrorCode.InvalidState, 'trace: stop() without a trace being recorded');
    // One turn of the event loop: batches posted just before are delivered.
    await new Promise((resolve) => setImmediate(resolve));
    writeTrace(path);
    s.path = undefined;
    setTracing(false);
    delete process.env[TRACE_ENV];
    collector().take();
    return path;
  },

  /** True while this thread records. */
  get recording(): boolean {
    return tracing;
  },
};
