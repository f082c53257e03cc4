/**
 * The messages between a pool and its workers, as bytes: the same encoding
 * goes through a thread worker's byte rings (`byte-ring.ts`) and a process
 * worker's socket (`process-channel.ts`).
 *
 * Messages travel in records: a record is one version byte, then as many
 * messages as the sender had ready — a burst of tasks is one record per
 * worker, the results of a run of tasks one record back. Values (arguments,
 * results, errors) are written by the value codec straight into the record,
 * and read straight out of it.
 *
 * Pool → worker:
 *
 * | type   | fields                                     | meaning                                           |
 * |--------|--------------------------------------------|---------------------------------------------------|
 * | Define | fnId, target                               | fnId names this exported function from now on     |
 * | Task   | taskId, fnId, flags, handles, args         | run fnId(...args); or, with Chunk, once per item  |
 * | Abort  | taskId                                     | the task timed out or was aborted: fire its signal |
 * | Stop   | —                                          | finish what you have, then exit                   |
 * | Halt   | —                                          | exit now (the pool is terminating)                |
 *
 * Worker → pool:
 *
 * | type    | fields                                    | meaning                                          |
 * |---------|-------------------------------------------|--------------------------------------------------|
 * | Started | taskId                                    | the task is about to run (see below)             |
 * | Result  | taskId, ok, runMicros, handles, value     | the task ended: its result, or (not ok) its error |
 * | Ready   | —                                         | the initializer ran; tasks may come              |
 *
 * Why `Started`: a worker receives several tasks ahead and runs them in
 * the order sent. When it dies, the pool must fail exactly the tasks it had
 * begun and give the others to another worker; and a task's timeout runs
 * from its start, not from its dispatch. So the worker says when each task
 * begins, without an extra wake-up of the pool: over a socket the `Started`
 * goes out in the same write as the previous task's result; in a ring it
 * is its own small record, published without waking the reader (only a
 * task with a timeout wakes it, since its clock starts there).
 *
 * Either way:
 *
 * | type    | fields                                    | meaning                                          |
 * |---------|-------------------------------------------|--------------------------------------------------|
 * | Release | n, n × id                                 | the sender's shared buffers with these numbers are gone (thread channels only) |
 *
 * Weft objects among values travel as their handles, written before the
 * value. A process-scope object's handle is plain data (a hub id). A
 * thread-scope object's handle holds the SharedArrayBuffer its state lives
 * in, which bytes cannot carry: on a thread worker's channel each buffer is
 * written as a number and travels beside the record on a MessagePort
 * (`shared-buffers.ts` has how, and why the record never arrives first);
 * `Release` lets the reader drop buffers the sender no longer has. A process
 * worker's channel has no such side channel: a thread-scope object cannot
 * reach another process (`ERR_WRONG_SCOPE`, Python's pickling error for a
 * `threading.Lock`).
 */
import type { Handle } from '../codec/handles.js';
import { Reader, malformed } from '../codec/reader.js';
import { encodeError, decodeError, type EncodedError } from '../codec/remote-error.js';
import { decodeValue, encodeValue } from '../codec/value-codec.js';
import { Writer } from '../codec/writer.js';
import { ErrorCode, misuse } from '../errors.js';
import type { TargetRef } from '../runtime/target.js';
import { markRemote } from './await-site.js';
import type { SharedBufferReceiver, SharedBufferSender } from './shared-buffers.js';

/** The first byte of every record; a worker of another weft version is refused rather than misread. */
const PROTOCOL_VERSION = 1;

export const MessageType = {
  Define: 1,
  Task: 2,
  Abort: 3,
  Stop: 4,
  Halt: 5,
  Started: 10,
  Result: 11,
  Ready: 12,
  Release: 20,
} as const;

/** Task flags. */
export const TaskFlag = {
  /** Args is a list of items; call fn once per item and return the list of results (map's chunks). */
  Chunk: 1,
  /** With Chunk: each item is an argument list (starmap). */
  Star: 2,
  /** The task has a timeout or a signal: run it with its own AbortSignal (`task-signal.ts`), and report its start at once. */
  Signal: 4,
} as const;

export type ToWorker =
  | { readonly type: typeof MessageType.Define; readonly fnId: number; readonly target: TargetRef }
  | { readonly type: typeof MessageType.Task; readonly taskId: number; readonly fnId: number; readonly flags: number; readonly args: unknown[] }
  | { readonly type: typeof MessageType.Abort; readonly taskId: number }
  | { readonly type: typeof MessageType.Stop }
  | { readonly type: typeof MessageType.Halt };

