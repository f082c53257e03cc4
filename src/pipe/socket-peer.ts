/**
 * The socket between the two ends of a Pipe that live in different
 * processes. The data goes straight from one process to the other — not
 * through the hub, nor a relay — over one Unix-domain socket, in frames of
 * a 4-byte little-endian length and one message record (message-record.ts).
 *
 * Rendezvous (as pool/process-channel.ts does per pool): when an end is
 * sent to a child process, the thread that keeps the other end listens on
 * a fresh socket in this thread's private directory (mode 0700, from
 * mkdtemp, removed at exit) and gives the child the path and a random
 * 24-byte token. The child connects and writes the token first; a
 * connection without it is dropped, and the listener closes after the first
 * good one, so exactly one peer is ever accepted.
 *
 * States of the listening side:
 *
 * | state      | meaning                                              | next |
 * |------------|------------------------------------------------------|------|
 * | listening  | waiting for the child; sends queue in `outbox`        | connected, ended |
 * | connected  | frames flow both ways                                 | ended |
 * | ended      | the peer closed, died, or never came: EOF after `inbox` | — |
 *
 * The connecting side starts `connected` (Node queues writes until the
 * connection is made). A socket never keeps a program alive by itself: it
 * is unref'd, so only pending writes (and an awaited recv, which holds the
 * event loop) do — except that a listener with queued messages stays ref'd
 * until its child takes them, since a message sent must not be lost to an
 * early exit (Python's kernel pipe buffer keeps it for the reader too).
 * A peer that dies closes its socket in the kernel, so the other side sees
 * end-of-file and nobody hangs.
 */
import { nodeCrypto, nodeNet } from '../internal/builtins.js';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerExitFlush } from '../internal/exit-flush.js';
import { FrameSplitter } from '../pool/process-channel.js';
import { RecordQueue } from './record-queue.js';
import { FRAME_HEADER_BYTES, type Frame } from './message-record.js';

const TOKEN_BYTES = 24;

/** Where the child connects, and what it proves itself with. */
export interface PeerAddress {
  readonly path: string;
  /** Hex. */
  readonly token: string;
}

let directory: string | undefined;
let socketCount = 0;

/** This thread's private socket directory, made on first use and removed when the thread ends. */
function socketDirectory(): string {
  if (directory !== undefined) return directory;
  const made = mkdtempSync(join(tmpdir(), 'weft-pipe-'));
  directory = made;
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return made;
}

/** Sockets connected from this thread, for the exit flush. */
const connectedHere = new Set<SocketPeer>();
let flushRegistered = false;

export class SocketPeer {
  /** Records received and not yet taken, in order. */
  readonly inbox = new RecordQueue();
  #socket: Socket | undefined;
  #listener: Server | undefined;
  #listenPath: string | undefined;
  #outbox: Buffer[] = [];
  #ended = false;
  /** The local end was closed: no more sends; the socket ends once the outbox is out. */
  #closing = false;
  readonly #changed = new Set<() => void>();
  #next: Promise<void> | undefined;
  #resolveNext: (() => void) | undefined;

  private constructor() {}

