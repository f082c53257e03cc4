/**
 * Frames for one socket, gathered during a turn of the event loop and
 * written together at its end: a burst of messages costs one write
 * (one system call), not one each.
 */
import type { Socket } from 'node:net';
import { encodeFrame } from './frames.js';

export class Outbox {
  readonly #socket: Socket;
  #frames: Buffer[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  add(message: unknown): void {
    if (this.#frames.length === 0) queueMicrotask(() => this.flushNow());
    this.#frames.push(encodeFrame(message));
  }

  /** Writes what is gathered now (a no-op when nothing is). */
  flushNow(): void {
    if (this.#frames.length === 0) return;
    const frames = this.#frames;
    this.#frames = [];
    if (this.#socket.destroyed) return;
    this.#socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }
}
