/**
 * The messages between a pool and its workers, as bytes: the same encoding
 * goes through a thread worker's byte rings (`byte-ring.ts`) and a process
 * worker's socket (`process-channel.ts`).
 *
 * Pool → worker:
 *
 * | type   | fields                                   | meaning                                           |
 * |--------|------------------------------------------|---------------------------------------------------|
 * | Define | fnId, target (value codec)               | fnId names this exported function from now on     |
 * | Task   | taskId, fnId, flags, args (value codec)  | run fnId(...args); or, with CHUNK, once per item  |
 * | Abort  | taskId                                   | the task timed out or was aborted: fire its signal |
 * | Stop   | —                                        | finish what you have, then exit                   |
 * | Halt   | —                                        | exit now (the pool is terminating)                |
 *
 * Worker → pool:
 *
 * | type    | fields                                   | meaning                                          |
 * |---------|------------------------------------------|--------------------------------------------------|
 * | Started | taskId                                   | the task is about to run (see below)             |
 * | Result  | taskId, ok, runMicros, value or error    | the task ended                                   |
 * | Ready   | —                                        | the initializer ran; tasks may come              |
 *
 * Why `Started`: a worker receives several tasks ahead and runs them in
 * the order sent. When it dies, the pool must fail exactly the tasks it had
 * begun and give the others to another worker; and a task's timeout runs
 * from its start, not from its dispatch. So the worker says when each task
 * begins — in the same write as the previous task's result, so it costs no
 * extra wake-up (`worker-main.ts`).
 *
 * Arguments and results are the value codec's bytes. Weft objects among
 * them travel as their handles, encoded inline: that works for process-scope
 * objects (a hub id); a thread-scope object lives in a SharedArrayBuffer,
 * which bytes cannot carry, so it must reach the workers through
 * `initargs` — which is also Python's rule for a `Lock` and a pool.
 */
import type { Handle } from '../codec/handles.js';
import { ErrorCode, misuse } from '../errors.js';
import { Reader } from '../codec/reader.js';
import { decode, encode } from '../codec/value-codec.js';
import { Writer } from '../codec/writer.js';
import { encodeError, decodeError, type EncodedError } from '../codec/remote-error.js';
import type { TargetRef } from '../runner/target.js';
import { markRemote } from './await-site.js';

