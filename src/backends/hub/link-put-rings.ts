/**
 * The link's side of its threads' put rings (`put-ring.ts`): it drains each
 * ring into `puts` messages, one per run of one queue — when the ring's
 * thread writes while the link sleeps (the thread notifies), before
 * forwarding any request of any thread (what was put before a request
 * reaches the hub before it), and after forwarding a request of the ring's
 * thread (records written after that request were held back until then).
 *
 * Per thread, the link counts the requests it forwarded (`handled`); the
 * thread counts the requests it posted (`hubPostCount`), and stamps each
 * record with that count: a record is forwarded only once `handled` has
 * reached its stamp.
 */
import type { Request } from './protocol.js';
import { drainRing, goingToSleep, putRingOf, Word, type PutRing } from './put-ring.js';

interface Ring {
  readonly ring: PutRing;
  /** An `Atomics.waitAsync` on the ring is pending. */
  waiting: boolean;
}

export class LinkPutRings {
  readonly #send: (request: Request) => void;
  readonly #rings = new Map<number, Ring>();
  /** Requests forwarded, by thread. */
  readonly #handled = new Map<number, number>();

  /** `send` posts a request to the hub, in order with the link's other traffic. */
  constructor(send: (request: Request) => void) {
    this.#send = send;
  }

  /** A thread's request is about to be forwarded: every ring gives what it may, first. */
  before(): void {
    for (const [thread, ring] of this.#rings) this.#drain(thread, ring);
  }

  /** A thread's request was forwarded: its ring may give the records written after it. */
  after(request: Request): void {
    const thread = request.thread;
    this.#handled.set(thread, (this.#handled.get(thread) ?? 0) + 1);
    if (request.t === 'put-ring') return this.#attach(thread, request.ring);
    const ring = this.#rings.get(thread);
    if (ring === undefined) {
      if (request.t === 'thread-ended') this.#handled.delete(thread);
      return;
    }
    this.#drain(thread, ring);
    if (request.t === 'thread-ended') {
      // Everything it wrote came before its last request: drained above.
      this.#rings.delete(thread);
      this.#handled.delete(thread);
      return;
    }
    this.#sleep(thread, ring);
  }

  #attach(thread: number, buffer: SharedArrayBuffer): void {
    const ring: Ring = { ring: putRingOf(buffer), waiting: false };
    this.#rings.set(thread, ring);
    this.#sleep(thread, ring);
  }

  /** Answers true if a record is held back (the thread's next request frees it). */
  #drain(thread: number, ring: Ring): boolean {
    return drainRing(ring.ring, thread, this.#handled.get(thread) ?? 0, (run) =>
      this.#send({ t: 'send', thread, id: run.id, op: 'puts', args: [run.records] }),
    );
  }

  /** Waits for the thread's next record, unless one is held back (then its next request drains it). */
  #sleep(thread: number, ring: Ring): void {
    if (ring.waiting) return;
    for (;;) {
      if (this.#drain(thread, ring)) return;
      const write = goingToSleep(ring.ring);
      if (write === undefined) continue;
      const wait = Atomics.waitAsync(ring.ring.words, Word.Write, write);
      if (!wait.async) continue;
      ring.waiting = true;
      void wait.value.then(() => {
        ring.waiting = false;
        if (this.#rings.get(thread) === ring) this.#sleep(thread, ring);
      });
      return;
    }
  }
}
