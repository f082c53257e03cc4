/**
 * Frames on the hub's socket: a 4-byte little-endian length, then that many
 * bytes of one v8-serialized message (`protocol.ts` says which messages).
 *
 * The reader is the hub's first line of defence against a bad peer: it
 * never buffers more than one frame's declared length, refuses a length
 * above its limit before reading the body, and turns anything it cannot
 * decode into a `FrameError` — the connection that sent it is closed, and
 * nothing else is touched. Before a connection has authenticated its limit
 * is tiny (`HELLO_FRAME_BYTES`), so a stranger cannot make the hub allocate.
 */
import { deserialize, serialize } from 'node:v8';

const HEADER_BYTES = 4;

/** The largest frame a connection may send once authenticated (a queue item of up to ~512 MiB). */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

/** The largest first frame (the hello) accepted from a connection that has not authenticated. */
export const HELLO_FRAME_BYTES = 1024;

/** A frame that cannot be read: its connection is closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(`hub: ${message}`);
  }
}
Object.defineProperty(FrameError.prototype, 'name', { value: 'FrameError', writable: true, configurable: true });

/**
 * One message as a frame, in its two pieces: the length header and the
 * serialized body. Writers gather pieces and join them once, so a large
 * item's bytes are copied once on their way to the socket, not per step.
 */
export function frameParts(message: unknown): [header: Buffer, body: Buffer] {
  const body = serialize(message);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return [header, body];
}

/** One message as a single frame buffer. */
export function encodeFrame(message: unknown): Buffer {
  return Buffer.concat(frameParts(message));
}

/** Splits a byte stream into decoded messages. */
export class FrameReader {
  #limit: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Raises (or lowers) the largest frame accepted from now on. */
  set limit(bytes: number) {
    this.#limit = bytes;
  }

  /** Adds bytes from the stream; returns the messages they complete. Throws `FrameError`. */
  push(chunk: Buffer): unknown[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      const body = this.#nextBody();
      if (body === undefined) return messages;
      messages.push(decodeBody(body));
    }
  }

  /** The next complete frame's body, if all of it has arrived. */
  #nextBody(): Buffer | undefined {
    if (this.#buffered < HEADER_BYTES) return undefined;
    const length = this.#peekLength();
    if (length > this.#limit) throw new FrameError(`a frame of ${length} bytes is over the limit of ${this.#limit}`);
    if (this.#buffered < HEADER_BYTES + length) return undefined;
    const all = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#buffered);
    const body = all.subarray(HEADER_BYTES, HEADER_BYTES + length);
    const rest = all.subarray(HEADER_BYTES + length);
    this.#chunks = rest.length === 0 ? [] : [rest];
    this.#buffered = rest.length;
    return body;
  }

  #peekLength(): number {
    const first = this.#chunks[0];
    if (first.length >= HEADER_BYTES) return first.readUInt32LE(0);
    const joined = Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [joined];
    return joined.readUInt32LE(0);
  }
}

function decodeBody(body: Buffer): unknown {
  if (body.length === 0) throw new FrameError('an empty frame');
  try {
    return deserialize(body);
  } catch (error) {
    throw new FrameError(`a frame that is not a serialized message (${(error as Error).message})`);
  }
}