export const MessageType = {
  Define: 1,
  Task: 2,
  Abort: 3,
  Stop: 4,
  Halt: 5,
  Started: 10,
  Result: 11,
  Ready: 12,
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

export interface DefineMessage {
  readonly type: typeof MessageType.Define;
  readonly fnId: number;
  readonly target: TargetRef;
}

export interface TaskMessage {
  readonly type: typeof MessageType.Task;
  readonly taskId: number;
  readonly fnId: number;
  readonly flags: number;
  readonly args: Uint8Array;
  readonly handles: readonly Handle[];
}

export interface AbortMessage {
  readonly type: typeof MessageType.Abort;
  readonly taskId: number;
}

export interface StopMessage {
  readonly type: typeof MessageType.Stop;
}

export interface HaltMessage {
  readonly type: typeof MessageType.Halt;
}

export type ToWorker = DefineMessage | TaskMessage | AbortMessage | StopMessage | HaltMessage;

export interface StartedMessage {
  readonly type: typeof MessageType.Started;
  readonly taskId: number;
}

export interface ResultMessage {
  readonly type: typeof MessageType.Result;
  readonly taskId: number;
  readonly ok: boolean;
  readonly runMicros: number;
  /** The value codec's bytes: the result, or (not ok) the `EncodedError`. */
  readonly payload: Uint8Array;
  readonly handles: readonly Handle[];
}

export interface ReadyMessage {
  readonly type: typeof MessageType.Ready;
}

export type FromWorker = StartedMessage | ResultMessage | ReadyMessage;

const scratch = new Writer(256);

function finish(writer: Writer): Uint8Array {
  return writer.toBytes();
}

/** Handles ride inline as value-codec bytes, after a presence flag. */
function writeHandles(writer: Writer, handles: readonly Handle[]): void {
  if (handles.length === 0) {
    writer.u8(0);
    return;
  }
  writer.u8(1);
  writeBytes(writer, encode(handles));
}

function readHandles(reader: Reader): Handle[] {
  if (reader.u8() === 0) return [];
  return decode(readBytes(reader)) as Handle[];
}

function writeBytes(writer: Writer, bytes: Uint8Array): void {
  writer.varint(bytes.length);
  writer.raw(bytes);
}

function readBytes(reader: Reader): Uint8Array {
  return reader.copy(reader.varint());
}

export function encodeDefine(fnId: number, target: TargetRef): Uint8Array {
  scratch.reset();
  scratch.u8(MessageType.Define);
  scratch.varint(fnId);
  writeBytes(scratch, encode(target));
  return finish(scratch);
}

export function encodeTask(taskId: number, fnId: number, flags: number, args: Uint8Array, handles: readonly Handle[]): Uint8Array {
  scratch.reset();
  scratch.u8(MessageType.Task);
  scratch.varint(taskId);
  scratch.varint(fnId);
  scratch.u8(flags);
  writeBytes(scratch, args);
  writeHandles(scratch, handles);
  return finish(scratch);
}

export function encodeAbort(taskId: number): Uint8Array {
  scratch.reset();
  scratch.u8(MessageType.Abort);
  scratch.varint(taskId);
  return finish(scratch);
}

export function encodeStop(): Uint8Array {
  return Uint8Array.of(MessageType.Stop);
}

export function encodeHalt(): Uint8Array {
  return Uint8Array.of(MessageType.Halt);
}

export function encodeStarted(taskId: number): Uint8Array {
  scratch.reset();
  scratch.u8(MessageType.Started);
  scratch.varint(taskId);
  return finish(scratch);
}

export function encodeReady(): Uint8Array {
  return Uint8Array.of(MessageType.Ready);
}

/** A task's outcome. The value must already be encoded (`encodeOutcome`). */
export function encodeResult(taskId: number, ok: boolean, runMicros: number, payload: Uint8Array, handles: readonly Handle[]): Uint8Array {
  scratch.reset();
  scratch.u8(MessageType.Result);
  scratch.varint(taskId);
  scratch.u8(ok ? 1 : 0);
  scratch.varint(runMicros);
  writeBytes(scratch, payload);
  writeHandles(scratch, handles);
  return finish(scratch);
}

export function decodeToWorker(bytes: Uint8Array): ToWorker {
  const reader = new Reader(bytes);
  const type = reader.u8();
  switch (type) {
    case MessageType.Define:
      return { type, fnId: reader.varint(), target: decode(readBytes(reader)) as TargetRef };
    case MessageType.Task:
      return { type, taskId: reader.varint(), fnId: reader.varint(), flags: reader.u8(), args: readBytes(reader), handles: readHandles(reader) };
    case MessageType.Abort:
      return { type, taskId: reader.varint() };
    case MessageType.Stop:
    case MessageType.Halt:
      return { type };
    default:
      throw new Error(`pool: unknown message type ${type} from the pool (are two weft versions talking?)`);
  }
}

export function decodeFromWorker(bytes: Uint8Array): FromWorker {
  const reader = new Reader(bytes);
  const type = reader.u8();
  switch (type) {
    case MessageType.Started:
      return { type, taskId: reader.varint() };
    case MessageType.Result:
      return { type, taskId: reader.varint(), ok: reader.u8() === 1, runMicros: reader.varint(), payload: readBytes(reader), handles: readHandles(reader) };
    case MessageType.Ready:
      return { type };
    default:
      throw new Error(`pool: unknown message type ${type} from a worker (are two weft versions talking?)`);
  }
}

/** A task's value or error as payload bytes and handles, ready for `encodeResult`. Never throws. */
export function encodeOutcome(ok: boolean, value: unknown): { ok: boolean; payload: Uint8Array; handles: Handle[] } {
  if (ok) {
    try {
      const handles: Handle[] = [];
      const payload = encode(value, handles, { path: 'result' });
      const local = handles.find((handle) => handle.scope === 'thread');
      if (local !== undefined) throw threadScopeResult(local);
      return { ok: true, payload, handles };
    } catch (error) {
      // The result cannot cross back: the task fails with why.
      return encodeOutcome(false, error);
    }
  }
  const encoded: EncodedError = encodeError(value);
  try {
    const handles: Handle[] = [];
    return { ok: false, payload: encode(encoded, handles), handles };
  } catch {
    // An error whose own properties hold something bytes cannot carry: keep its name, message and stack.
    const { props: _dropped, ...plain } = encoded;
    return { ok: false, payload: encode(plain), handles: [] };
  }
}

function threadScopeResult(handle: Handle): Error {
  return misuse(
    ErrorCode.NotSerializable,
    `pool: the task returned a thread-scope weft object (${handle.kind}), which cannot travel back in a result; return plain data, or share it through initargs`,
  );
}

/** The value or the rebuilt error of a Result. */
export function decodeOutcome(message: ResultMessage): unknown {
  const value = decode(message.payload, message.handles);
  return message.ok ? value : markRemote(decodeError(value as EncodedError));
}
