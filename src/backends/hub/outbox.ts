/**
 * Frames for one socket, gathered during a turn of the event loop and
 * written together at its end: a burst of messages costs one write
 * (one system call), not one each.
 */
import type { Socket } from 'node:net';
import { frameParts } from './frames.js';

export class Outbox {
  readonly #socket: Socket;
  /** Headers and bodies of the frames gathered, in order. */
  #pieces: Buffer[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  add(message: unknown): void {
    if (this.#pieces.length === 0) queueMicrotask(() => this.flushNow());
    this.#pieces.push(...frameParts(message));
  }

  /** Writes what is gathered now (a no-op when nothing is). */
  flushNow(): void {
    if (this.#pieces.length === 0) return;
    const pieces = this.#pieces;
    this.#pieces = [];
    if (this.#socket.destroyed) return;
    this.#socket.write(Buffer.concat(pieces));
  }
}
