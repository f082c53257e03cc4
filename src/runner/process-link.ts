/**
 * The link between a parent process and a child it started: one Unix socket
 * pair, the child's end on its fd 3 (`LINK_FD`). It carries, as
 * length-prefixed v8-serialized frames:
 *
 * | direction      | frame      | when                                                        |
 * |----------------|------------|-------------------------------------------------------------|
 * | parent → child | `boot`     | once, right after spawn (or when a spare is taken): what the child runs (`ProcessBoot`) |
 * | child → parent | `error`    | what the target threw, before the child exits with 1        |
 * | child → parent | `bye`      | the child's last words, from its `exit` hook                |
 *
 * Boot data goes here rather than on the command line: it can be large
 * (arguments), and `ps` should not show it. The link is also how a daemon
 * child knows its parent is gone, however it died (SIGKILL included): the
 * parent's end is closed by the kernel and the child's end reads end-of-file
 * (`parent-watch.ts`).
 *
 * `bye` tells the parent that every frame the child wrote has arrived: the
 * child's `exit` event can be seen before the socket's last bytes are read,
 * so a parent that saw the child exit with a code (not a signal) waits for
 * `bye`, or for end-of-file, before it settles `join()`.
 */
import { readSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { EncodedArgs } from '../codec/args.js';
import type { EncodedError } from '../codec/remote-error.js';
import type { TargetRef } from '../runtime/target.js';

/** The child's end of the link. */
export const LINK_FD = 3;

/** Everything a new process is handed. */
export interface ProcessBoot {
  readonly type: 'boot';
  readonly name: string;
  readonly daemon: boolean;
  /** Python's `_identity`: the child numbers of each ancestor, for default names (`Process-1:2`). */
  readonly identity: readonly number[];
  readonly parent: { readonly name: string; readonly pid: number };
  readonly target: TargetRef | undefined;
  /** The Process subclass to rebuild, if not Process itself. */
  readonly cls: TargetRef | undefined;
  readonly args: EncodedArgs;
  /** Own fields of the Process object, copied in. */
  readonly fields: EncodedArgs;
  /** How long a daemon whose parent died may take to end on SIGTERM before it is killed. */
  readonly gracePeriod: number;
}

export type ChildFrame =
  | { readonly type: 'error'; readonly error: EncodedError }
  | { readonly type: 'bye' };

const HEADER_BYTES = 4;

export function frame(message: ProcessBoot | ChildFrame): Buffer {
  const body = serialize(message);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Parent side: splits the bytes read from a child into frames. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** The frames completed by `chunk`. */
  push(chunk: Buffer): ChildFrame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: ChildFrame[] = [];
    while (this.#pending.length >= HEADER_BYTES) {
      const size = this.#pending.readUInt32LE(0);
      if (this.#pending.length < HEADER_BYTES + size) break;
      frames.push(deserialize(this.#pending.subarray(HEADER_BYTES, HEADER_BYTES + size)) as ChildFrame);
      this.#pending = this.#pending.subarray(HEADER_BYTES + size);
    }
    return frames;
  }
}

/**
 * Child side: blocks until the boot frame has arrived. Undefined if the
 * parent closed the link before sending a byte: a spare its parent did not
 * use (`spare-processes.ts`), or a parent that died as it started us.
 */
export function readBootSync(): ProcessBoot | undefined {
  const header = readExactly(HEADER_BYTES, true);
  if (header === undefined) return undefined;
  const message = deserialize(readExactly(header.readUInt32LE(0), false)!) as ProcessBoot;
  if (message?.type !== 'boot') throw new Error('multiprocessing: the link to the parent process sent no boot data');
  return message;
}

function readExactly(size: number, emptyIsEnd: boolean): Buffer | undefined {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = retryingAgain(() => readSync(LINK_FD, buffer, filled, size - filled, null));
    if (read === 0 && filled === 0 && emptyIsEnd) return undefined;
    if (read === 0) throw new Error('multiprocessing: the parent process closed the link before sending boot data');
    filled += read;
  }
  return buffer;
}

/**
 * Child side: writes a frame to the parent, synchronously (it may be the
 * last thing the process does). Fails silently when the parent is gone.
 */
export function sendToParent(message: ChildFrame): void {
  const bytes = frame(message);
  let written = 0;
  try {
    while (written < bytes.length) written += retryingAgain(() => writeSync(LINK_FD, bytes, written));
  } catch {
    // EPIPE/EBADF: the parent has exited and nobody is listening.
  }
}

// Once the parent watcher holds the link, the socket is non-blocking, and a
// full socket buffer answers EAGAIN: wait a moment and try again.
const pause = new Int32Array(new SharedArrayBuffer(4));

function retryingAgain(io: () => number): number {
  for (;;) {
    try {
      return io();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
