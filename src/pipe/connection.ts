/**
 * `Connection`: one end of a `Pipe()` — Python's
 * `multiprocessing.connection.Connection`.
 *
 * Guarantees: messages arrive whole, once, in the order they were sent,
 * while an end moves between threads or to a child process. `send()` never
 * blocks (see below); `recv()` waits, with a timeout and an AbortSignal, and
 * an aborted or timed-out recv takes nothing. When the other end is closed —
 * by `close()`, or because the thread or process holding it ended — and
 * everything it sent has been read, `recv()` rejects with `EOFError`; a
 * `send()` to it throws `BrokenPipeError`.
 *
 * Non-guarantees: an end has one user at a time (Python's rule). Two
 * threads receiving on the same end at once may each get a part of a long
 * message, or the same message; a thread that is handed an end should be
 * the only one to use it. Used one after the other, wrappers of one end in
 * two threads stay correct: each takes the end back (`#claim`) from the
 * ring's own counters. An end belongs to the thread it was last passed to,
 * and is closed when that thread ends. Inside one thread, several pending
 * `recv()`s are fine: each message goes to exactly one of them.
 *
 * Transports — where the messages are, by where the two ends are:
 *
 * | transport | when                                    | carries messages by                       |
 * |-----------|-----------------------------------------|-------------------------------------------|
 * | ring      | both ends in the process that made the Pipe | two byte rings in shared memory (pipe-memory.ts); every thread of the process can hold either end |
 * | socket    | the ends are in different processes     | one Unix-domain socket between the two processes (socket-peer.ts), direct |
 * | away      | this wrapper's end was sent to a child process | nothing: the end lives in the child now |
 * | closed    | `close()` was called                    | nothing                                   |
 *
 * ring → socket happens once, when one end is passed to `new Process({ args })`
 * (the handle crossing below): the end that stays must be held by the
 * thread that starts the process, which then listens for the child. What
 * the child's end had not yet read travels in its handle; what the staying
 * end had not yet read stays in the ring, and is read before the socket.
 * So nothing is lost or reordered by the move. A socket-mode end stays on
 * its thread, except that it can go on to another Process: that thread then
 * relays between its socket and the new child's (`#relayToProcess`), which
 * is how both ends of one Pipe reach two children.
 *
 * Sends never block: Python's `send()` blocks only when the OS pipe buffer
 * is full. Here a message that does not fit in the ring waits in the
 * sender's memory and is written as the reader makes room (holding the
 * event loop, so a thread does not end with messages unsent), and a socket
 * queues in Node's stream. Memory is the limit, as for a Node stream.
 *
 * The blocking forms (`recvSync`, `pollSync`) wait with Atomics.wait on the
 * ring, so they work in every thread while the ends are in one process. An
 * end whose peer is in another process receives on its thread's event loop,
 * which a blocked thread cannot run: there they return what has already
 * arrived, and throw `ERR_INVALID_STATE` instead of waiting.
 */
import { kHandle, registerBytesRefusal, registerHandleKind, registerProcessCrossing, registerThreadCrossing, type Handle, type ProcessCrossing, type Shareable } from '../codec/handles.js';
import { BrokenPipeError, EOFError, ErrorCode, TimeoutError, invalidArg, misuse } from '../errors.js';
import { Deadline, checkTimeout } from '../internal/deadline.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import { RingReader, RingWriter } from '../pool/byte-ring.js';
import { checkSyncWaitOptions, checkWaitOptions, type SyncWaitOptions, type WaitOptions } from '../runtime/options.js';
import { attach, Attached } from '../sync/attach.js';
import { CONNECTION_KIND, Kind, decodeBytes, decodeMessage, encodeBytes, encodeMessage, recordOf, type Frame } from './message-record.js';
import { EndState, Word, myOwnerId, wakePeer, type End, type PipeMemory } from './pipe-memory.js';
import { SocketPeer, relay, type PeerAddress } from './socket-peer.js';
import { EOF_RECORD, closeRing, flushUnsent, type RingTransport } from './ring-sending.js';