export type TaskMessage = Extract<ToWorker, { type: typeof MessageType.Task }>;

export type FromWorker =
  | { readonly type: typeof MessageType.Started; readonly taskId: number }
  | { readonly type: typeof MessageType.Result; readonly taskId: number; readonly ok: boolean; readonly runMicros: number; readonly value: unknown }
  | { readonly type: typeof MessageType.Ready };

export type ResultMessage = Extract<FromWorker, { type: typeof MessageType.Result }>;

/** Arguments already encoded by `encodeArgs` at submit (they could have failed there), or plain ones encoded on the way. */
export type TaskArgs = { readonly bytes: Uint8Array; readonly handles: readonly Handle[] } | readonly unknown[];

/** Builds records: messages appended one by one, taken as one record. */
export class RecordWriter {
  readonly #writer = new Writer(1024);
  /** Where the SharedArrayBuffers of thread-scope handles go; undefined on a process worker's channel. */
  readonly #buffers: SharedBufferSender | undefined;

  constructor(buffers?: SharedBufferSender) {
    this.#buffers = buffers;
  }

  /** True when no message has been added since the last `take()`. */
  get empty(): boolean {
    return this.#writer.pos === 0;
  }

  /** The record made of the messages added so far (a copy); the writer starts over. */
  take(): Uint8Array {
    const released = this.#buffers?.takeReleased();
    if (released !== undefined) {
      // Last in the record: every message that named these buffers is before it (shared-buffers.ts).
      const writer = this.#begin(MessageType.Release);
      writer.varint(released.length);
      for (const id of released) writer.varint(id);
    }
    const record = this.#writer.toBytes();
    this.#writer.reset();
    return record;
  }

