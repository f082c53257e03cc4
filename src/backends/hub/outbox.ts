/**
 * Frames for one socket, gathered during a turn of the event loop and
 * written together at its end: a burst of messages costs one write
 * (one system call), not one each.
 *
 * `prelude`, if given, is asked at each write for messages that must reach
 * the peer before the gathered ones (a child's link: the numbers of the
 * Values its threads changed, `value-owner-link.ts`).
 */
import type { Socket } from 'node:net';
import { frameParts } from './frames.js';

export class Outbox {
  readonly #socket: Socket;
  /** Headers and bodies of the frames gathered, in order. */
  #pieces: Buffer[] = [];
  readonly #prelude: (() => readonly unknown[]) | undefined;

  constructor(socket: Socket, prelude?: () => readonly unknown[]) {
    this.#socket = socket;
    this.#prelude = prelude;
  }

  add(message: unknown): void {
    if (this.#pieces.length === 0) queueMicrotask(() => this.flushNow());
    this.#pieces.push(...frameParts(message));
  }

  /** Writes what is gathered now (a no-op when nothing is). */
  flushNow(): void {
    if (this.#pieces.length === 0) return;
    let pieces = this.#pieces;
    this.#pieces = [];
    const first = this.#prelude?.();
    if (first !== undefined && first.length > 0) pieces = [...first.flatMap((message) => frameParts(message)), ...pieces];
    if (this.#socket.destroyed) return;
    this.#socket.write(Buffer.concat(pieces));
  }
}