interface SocketTransport {
  readonly kind: 'socket';
  /** What the peer sent while both ends were in one process: read before the socket. */
  readonly ring: RingReader | undefined;
  readonly peer: SocketPeer;
}

type Transport = RingTransport | SocketTransport | { readonly kind: 'away' } | { readonly kind: 'closed' };

/** A thread handle's data: the pipe's shared memory and which end. */
interface RingEndData {
  readonly memory: PipeMemory;
  readonly end: End;
}

/** A process handle's data: where the peer listens, and what the end had not read yet. */
interface SocketEndData {
  readonly id: string;
  readonly end: End;
  readonly duplex: boolean;
  /** Undefined when the peer was already closed. */
  readonly address: PeerAddress | undefined;
  readonly unread: Uint8Array[];
}

/** A socket-mode end on its way to a Process, found again by the crossing in this thread. */
interface RelayEndData {
  readonly relay: string;
  readonly end: End;
}


/** Options of `poll()`: a number is a timeout in ms. */
export type PollOptions = number | WaitOptions;

/** What a `Connection` wraps: one end of one pipe, and how its records move. */
interface EndSource {
  readonly end: End;
  readonly duplex: boolean;
  readonly id: string;
  readonly transport: Transport;
}

/**
 * One end of a `Pipe()`. Send any value the codec carries (plain data,
 * Maps, typed arrays, process-scope weft objects as handles) and receive it
 * on the other end, in order. Make ends with `Pipe()`; pass an end to a
 * `Thread` or `Process` as an argument and it arrives there as the same end.
 *
 * @example
 * ```ts
 * import { Pipe, Process, EOFError } from 'weft/multiprocessing';
 *
 * export function child(conn: Connection<string>): void {
 *   conn.send('hello from the child');
 *   conn.close();
 * }
 *
 * const [parentEnd, childEnd] = Pipe<string>();
 * const p = new Process({ target: child, args: [childEnd] });
 * p.start();
 * console.log(await parentEnd.recv()); // 'hello from the child'
 * await parentEnd.recv().catch((e) => console.log(e instanceof EOFError)); // true
 * await p.join();
 * ```
 */
export class Connection<T = unknown> implements Shareable {
  readonly #id: string;
  readonly #end: End;
  readonly #readable: boolean;
  readonly #writable: boolean;
  #transport: Transport;
  /** A record taken from the transport and not yet handed out (`recvBytes` peeks). */
  #head: Uint8Array | undefined;
  /** An EOF record was read: the peer is done. */
  #eof = false;

  /** @internal Use `Pipe()`. */
  constructor();
  constructor(attached?: Attached<EndSource>) {
    if (!(attached instanceof Attached)) throw new TypeError('connection: make Connection ends with Pipe()');
    const from = attached.core;
    this.#id = from.id;
    this.#end = from.end;
    this.#transport = from.transport;
    this.#readable = from.duplex || from.end === 0;
    this.#writable = from.duplex || from.end === 1;
  }

  /** @internal Builds the wrapper of `end` over `memory` in this thread (`Pipe()`, thread handles). */
  static fromMemory<T>(memory: PipeMemory, end: End): Connection<T> {
    const control = new Int32Array(memory.control);
    const known = lookUp<T>(memory.id, end);
    if (known !== undefined && known.#transport.kind === 'ring') {
      Atomics.store(control, Word.Owner + end, myOwnerId()); // back in this thread: it is this thread's again
      return known;
    }
    const state = Atomics.load(control, Word.State + end);
    const connection = attach<Connection<T>, EndSource>(Connection, {
      id: memory.id,
      end,
      duplex: memory.duplex,
      transport: state === EndState.Closed ? { kind: 'closed' } : state === EndState.Away ? { kind: 'away' } : {
        kind: 'ring',
        memory,
        control,
        reader: new RingReader(memory.rings[1 - end]),
        writer: new RingWriter(memory.rings[end]),
        unsent: [],
        flushing: false,
        closing: false,
      },
    });
    Atomics.store(control, Word.Owner + end, myOwnerId());
    remember(connection, memory.id, end);
    return connection;
  }

