/**
 * A Pipe's shared memory, while both of its ends are in one process: two
 * byte rings (`pool/byte-ring.ts`, one writer and one reader each) and a
 * control block. Threads that hold an end share these SharedArrayBuffers, so
 * an end moves between threads without losing or reordering a message: the
 * messages are in the ring, not in the wrapper.
 *
 * Rings: `rings[0]` carries what end 0 sends to end 1, `rings[1]` the other
 * way. Each is `RING_BYTES` of data.
 *
 * Control block, Int32 words (index = `Word.State + end`, `Word.Owner + end`):
 *
 * | word | name    | written by                              | read by       | meaning                         |
 * |------|---------|-----------------------------------------|---------------|---------------------------------|
 * | 0, 1 | State   | the end's holder (close), its mover     | the peer      | `EndState` of end 0, end 1      |
 * | 2, 3 | Owner   | the thread that last attached the end   | movers, exits | that thread's `threadId + 1`    |
 *
 * End states:
 *
 * | state  | meaning                                                         | next     |
 * |--------|-----------------------------------------------------------------|----------|
 * | Open   | usable; its messages travel through the rings                   | Closed, Away |
 * | Closed | `close()`d, or its owning thread ended: the peer reads what is left, then EOFError | — |
 * | Away   | sent to another process: it talks to its peer over a socket now | —        |
 *
 * Invariants:
 * - An end writes its ring, then stores its state; a reader loads the
 *   peer's state before it reads the ring. So a reader that found the ring
 *   empty after seeing `Closed` has seen every message (no lost tail).
 * - Closing wakes the peer: it notifies the WRITTEN word of the closing
 *   end's outgoing ring (where the peer's recv waits) and the READ word of
 *   its incoming ring (where the peer's full-ring send waits).
 */
import { threadId } from 'node:worker_threads';
import { createRingBuffer } from '../pool/byte-ring.js';

/** Bytes of data per direction: Python's pipes buffer about as much. */
export const RING_BYTES = 1 << 16;

export const Word = { State: 0, Owner: 2 } as const;
export const CONTROL_WORDS = 4;

export const EndState = { Open: 0, Closed: 1, Away: 2 } as const;
export type EndState = (typeof EndState)[keyof typeof EndState];

/** The ring words of byte-ring.ts this file wakes (its layout table: WRITTEN 0, READ 1). */
export const RingWord = { Written: 0, Read: 1 } as const;

export type End = 0 | 1;

/** What threads share of one Pipe. Structured-cloneable: it is a thread handle's data. */
export interface PipeMemory {
  /** Random, unique across the process tree: names the pipe in registries and on sockets. */
  readonly id: string;
  readonly duplex: boolean;
  readonly control: SharedArrayBuffer;
  /** `rings[e]` carries what end `e` sends. */
  readonly rings: readonly [SharedArrayBuffer, SharedArrayBuffer];
}

export function createPipeMemory(id: string, duplex: boolean): PipeMemory {
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const memory: PipeMemory = { id, duplex, control, rings: [createRingBuffer(RING_BYTES), createRingBuffer(RING_BYTES)] };
  const words = new Int32Array(control);
  Atomics.store(words, Word.Owner, myOwnerId());
  Atomics.store(words, Word.Owner + 1, myOwnerId());
  return memory;
}

/** This thread, as the Owner words record it (0 means nobody). */
export function myOwnerId(): number {
  return threadId + 1;
}

/** Wakes whoever waits on `end`'s traffic: the peer's recv and the peer's full-ring send. */
export function wakePeer(memory: PipeMemory, end: End): void {
  Atomics.notify(new Int32Array(memory.rings[end], 0, 2), RingWord.Written);
  Atomics.notify(new Int32Array(memory.rings[1 - end], 0, 2), RingWord.Read);
}
