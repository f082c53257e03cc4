/**
 * A minimal Redis client for the lease thread (`lease-thread.ts`): one
 * connection, commands answered in the order they were sent (RESP2), and
 * nothing else. The lease thread must be renewing within a fraction of the
 * lease after `connect()`; `@redis/client` costs 0.3–0.7 s of CPU to load
 * and connect on the 2-core development machine — more than a short lease
 * once several processes start at once — where this is a socket and a
 * parser.
 *
 * The URL is the scope's (`redis[s]://[[user]:password@]host[:port][/db]`):
 * AUTH and SELECT are sent first when it names them. A broken connection
 * fails the commands in flight; the next command connects again (the lease
 * thread retries at its next beat, and its lease says the rest).
 *
 * Replies: simple strings and bulk strings as strings, integers as numbers,
 * nil as null, arrays as arrays; an error reply rejects with `ErrorReply`
 * (named as `@redis/client`'s, which `script.ts` tells from a broken
 * connection by that name).
 */
import type { Socket } from 'node:net';
import { nodeNet, nodeTls } from '../../internal/builtins.js';
import type { CommandSender } from './script.js';

/** An error the server answered (the command reached it and failed). */
export class ErrorReply extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErrorReply';
  }
}

type Reply = string | number | null | Reply[];

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Where the first incomplete reply starts, or the parsed reply and where the next one starts. */
type Parsed = { readonly value: Reply | ErrorReply; readonly next: number } | undefined;

export class RespClient implements CommandSender {
  readonly #url: URL;
  #socket: Socket | undefined;
  #buffered: Buffer = Buffer.alloc(0);
  readonly #pending: Pending[] = [];

  constructor(url: string) {
    this.#url = new URL(url);
  }

  /** Sends one command; resolves with its reply. */
  sendCommand<T = unknown>(args: ReadonlyArray<string>): Promise<T> {
    const socket = this.#socket ?? this.#open();
    return this.#send(socket, args) as Promise<T>;
  }

  /** Ends the connection; commands in flight fail. */
  close(): void {
    this.#socket?.destroy();
  }

  #send(socket: Socket, args: ReadonlyArray<string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      socket.write(encodeCommand(args));
    });
  }

  /** Connects, and queues AUTH and SELECT ahead of everything else when the URL names them. */
  #open(): Socket {
    const url = this.#url;
    const port = url.port === '' ? 6379 : Number(url.port);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = url.protocol === 'rediss:' ? nodeTls().connect({ host, port, servername: host }) : nodeNet().connect({ host, port });
    socket.setNoDelay(true);
    this.#socket = socket;
    this.#buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.#received(chunk));
    socket.on('error', () => {}); // 'close' follows and fails what is in flight
    socket.on('close', () => this.#closed(socket));
    const password = decodeURIComponent(url.password);
    const username = decodeURIComponent(url.username);
    if (password !== '') void this.#send(socket, username === '' ? ['AUTH', password] : ['AUTH', username, password]).catch(() => {});
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && db !== '0') void this.#send(socket, ['SELECT', db]).catch(() => {});
    return socket;
  }

  #closed(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const failed = this.#pending.splice(0);
    for (const pending of failed) pending.reject(new Error('redis: the lease connection closed'));
  }

  #received(chunk: Buffer): void {
    let data = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    try {
      for (let parsed = parseReply(data, 0); parsed !== undefined; parsed = parseReply(data, 0)) {
        data = data.subarray(parsed.next);
        const pending = this.#pending.shift();
        if (parsed.value instanceof ErrorReply) pending?.reject(parsed.value);
        else pending?.resolve(parsed.value);
      }
    } catch {
      // Not RESP2 (a proxy speaking something else?): nothing more on this connection can be trusted.
      this.#socket?.destroy();
      return;
    }
    this.#buffered = data;
  }
}

/** A command as a RESP array of bulk strings. */
function encodeCommand(args: ReadonlyArray<string>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `at`; undefined while it is incomplete. */
function parseReply(data: Buffer, at: number): Parsed {
  const lineEnd = data.indexOf('\r\n', at);
  if (lineEnd === -1) return undefined;
  const line = data.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (data[at]) {
    case 0x2b: // '+'
      return { value: line, next };
    case 0x2d: // '-'
      return { value: new ErrorReply(line), next };
    case 0x3a: // ':'
      return { value: Number(line), next };
    case 0x24: {
      // '$': a bulk string of `line` bytes, or nil
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (data.length < next + length + 2) return undefined;
      return { value: data.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case 0x2a: {
      // '*': an array of `line` replies, or nil
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: Reply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, cursor);
        if (item === undefined) return undefined;
        items.push(item.value instanceof ErrorReply ? item.value.message : item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    default:
      throw new Error(`redis: the lease connection got a reply it cannot read (first byte ${data[at]})`);
  }
}