  /** True after `close()` (or once this end was sent to another process). */
  get closed(): boolean {
    return this.#transport.kind === 'closed' || this.#transport.kind === 'away';
  }

  /** This end can receive: always for a duplex pipe; the first end of `Pipe({ duplex: false })`. */
  get readable(): boolean {
    return this.#readable;
  }

  /** This end can send: always for a duplex pipe; the second end of `Pipe({ duplex: false })`. */
  get writable(): boolean {
    return this.#writable;
  }

  /**
   * Sends `obj` to the other end. It is encoded here: a value that cannot
   * cross throws `ERR_NOT_SERIALIZABLE` and nothing is sent. Never blocks
   * (see the file's notes); a closed peer throws `BrokenPipeError`.
   *
   * @example
   * ```ts
   * conn.send({ id: 7, tags: new Set(['a']) });
   * ```
   */
  send(obj: T): void {
    this.#checkWritable('send');
    this.#sendRecord(encodeMessage(obj));
  }

  /**
   * Sends the bytes of `buffer` as one message, to be read with
   * `recvBytes()` (Python's `send_bytes`); `offset`/`size` pick a part.
   *
   * @example
   * ```ts
   * conn.sendBytes(new TextEncoder().encode('raw'));
   * ```
   */
  sendBytes(buffer: Uint8Array, offset = 0, size?: number): void {
    this.#checkWritable('sendBytes');
    if (!(buffer instanceof Uint8Array)) throw invalidArg('connection: sendBytes() takes a Uint8Array (or Buffer)', 'type');
    const end = size === undefined ? buffer.length : offset + size;
    if (!Number.isInteger(offset) || offset < 0 || offset > buffer.length) throw invalidArg(`connection: offset ${offset} is outside the buffer of ${buffer.length} bytes`);
    if (!Number.isInteger(end) || end < offset || end > buffer.length) throw invalidArg(`connection: size ${size} goes past the buffer of ${buffer.length} bytes`);
    this.#sendRecord(encodeBytes(buffer.subarray(offset, end)));
  }

