/**
 * The hub's side of values that carry handles (`multiprocessing/hub-value-codec.ts`
 * writes them): what a container (a managed dict, list, namespace) and a
 * queue do with the references those handles stand for, in the terms of
 * `references.ts` (invariants 5 and 6 there).
 *
 * A value is opaque bytes; only the handle table at its head is read here:
 *
 * | layout                                                          | handles |
 * |-----------------------------------------------------------------|---------|
 * | first byte < 0x80: the codec's bytes                            | none (the common case: nothing to do, nothing copied) |
 * | `0xff`, varint n, n bytes of `v8.serialize(handles)`, codec bytes | the table; a handle's `data` may hold more handles |
 *
 * A process-scope handle names its object by `data.id` and carries the
 * reference lent for its journey as `data.ticket`. So:
 *
 * - `takeIn(bytes)`: the hub adopts every ticket for the current call and
 *   answers the value without tickets (its stored, canonical form: two
 *   values naming the same objects are equal byte for byte, so a list finds
 *   a stored proxy by `index`, whatever tickets the copies carried).
 * - `strip(bytes)`: the canonical form of a value whose tickets were
 *   already adopted elsewhere (a value the caller read and sends back to
 *   compare: `compareAndSet`'s expected value).
 * - `keep`/`release(container, bytes)`: the container's references to the
 *   objects a canonical value names (one per handle).
 * - `handOut(bytes)`: the value as it leaves to a reader, with a fresh
 *   ticket per handle, lent by the hub on the reader's behalf.
 * - `endCall()`: releases what the call took in and did not keep.
 * - `dropTickets(bytes)`: a queue discards an item whose tickets are still lent.
 */
import { deserialize, serialize } from 'node:v8';
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { HUB, IN_CALL, type References } from './references.js';

/** The first byte of a value that carries handles (codec tags are all below 0x80). */
export const WITH_HANDLES = 0xff;

let references: References | undefined;

/** Set by the hub's core (`hub.ts`): the counts every container's values join. */
export function useReferences(refs: References): void {
  references = refs;
}

interface Table {
  readonly handles: unknown[];
  /** Where the codec's bytes start. */
  readonly rest: number;
}

function tableOf(bytes: Uint8Array): Table | undefined {
  if (bytes.length === 0 || bytes[0] !== WITH_HANDLES) return undefined;
  const reader = new Reader(bytes);
  reader.u8();
  const length = reader.varint();
  const start = reader.pos;
  if (start + length > bytes.length) return undefined; // malformed: the reader will say so; nothing to count
  const handles = deserialize(bytes.subarray(start, start + length)) as unknown;
  if (!Array.isArray(handles)) return undefined;
  return { handles, rest: start + length };
}

function framed(table: Table, bytes: Uint8Array): Uint8Array {
  const head = serialize(table.handles);
  const codec = bytes.subarray(table.rest);
  const writer = new Writer(head.length + codec.length + 9);
  writer.u8(WITH_HANDLES);
  writer.varint(head.length);
  writer.reserve(head.length + codec.length);
  writer.bytes.set(head, writer.pos);
  writer.pos += head.length;
  writer.bytes.set(codec, writer.pos);
  writer.pos += codec.length;
  return writer.toBytes();
}

/** Calls `visit` with the data of every process-scope handle in `value`, nested ones included. */
function eachHandle(value: unknown, visit: (data: Record<string, unknown> & { id: number }) => void): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const inner of value) eachHandle(inner, visit);
    return;
  }
  const handle = value as { scope?: unknown; data?: unknown };
  if (handle.scope === 'process' && typeof handle.data === 'object' && handle.data !== null) {
    const data = handle.data as Record<string, unknown>;
    if (typeof data.id === 'number') visit(data as Record<string, unknown> & { id: number });
    for (const inner of Object.values(data)) eachHandle(inner, visit);
  }
}

/** The canonical form of a value sent in the current call; its tickets are adopted until `endCall()`. */
export function takeIn(bytes: Uint8Array): Uint8Array {
  const table = tableOf(bytes);
  if (table === undefined) return bytes;
  eachHandle(table.handles, (data) => {
    if (typeof data.ticket === 'string') references?.apply(HUB, IN_CALL, ['adopt', data.id, data.ticket]);
    else references?.apply(HUB, IN_CALL, ['retain', data.id]);
    delete data.ticket;
  });
  return framed(table, bytes);
}

/** The canonical form of a value whose tickets are someone else's (already adopted). */
export function strip(bytes: Uint8Array): Uint8Array {
  const table = tableOf(bytes);
  if (table === undefined) return bytes;
  eachHandle(table.handles, (data) => {
    delete data.ticket;
  });
  return framed(table, bytes);
}

/** Container `container` now stores the canonical `bytes`: one reference per handle. */
export function keep(container: number, bytes: Uint8Array): void {
  const table = tableOf(bytes);
  if (table !== undefined) eachHandle(table.handles, (data) => references?.store(container, data.id));
}

/** Container `container` no longer stores `bytes`. */
export function release(container: number, bytes: Uint8Array): void {
  const table = tableOf(bytes);
  if (table !== undefined) eachHandle(table.handles, (data) => references?.unstore(container, data.id));
}

/** A stored value as it leaves to a reader: a fresh hub-lent ticket per handle, which the reader's wrapper adopts. */
export function handOut(bytes: Uint8Array): Uint8Array {
  const table = tableOf(bytes);
  if (table === undefined) return bytes;
  eachHandle(table.handles, (data) => {
    const ticket = references?.lendFromHub(data.id);
    // An object already gone (cannot happen while stored) is attached without a ticket: a retain, ignored.
    if (ticket !== undefined) data.ticket = ticket;
  });
  return framed(table, bytes);
}

/** The end of a call on a container: what it took in and did not keep is released (invariant 5). */
export function endCall(): void {
  references?.gone(HUB, IN_CALL);
}

/** A queued item discarded: its lent tickets will never be adopted. */
export function dropTickets(bytes: Uint8Array): void {
  const table = tableOf(bytes);
  if (table === undefined) return;
  eachHandle(table.handles, (data) => {
    if (typeof data.ticket === 'string') references?.apply(HUB, IN_CALL, ['drop', data.id, data.ticket]);
  });
}

/** A container is empty for good (shut down, or freed): every reference it held goes. */
export function releaseAll(container: number): void {
  references?.gone(HUB, container);
}
