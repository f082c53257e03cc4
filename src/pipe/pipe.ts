/**
 * `Pipe()`: a pair of connected `Connection` ends — Python's
 * `multiprocessing.Pipe(duplex=True)`.
 *
 * The ends start in the calling process, over shared memory
 * (pipe-memory.ts), and go wherever they are passed: to threads (as
 * `Thread` arguments, still over shared memory) or to a child process (as
 * a `Process` argument, then over a direct Unix socket; connection.ts has
 * the rules). A Pipe holds no OS resource until an end goes to a process,
 * so an unused or forgotten one keeps nothing alive and leaves nothing
 * behind.
 */
import { nodeCrypto } from '../internal/builtins.js';
import { invalidArg } from '../errors.js';
import { Connection } from './connection.js';
import { createPipeMemory } from './pipe-memory.js';

/** Options of `Pipe()`. */
export interface PipeOptions {
  /** Both ends send and receive (default). `false`: the first end only receives, the second only sends. */
  duplex?: boolean;
}

/**
 * Two connected ends. With `duplex: false` the first end can only receive
 * and the second only send, in Python's order: `const [r, w] = Pipe({ duplex: false })`.
 *
 * @example
 * ```ts
 * import { Pipe } from 'weft/multiprocessing';
 * const [a, b] = Pipe<string>();
 * a.send('ping');
 * console.log(await b.recv()); // 'ping'
 *
 * const [reader, writer] = Pipe<number>({ duplex: false });
 * writer.send(42);
 * console.log(reader.recvSync()); // 42
 * ```
 */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidArg(`multiprocessing: Pipe() takes options like { duplex: false }, got ${options === null ? 'null' : typeof options}`, 'type');
  }
  const duplex = options?.duplex ?? true;
  if (typeof duplex !== 'boolean') throw invalidArg(`multiprocessing: Pipe({ duplex }) must be a boolean, got ${typeof duplex}`, 'type');
  const memory = createPipeMemory(nodeCrypto().randomBytes(12).toString('hex'), duplex);
  return [Connection.fromMemory<T>(memory, 0), Connection.fromMemory<T>(memory, 1)];
}
