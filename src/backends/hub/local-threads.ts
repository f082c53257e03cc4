/**
 * The threads of one process, as seen from the thread that serves them —
 * the link in a child, the hub itself in the root.
 *
 * Threads post requests on the process's request channel (a
 * BroadcastChannel, which every thread of a process can open by name
 * without being handed a port). Answers go back on the thread's own reply
 * channel, and then its wake word is bumped and notified: the thread reads
 * answers with `receiveMessageOnPort`, so it can collect them while blocked
 * in `Atomics.wait` (a `…Sync` call) as well as from its event loop.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { replyChannelName, requestChannelName, type Request } from './protocol.js';

interface LocalThread {
  readonly wake: Int32Array;
  readonly replies: BroadcastChannel;
}

export class LocalThreads {
  readonly #requests: BroadcastChannel;
  readonly #threads = new Map<number, LocalThread>();

  /** Listens for this process's requests; `register` is handled here, the rest go to `onRequest`. */
  constructor(onRequest: (request: Exclude<Request, { t: 'register' }>) => void) {
    this.#requests = new BroadcastChannel(requestChannelName(process.pid));
    this.#requests.onmessage = (event) => {
      const request = (event as { data: Request }).data;
      if (request.t === 'register') this.#register(request.thread, request.wake);
      else onRequest(request);
    };
  }

  #register(thread: number, wake: SharedArrayBuffer): void {
    this.#threads.get(thread)?.replies.close();
    const replies = new BroadcastChannel(replyChannelName(process.pid, thread));
    replies.unref();
    this.#threads.set(thread, { wake: new Int32Array(wake), replies });
  }

  /** Hands `message` to `thread` and wakes it. */
  deliver(thread: number, message: unknown): void {
    const local = this.#threads.get(thread);
    if (local === undefined) return; // the thread ended; nobody to tell
    local.replies.postMessage(message);
    Atomics.add(local.wake, 0, 1);
    Atomics.notify(local.wake, 0);
  }

  /** Forgets a thread that ended. */
  forget(thread: number): void {
    this.#threads.get(thread)?.replies.close();
    this.#threads.delete(thread);
  }

  /** Every registered thread, to tell each that the hub is gone. */
  threads(): number[] {
    return [...this.#threads.keys()];
  }

  close(): void {
    this.#requests.close();
    for (const local of this.#threads.values()) local.replies.close();
    this.#threads.clear();
  }
}