  /** The listening side: a socket for one child to connect to. */
  static listen(): { peer: SocketPeer; address: PeerAddress } {
    const peer = new SocketPeer();
    const token = nodeCrypto().randomBytes(TOKEN_BYTES);
    const path = join(socketDirectory(), `${process.pid}-${++socketCount}.sock`);
    const listener = nodeNet().createServer((socket) => peer.#greet(socket, token));
    listener.on('error', () => peer.#end());
    listener.listen(path);
    listener.unref();
    peer.#listener = listener;
    peer.#listenPath = path;
    return { peer, address: { path, token: token.toString('hex') } };
  }

  /** The connecting side, in the child. */
  static connect(address: PeerAddress): SocketPeer {
    const peer = new SocketPeer();
    const socket = nodeNet().connect(address.path);
    socket.write(Buffer.from(address.token, 'hex'));
    peer.#attach(socket, Buffer.alloc(0));
    connectedHere.add(peer);
    if (!flushRegistered) {
      flushRegistered = true;
      registerExitFlush(() => Promise.all([...connectedHere].map((p) => p.flush())).then(() => {}));
    }
    return peer;
  }

  /** A peer that is already gone (the other end was closed before this one moved). */
  static ended(): SocketPeer {
    const peer = new SocketPeer();
    peer.#ended = true;
    return peer;
  }

  /** The peer closed, died or never came; `inbox` holds what it sent before. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends one record in its frame (message-record.ts); false if the peer is gone (nothing sent). */
  send(framed: Frame): boolean {
    if (this.#ended) return false;
    const frame = Buffer.from(framed.buffer, framed.byteOffset, framed.byteLength);
    if (this.#socket !== undefined) {
      this.#socket.write(frame);
    } else {
      this.#outbox.push(frame);
      this.#listener?.ref(); // queued for a child that has not connected yet: do not exit before it takes them
    }
    return true;
  }

  /** Calls `onChange` at the next record or at the end; returns the function that cancels it. */
  onChange(onChange: () => void): () => void {
    this.#changed.add(onChange);
    return () => this.#changed.delete(onChange);
  }

  /** Resolves at the next record or at the end (one promise shared by every waiter of this thread). */
  nextChange(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return (this.#next ??= new Promise((resolve) => (this.#resolveNext = resolve)));
  }

  /** Wakes the waiters without a change: the local end was closed under them. */
  wake(): void {
    this.#notify();
  }

  /** The local end is closed: what was sent still goes out, then the socket ends. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#socket !== undefined) {
      this.#socket.end();
    } else if (this.#outbox.length === 0) {
      this.#stopListening();
      this.#end();
    }
    // Otherwise the listener waits (ref'd) for the child to take the outbox.
  }

  /** The child this side listened for has exited: if it never connected, nobody will. */
  childExited(): void {
    if (this.#socket !== undefined) return;
    this.#stopListening();
    this.#outbox = [];
    this.#end();
  }

  /** Resolves once everything sent is written to the kernel (or the peer is gone). */
  flush(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed || socket.writableFinished) return Promise.resolve();
    if (socket.writableLength === 0 && !socket.connecting && !socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.once('error', () => resolve());
      // After end(), 'finish' says the last byte went out; before it, a write's callback runs after the earlier ones.
      if (socket.writableEnded) socket.once('finish', () => resolve());
      else socket.write(Buffer.alloc(0), () => resolve());
    });
  }

  #greet(socket: Socket, token: Buffer): void {
    let hello = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      hello = Buffer.concat([hello, chunk]);
      if (hello.length < TOKEN_BYTES) return;
      socket.off('data', onData);
      if (this.#socket !== undefined || !nodeCrypto().timingSafeEqual(hello.subarray(0, TOKEN_BYTES), token)) {
        socket.destroy();
        return;
      }
      this.#stopListening();
      this.#attach(socket, hello.subarray(TOKEN_BYTES));
      for (const frame of this.#outbox) socket.write(frame);
      this.#outbox = [];
      if (this.#closing) socket.end();
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }

  #attach(socket: Socket, leftover: Buffer): void {
    this.#socket = socket;
    socket.setNoDelay?.(true);
    socket.unref();
    const splitter = new FrameSplitter();
    const take = (chunk: Buffer): void => {
      const frames = splitter.push(chunk);
      if (frames.length === 0) return;
      for (const frame of frames) this.inbox.push(frame);
      this.#notify();
    };
    if (leftover.length > 0) take(leftover);
    socket.on('data', take);
    // The peer ended its side (close(), or its process died: the kernel closes the socket).
    socket.on('end', () => this.#end());
    socket.on('close', () => this.#end());
    socket.on('error', () => this.#end());
  }

  #stopListening(): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    this.#listener = undefined;
    listener.close();
    if (this.#listenPath !== undefined) rmSync(this.#listenPath, { force: true });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#socket?.destroy();
    connectedHere.delete(this);
    this.#notify();
  }

  #notify(): void {
    const resolve = this.#resolveNext;
    if (resolve !== undefined) {
      this.#next = undefined;
      this.#resolveNext = undefined;
      resolve();
    }
    // A Set's iteration tolerates its callbacks removing themselves.
    for (const onChange of this.#changed) onChange();
  }
}

/** Forwards every record `from` receives to `to`, and its end as a close. */
export function relay(from: SocketPeer, to: SocketPeer): void {
  const pump = (): void => {
    for (let record = from.inbox.shift(); record !== undefined; record = from.inbox.shift()) to.send(frameRecord(record));
    if (from.ended) {
      stop();
      to.close();
    }
  };
  const stop = from.onChange(pump);
  pump();
}

/** `record` in a socket frame of its own. */
function frameRecord(record: Uint8Array): Frame {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + record.length);
  new DataView(frame.buffer).setUint32(0, record.length, true);
  frame.set(record, FRAME_HEADER_BYTES);
  return frame;
}