  /**
   * The next message. Waits for one; rejects with `EOFError` once the other
   * end is closed and everything it sent was read, with `TimeoutError`
   * when `timeout` ms pass first (Python's recv has no timeout), and with
   * `signal.reason` on abort. A timed-out or aborted recv takes nothing.
   *
   * @example
   * ```ts
   * const job = await conn.recv({ timeout: 1000 });
   * ```
   */
  recv(options?: WaitOptions): Promise<T> {
    if (options === undefined) {
      // Fast path: a message is already here; no async frames on the way out.
      try {
        this.#checkReadable('recv');
        const ready = this.#peek();
        if (ready !== undefined) return Promise.resolve(decodeMessage(this.#takeReady(ready, false)) as T);
      } catch (error) {
        return Promise.reject(error);
      }
      if (this.#transport.kind === 'socket') return this.#recvSocket(this.#transport);
    }
    return this.#recvWaiting(options);
  }

  /** `recv()` without options on a socket: one shared promise per arrival, no timer or signal to manage. */
  async #recvSocket(transport: SocketTransport): Promise<T> {
    holdEventLoop();
    try {
      for (;;) {
        await transport.peer.nextChange();
        const ready = this.#peek(); // throws if the end was closed meanwhile
        if (ready !== undefined) return decodeMessage(this.#takeReady(ready, false)) as T;
      }
    } finally {
      releaseEventLoop();
    }
  }

  async #recvWaiting(options: WaitOptions | undefined): Promise<T> {
    return decodeMessage(await this.#receive(options, 'recv')) as T;
  }

  /**
   * `recv()` for a message sent with `sendBytes()`: its bytes. A message
   * sent with `send()` is left in place and this throws `ERR_INVALID_STATE`.
   *
   * @example
   * ```ts
   * const bytes = await conn.recvBytes();
   * ```
   */
  async recvBytes(options?: WaitOptions): Promise<Uint8Array> {
    return this.#handOutBytes(await this.#receive(options, 'recvBytes', true));
  }

  /**
   * `recv()` that blocks the calling thread. Works while both ends are in
   * one process; with the peer in another process it cannot wait (that
   * thread's event loop brings the messages) and throws
   * `ERR_INVALID_STATE` when nothing has arrived yet. `TimeoutError` when
   * `timeout` ms pass.
   *
   * @example
   * ```ts
   * export function worker(conn: Connection<number>): void {
   *   for (;;) {
   *     const n = conn.recvSync(); // throws EOFError when the other end closes
   *     console.log(n * 2);
   *   }
   * }
   * ```
   */
  recvSync(options?: SyncWaitOptions): T {
    return decodeMessage(this.#receiveSync(options, 'recvSync')) as T;
  }

  /**
   * `recvBytes()` that blocks the calling thread, as `recvSync()`.
   *
   * @example
   * ```ts
   * const bytes = conn.recvBytesSync({ timeout: 100 });
   * ```
   */
  recvBytesSync(options?: SyncWaitOptions): Uint8Array {
    return this.#handOutBytes(this.#receiveSync(options, 'recvBytesSync', true));
  }

  /**
   * Whether a message (or end-of-file) is there to receive, waiting up to
   * the timeout for one. As Python's `poll()`: no argument does not wait; a
   * number waits that many ms; options `{ timeout, signal }` follow weft's
   * WaitOptions (no timeout: wait until something comes). Takes nothing.
   *
   * @example
   * ```ts
   * if (await conn.poll(50)) console.log(await conn.recv());
   * ```
   */
  async poll(timeout?: PollOptions): Promise<boolean> {
    const options = pollOptions(timeout);
    const { signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    this.#checkReadable('poll');
    try {
      await this.#waitReady(Deadline.after(options.timeout), signal);
      return true;
    } catch (error) {
      if (error instanceof TimeoutError) return false;
      throw error;
    }
  }

  /**
   * `poll()` that blocks the calling thread (no argument: do not wait). With
   * the peer in another process it cannot wait, as `recvSync()`.
   *
   * @example
   * ```ts
   * while (!conn.pollSync(10)) doOtherWork();
   * ```
   */
  pollSync(timeout?: number | SyncWaitOptions): boolean {
    const options = checkSyncWaitOptions(pollOptions(timeout));
    this.#checkReadable('pollSync');
    return this.#waitReadySync(Deadline.after(options.timeout), 'pollSync');
  }

  /**
   * Closes this end. The other end reads what was sent before, then gets
   * `EOFError`; its sends throw `BrokenPipeError`. Closing twice is a no-op,
   * as in Python; any other use afterwards throws `ERR_CONNECTION_CLOSED`.
   *
   * @example
   * ```ts
   * conn.send('last');
   * conn.close();
   * ```
   */
  close(): void {
    const transport = this.#transport;
    this.#transport = { kind: 'closed' };
    this.#head = undefined;
    switch (transport.kind) {
      case 'ring':
        closeRing(transport, this.#end);
        transport.reader.wake(); // a recv of this thread pending on this end wakes, and finds it closed
        return;
      case 'socket':
        transport.peer.close();
        transport.peer.wake();
        return;
      case 'away':
      case 'closed':
        return;
      default:
        return transport satisfies never;
    }
  }

  /** The end as it crosses to another thread (a Process argument crosses through `crossToProcess`). */
  [kHandle](): Handle {
    const transport = this.#transport;
    if (transport.kind === 'ring') return { kind: CONNECTION_KIND, scope: 'process', data: { memory: transport.memory, end: this.#end } satisfies RingEndData };
    // Only a Process can take it (its crossing relays the socket); Thread.start() refuses it (checkThreadCrossing).
    if (transport.kind === 'socket') return { kind: CONNECTION_KIND, scope: 'process', data: { relay: this.#id, end: this.#end } satisfies RelayEndData };
    throw closedError('pass');
  }

  /** `<Connection end=0 ring readable writable>` */
  toString(): string {
    const modes = [this.#readable ? 'readable' : '', this.#writable ? 'writable' : ''].filter(Boolean).join(' ');
    return `<Connection end=${this.#end} ${this.#transport.kind}${modes === '' ? '' : ` ${modes}`}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- receiving ------------------------------------------------------------

  async #receive(options: WaitOptions | undefined, what: string, bytes = false): Promise<Uint8Array> {
    const { timeout, signal } = checkWaitOptions(options);
    signal?.throwIfAborted();
    this.#checkReadable(what);
    const ready = this.#peek() ?? (await this.#waitReady(Deadline.after(timeout), signal));
    return this.#takeReady(ready, bytes);
  }

  #receiveSync(options: SyncWaitOptions | undefined, what: string, bytes = false): Uint8Array {
    const { timeout } = checkSyncWaitOptions(options);
    this.#checkReadable(what);
    if (this.#peek() === undefined && !this.#waitReadySync(Deadline.after(timeout), what)) throw new TimeoutError(`connection: no message within ${timeout} ms`);
    return this.#takeReady(this.#peek()!, bytes);
  }

  /**
   * Hands out the head record. EOF rejects and stays, so every later recv
   * rejects too; a `send()` message asked for as bytes stays for `recv()`.
   */
  #takeReady(ready: Uint8Array, bytes: boolean): Uint8Array {
    if (ready === EOF_RECORD) throw new EOFError();
    if (bytes && ready[0] !== Kind.Bytes) decodeBytes(ready); // throws ERR_INVALID_STATE, the message left in place
    this.#head = undefined;
    return ready;
  }

  #handOutBytes(record: Uint8Array): Uint8Array {
    return decodeBytes(record);
  }

  /**
   * The next record, moved into `#head` and left there; `EOF_RECORD` when
   * the peer is done and nothing is left; undefined when nothing is there yet.
   */
  #peek(): Uint8Array | undefined {
    if (this.#head !== undefined) return this.#head;
    if (this.#eof) return (this.#head = EOF_RECORD);
    const transport = this.#transport;
    let record: Uint8Array | undefined;
    let peerDone: boolean;
    switch (transport.kind) {
      case 'ring': {
        if (Atomics.load(transport.control, Word.Owner + this.#end) !== myOwnerId()) this.#claim(transport);
        // State before ring (pipe-memory.ts): a peer seen closed has published all it sent.
        peerDone = Atomics.load(transport.control, Word.State + 1 - this.#end) !== EndState.Open;
        record = transport.reader.read();
        break;
      }
      case 'socket':
        peerDone = transport.peer.ended;
        record = transport.ring?.read() ?? transport.peer.inbox.shift();
        break;
      case 'away':
      case 'closed':
        throw closedError('receive on');
      default:
        return transport satisfies never;
    }
    if (record === undefined ? peerDone : record[0] === Kind.Eof) {
      this.#eof = true;
      return (this.#head = EOF_RECORD);
    }
    return (this.#head = record);
  }

  /** Waits until `#peek()` has something (a record or EOF); TimeoutError when the deadline passes. */
  async #waitReady(deadline: Deadline, signal: AbortSignal | undefined): Promise<Uint8Array> {
    holdEventLoop();
    try {
      for (;;) {
        const transport = this.#transport;
        // The counter is read before looking, so a record published after the look still wakes the wait.
        const seen = transport.kind === 'ring' ? transport.reader.writtenCounter() : 0;
        const ready = this.#peek();
        if (ready !== undefined) return ready;
        const remaining = deadline.remaining();
        if (remaining === 0) throw new TimeoutError('connection: no message within the timeout');
        const outcome = await this.#sleep(transport as RingTransport | SocketTransport, seen, remaining, signal);
        if (outcome === 'aborted') throw signal!.reason;
      }
    } finally {
      releaseEventLoop();
    }
  }

  /** One sleep of a wait: until the transport changes, `remaining` ms pass, or `signal` aborts. */
  #sleep(transport: RingTransport | SocketTransport, seen: number, remaining: number, signal: AbortSignal | undefined): Promise<'woken' | 'aborted'> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let cancel: (() => void) | undefined;
      const done = (outcome: 'woken' | 'aborted'): void => {
        if (timer !== undefined) clearTimeout(timer);
        cancel?.();
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => done('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      if (remaining !== Infinity) timer = setTimeout(() => done('woken'), remaining);
      if (transport.kind === 'ring') {
        transport.reader.waitForData(seen).then(() => done('woken'));
      } else {
        cancel = transport.peer.onChange(() => done('woken'));
        // Left over ring records were already looked at; the socket may have moved on since.
        if (transport.peer.inbox.length > 0 || transport.peer.ended) done('woken');
      }
    });
  }

  /** `#waitReady` blocking the thread; false when the deadline passes. */
  #waitReadySync(deadline: Deadline, what: string): boolean {
    for (;;) {
      const transport = this.#transport;
      const seen = transport.kind === 'ring' ? transport.reader.writtenCounter() : 0;
      if (this.#peek() !== undefined) return true;
      const remaining = deadline.remaining();
      if (remaining === 0) return false;
      if (transport.kind !== 'ring') {
        throw misuse(
          ErrorCode.InvalidState,
          `connection: ${what}() cannot wait here: the other end is in another process, and its messages arrive on this thread's event loop, which a blocked thread does not run; use await ${what.replace(/Sync$/, '')}()`,
        );
      }
      transport.reader.waitForDataSync(seen, remaining);
    }
  }

  /**
   * This wrapper is used again after another thread used the end (it was
   * passed to a thread, which used it): take it back. The ring positions
   * this wrapper's reader and writer cached are stale, so they are rebuilt
   * from the ring's own counters; an end that was closed meanwhile (by its
   * other holder, or because that thread ended) is closed here too.
   */
  #claim(transport: RingTransport): void {
    const state = Atomics.load(transport.control, Word.State + this.#end);
    if (state !== EndState.Open) {
      this.#transport = { kind: state === EndState.Away ? 'away' : 'closed' };
      throw closedError('use');
    }
    transport.reader = new RingReader(transport.memory.rings[1 - this.#end]);
    transport.writer = new RingWriter(transport.memory.rings[this.#end]);
    Atomics.store(transport.control, Word.Owner + this.#end, myOwnerId());
  }

  // ---- sending --------------------------------------------------------------

  #sendRecord(frame: Frame): void {
    const transport = this.#transport;
    switch (transport.kind) {
      case 'ring': {
        if (Atomics.load(transport.control, Word.Owner + this.#end) !== myOwnerId()) this.#claim(transport);
        const record = recordOf(frame);
        if (Atomics.load(transport.control, Word.State + 1 - this.#end) !== EndState.Open) throw new BrokenPipeError();
        if (transport.unsent.length > 0) {
          transport.unsent.push({ record, offset: 0 });
          return;
        }
        const offset = transport.writer.write(record, 0);
        transport.writer.publish();
        if (offset < record.length) {
          transport.unsent.push({ record, offset });
          flushUnsent(transport, this.#end);
        }
        return;
      }
      case 'socket':
        if (!transport.peer.send(frame)) throw new BrokenPipeError();
        return;
      case 'away':
      case 'closed':
        throw closedError('send on');
      default:
        return transport satisfies never;
    }
  }

  // ---- checks ---------------------------------------------------------------

  #checkReadable(what: string): void {
    if (this.closed) throw closedError(`${what}() on`);
    if (!this.#readable) {
      throw misuse(ErrorCode.InvalidState, `connection: ${what}() on the write-only end of Pipe({ duplex: false }); receive on the first end it returned (const [reader, writer] = Pipe({ duplex: false }))`);
    }
  }

  #checkWritable(what: string): void {
    if (this.closed) throw closedError(`${what}() on`);
    if (!this.#writable) {
      throw misuse(ErrorCode.InvalidState, `connection: ${what}() on the read-only end of Pipe({ duplex: false }); send on the second end it returned (const [reader, writer] = Pipe({ duplex: false }))`);
    }
  }

  // ---- moving to a child process -------------------------------------------

  /** @internal This end leaves for a child process: see the file's notes. */
  static crossToProcess(handle: Handle): ProcessCrossing {
    const data = handle.data as RingEndData | RelayEndData;
    const self = 'relay' in data ? lookUp(data.relay, data.end) : lookUp(data.memory.id, data.end);
    if (self === undefined) throw new Error('connection: internal error: an end crossing to a process is not known in this thread');
    return self.#moveToProcess();
  }

  #moveToProcess(): ProcessCrossing {
    const transport = this.#transport;
    if (transport.kind === 'socket') return this.#relayToProcess(transport);
    if (transport.kind !== 'ring') throw closedError('pass');
    const { memory, control } = transport;
    const end = this.#end;
    const peerEnd = (1 - end) as End;
    const peerState = Atomics.load(control, Word.State + peerEnd);
    const peer = lookUp(memory.id, peerEnd);
    const peerOpen = peerState === EndState.Open;
    if (peerState === EndState.Away) {
      // The other end went to a process, and this end's messages now come over the socket of the thread that sent it.
      throw misuse(ErrorCode.InvalidState, 'connection: the other end of this Pipe went to a process from another thread, which now holds this end; pass it on from that thread');
    }
    if (peerOpen && (peer === undefined || Atomics.load(control, Word.Owner + peerEnd) !== myOwnerId() || peer.#transport.kind !== 'ring')) {
      throw misuse(ErrorCode.InvalidState, 'connection: the other end of this Pipe is held by another thread; pass an end to a Process from the thread that holds the other one, which then talks to the child directly');
    }
    const peerRing = peerOpen ? (peer!.#transport as RingTransport) : undefined;
    if (transport.unsent[0]?.offset || peerRing?.unsent[0]?.offset) {
      throw misuse(ErrorCode.InvalidState, 'connection: a large message is half-way through this Pipe; receive it before passing an end to a Process');
    }
    // From here on nothing throws: the end is the child's.
    Atomics.store(control, Word.State + end, EndState.Away);
    const unread: Uint8Array[] = [];
    if (this.#head !== undefined && this.#head !== EOF_RECORD) unread.push(this.#head);
    for (let record = transport.reader.read(); record !== undefined; record = transport.reader.read()) {
      if (record[0] !== Kind.Eof) unread.push(record);
    }
    this.#transport = { kind: 'away' };
    this.#head = undefined;
    if (!peerOpen) {
      for (const { record } of transport.unsent) unread.push(record);
      const data: SocketEndData = { id: memory.id, end, duplex: memory.duplex, address: undefined, unread };
      return { handle: { kind: CONNECTION_KIND, scope: 'process', data } };
    }
    // The peer's sends that did not fit yet are the child's to read, after the ring.
    for (const { record } of peerRing!.unsent) unread.push(record);
    peerRing!.unsent.length = 0;
    const { peer: socket, address } = SocketPeer.listen();
    // This end's sends that did not fit yet are the peer's to read, after the ring and before the socket.
    for (const { record } of transport.unsent) socket.inbox.push(record);
    peer!.#transport = { kind: 'socket', ring: peerRing!.reader, peer: socket };
    wakePeer(memory, end); // a recv of the peer asleep on the ring looks again, at the socket
    const data: SocketEndData = { id: memory.id, end, duplex: memory.duplex, address, unread };
    return { handle: { kind: CONNECTION_KIND, scope: 'process', data }, childExited: () => socket.childExited() };
  }

  /**
   * A socket-mode end leaves for a child process: this thread relays
   * between the socket it has (to the process that holds the other end) and
   * a new one for the child. What arrived and was not read yet goes in the
   * handle, in order, before anything relayed. Relayed messages cross this
   * thread's event loop (a blocked thread stalls them); Python hands the
   * child the descriptor itself, which Node cannot.
   */
  #relayToProcess(transport: SocketTransport): ProcessCrossing {
    const upstream = transport.peer;
    const unread: Uint8Array[] = [];
    if (this.#head !== undefined && this.#head !== EOF_RECORD) unread.push(this.#head);
    if (transport.ring !== undefined) {
      for (let record = transport.ring.read(); record !== undefined; record = transport.ring.read()) if (record[0] !== Kind.Eof) unread.push(record);
    }
    for (let record = upstream.inbox.shift(); record !== undefined; record = upstream.inbox.shift()) unread.push(record);
    this.#transport = { kind: 'away' };
    this.#head = undefined;
    const data = { id: this.#id, end: this.#end, duplex: this.#readable && this.#writable, unread };
    if (upstream.ended || this.#eof) return { handle: { kind: CONNECTION_KIND, scope: 'process', data: { ...data, address: undefined } satisfies SocketEndData } };
    const { peer: downstream, address } = SocketPeer.listen();
    relay(upstream, downstream);
    relay(downstream, upstream);
    return { handle: { kind: CONNECTION_KIND, scope: 'process', data: { ...data, address } satisfies SocketEndData }, childExited: () => downstream.childExited() };
  }

  /** @internal The end in the child process. */
  static fromSocket<T>(data: SocketEndData): Connection<T> {
    const peer = data.address === undefined ? SocketPeer.ended() : SocketPeer.connect(data.address);
    const socket: SocketTransport = { kind: 'socket', ring: undefined, peer };
    for (const record of data.unread) peer.inbox.push(record);
    const connection = attach<Connection<T>, EndSource>(Connection, { id: data.id, end: data.end, duplex: data.duplex, transport: socket });
    remember(connection, data.id, data.end);
    return connection;
  }

  /** @internal The thread this wrapper lives in is ending: close the end if it is still this thread's. */
  closeIfOwned(): void {
    const transport = this.#transport;
    if (transport.kind === 'ring') {
      if (Atomics.load(transport.control, Word.Owner + this.#end) === myOwnerId()) this.close();
      return;
    }
    if (transport.kind === 'socket') this.close();
  }
}

function closedError(what: string): Error {
  return misuse(ErrorCode.ConnectionClosed, `connection: ${what} a closed Connection (closed here, or sent to another process); Python's "handle is closed"`);
}

function pollOptions(timeout: PollOptions | SyncWaitOptions | undefined): WaitOptions {
  if (timeout === undefined) return { timeout: 0 };
  if (typeof timeout === 'number') {
    checkTimeout(timeout);
    return { timeout };
  }
  return timeout;
}

// ---- this thread's ends ---------------------------------------------------------

/**
 * The wrappers of this thread, by pipe and end: an end that comes back to a
 * thread that already holds it is the same object, and a thread that ends
 * closes the ends it still owns.
 */
const ends = new Map<string, WeakRef<Connection<never>>>();
let exitHookInstalled = false;

function lookUp<T>(id: string, end: End): Connection<T> | undefined {
  return ends.get(`${id}/${end}`)?.deref() as Connection<T> | undefined;
}

function remember(connection: Connection<never> | Connection<unknown>, id: string, end: End): void {
  ends.set(`${id}/${end}`, new WeakRef(connection as Connection<never>));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const ref of ends.values()) ref.deref()?.closeIfOwned();
  });
}

registerHandleKind(CONNECTION_KIND, (data: RingEndData | SocketEndData | RelayEndData) => {
  if ('memory' in data) return Connection.fromMemory(data.memory, data.end);
  if ('relay' in data) throw misuse(ErrorCode.InvalidState, 'connection: an end that talks over a socket can only go to a Process');
  return Connection.fromSocket(data);
});
registerProcessCrossing(CONNECTION_KIND, (handle) => Connection.crossToProcess(handle));
registerBytesRefusal(CONNECTION_KIND, 'an end cannot be a pool task argument (a task may run on any worker, and an end has one owner); pass it to a Thread or Process instead');
registerThreadCrossing(CONNECTION_KIND, (handle) => {
  if (!('relay' in (handle.data as object))) return;
  throw misuse(
    ErrorCode.InvalidState,
    'connection: this end talks to a peer in another process over a socket of this thread, and stays on this thread (a Process can still take it); create the Pipe where both ends will be used, or pass the other end instead',
  );
});