  define(fnId: number, target: TargetRef): void {
    this.#begin(MessageType.Define);
    this.#writer.varint(fnId);
    encodeValue(target, this.#writer, []);
  }

  task(taskId: number, fnId: number, flags: number, args: TaskArgs): void {
    const writer = this.#begin(MessageType.Task);
    writer.varint(taskId);
    writer.varint(fnId);
    writer.u8(flags);
    if (Array.isArray(args)) {
      writer.u8(0); // no handles
      encodeValue(args, writer, []);
      return;
    }
    const encoded = args as { bytes: Uint8Array; handles: readonly Handle[] };
    this.#handles(encoded.handles);
    // encodeArgs' bytes start with the codec's version byte; the record has its own.
    writer.raw(encoded.bytes.subarray(1));
  }

  abort(taskId: number): void {
    this.#begin(MessageType.Abort).varint(taskId);
  }

  stop(): void {
    this.#begin(MessageType.Stop);
  }

  halt(): void {
    this.#begin(MessageType.Halt);
  }

  started(taskId: number): void {
    this.#begin(MessageType.Started).varint(taskId);
  }

  ready(): void {
    this.#begin(MessageType.Ready);
  }

  /** A task's outcome. A value that cannot cross back fails the task with why; this never throws. */
  result(taskId: number, ok: boolean, runMicros: number, value: unknown): void {
    const writer = this.#writer;
    const start = writer.pos;
    try {
      this.#writeResult(taskId, ok, runMicros, ok ? value : encodeError(value));
    } catch (error) {
      writer.pos = start;
      if (ok) this.result(taskId, false, runMicros, error);
      else this.#writeResult(taskId, false, runMicros, withoutProps(encodeError(value)));
    }
  }

  #writeResult(taskId: number, ok: boolean, runMicros: number, value: unknown): void {
    const writer = this.#writer;
    const start = writer.pos;
    const header = (): void => {
      this.#begin(MessageType.Result);
      writer.varint(taskId);
      writer.u8(ok ? 1 : 0);
      writer.varint(runMicros);
    };
    header();
    writer.u8(0); // no handles, unless the value has some
    const handles: Handle[] = [];
    encodeValue(value, writer, handles, { path: 'result' });
    if (handles.length === 0) return;
    // Rare: weft objects in the value. Their handles go first, so write it again behind them.
    const local = handles.find((handle) => handle.scope === 'thread');
    if (local !== undefined && this.#buffers === undefined) throw threadScopeResult(local);
    writer.pos = start;
    header();
    this.#handles(handles);
    encodeValue(value, writer, [], { path: 'result' });
  }

  /**
   * The handles of a message's weft objects, as one value after a presence
   * flag. Their SharedArrayBuffers (thread scope) go to the channel's
   * shared-buffer table, posted before this record can be published.
   */
  #handles(handles: readonly Handle[]): void {
    const writer = this.#writer;
    if (handles.length === 0) {
      writer.u8(0);
      return;
    }
    writer.u8(1);
    const stray: Handle[] = [];
    encodeValue(handles, writer, stray, { path: 'handles', buffers: this.#buffers });
    // Only a SharedArrayBuffer in a handle's data becomes a handle here, and only without a table: the engine refuses thread-scope objects for process workers before this.
    if (stray.length > 0) throw new Error(`pool: a thread-scope object (${handles.find((handle) => handle.scope === 'thread')?.kind}) reached a process worker's channel (a pool bug)`);
  }

  #begin(type: number): Writer {
    if (this.#writer.pos === 0) this.#writer.u8(PROTOCOL_VERSION);
    this.#writer.u8(type);
    return this.#writer;
  }
}

/** Reads the messages of one record, in order. */
export class RecordReader {
  readonly #reader: Reader;
  readonly #buffers: SharedBufferReceiver | undefined;

  /** `buffers`: the channel's shared-buffer table (thread workers), for the SharedArrayBuffers of thread-scope handles. */
  constructor(record: Uint8Array, buffers?: SharedBufferReceiver) {
    this.#reader = new Reader(record);
    this.#buffers = buffers;
    const version = this.#reader.u8();
    if (version !== PROTOCOL_VERSION) throw malformed(`pool protocol version ${version}, this weft speaks ${PROTOCOL_VERSION} (are two weft versions talking?)`);
  }

  /** True when every message has been read. `Release` messages are applied here, unseen by the caller. */
  get done(): boolean {
    const reader = this.#reader;
    while (reader.remaining > 0 && reader.bytes[reader.pos] === MessageType.Release) {
      reader.pos += 1;
      const ids: number[] = [];
      for (let n = reader.varint(); n > 0; n--) ids.push(reader.varint());
      if (this.#buffers === undefined) throw malformed('a Release message on a channel without shared buffers');
      this.#buffers.release(ids);
    }
    return reader.remaining === 0;
  }

  /** The next message to a worker. */
  toWorker(): ToWorker {
    const reader = this.#reader;
    const type = reader.u8();
    switch (type) {
      case MessageType.Define:
        return { type, fnId: reader.varint(), target: decodeValue(reader, []) as TargetRef };
      case MessageType.Task: {
        const taskId = reader.varint();
        const fnId = reader.varint();
        const flags = reader.u8();
        const handles = this.#readHandles();
        return { type, taskId, fnId, flags, args: decodeValue(reader, handles) as unknown[] };
      }
      case MessageType.Abort:
        return { type, taskId: reader.varint() };
      case MessageType.Stop:
      case MessageType.Halt:
        return { type };
      default:
        throw malformed(`unknown message type ${type} from the pool`);
    }
  }

  /** The next message from a worker; a failed task's error is rebuilt, with its remote stack. */
  fromWorker(): FromWorker {
    const reader = this.#reader;
    const type = reader.u8();
    switch (type) {
      case MessageType.Started:
        return { type, taskId: reader.varint() };
      case MessageType.Result: {
        const taskId = reader.varint();
        const ok = reader.u8() === 1;
        const runMicros = reader.varint();
        const handles = this.#readHandles();
        const value = decodeValue(reader, handles);
        return { type, taskId, ok, runMicros, value: ok ? value : markRemote(decodeError(value as EncodedError)) };
      }
      case MessageType.Ready:
        return { type };
      default:
        throw malformed(`unknown message type ${type} from a worker`);
    }
  }

  #readHandles(): Handle[] {
    const reader = this.#reader;
    if (reader.u8() === 0) return [];
    const handles = decodeValue(reader, [], this.#buffers);
    if (!Array.isArray(handles)) throw malformed('handles are not an array');
    return handles as Handle[];
  }
}

/** An error whose own properties hold something bytes cannot carry keeps its name, message and stack. */
function withoutProps(encoded: EncodedError): EncodedError {
  const { props: _dropped, ...plain } = encoded;
  return plain;
}

/** A process worker's task returned a thread-scope object: its shared memory cannot leave that process. */
function threadScopeResult(handle: Handle): Error {
  return misuse(
    ErrorCode.WrongScope,
    `pool: the task returned a thread-scope weft object (${handle.kind}), which cannot leave the worker's process; ` +
      'return plain data, or use the process-scope one from weft/multiprocessing',
  );
}
