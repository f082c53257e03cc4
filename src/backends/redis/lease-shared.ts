/**
 * What the lease thread and its connection's main thread share, in one
 * SharedArrayBuffer:
 *
 * | slot                  | written by   | meaning                                                     |
 * |-----------------------|--------------|-------------------------------------------------------------|
 * | `validUntil` (f64 #0) | lease thread | until when (on `clock()`) the lease is surely alive on the server |
 * | `epoch` (i32 #2)      | lease thread | grows each time a beat finds this connection was reaped     |
 *
 * `validUntil` is the send time of the last renewal the server confirmed,
 * plus 90 % of the lease: the server's deadline is at least the lease after
 * that send, so the local bound ends first even with some clock drift. A
 * kept grant is re-taken without asking Redis only before `validUntil`, and
 * only if the epoch did not move since it was granted.
 */
export const LEASE_BYTES = 16;
const EPOCH = 2;

/** The clock both threads read: ms, monotonic within the process. */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

export class LeaseShared {
  readonly buffer: SharedArrayBuffer;
  readonly #until: Float64Array;
  readonly #words: Int32Array;

  constructor(buffer = new SharedArrayBuffer(LEASE_BYTES)) {
    this.buffer = buffer;
    this.#until = new Float64Array(buffer, 0, 1);
    this.#words = new Int32Array(buffer);
  }

  /** A renewal sent at `sentAt` was confirmed. */
  renewed(sentAt: number, lease: number): void {
    this.#until[0] = sentAt + lease * 0.9;
  }

  valid(): boolean {
    return clock() < this.#until[0]!;
  }

  get epoch(): number {
    return Atomics.load(this.#words, EPOCH);
  }

  reaped(): void {
    Atomics.add(this.#words, EPOCH, 1);
  }
}
