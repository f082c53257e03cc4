/**
 * The sending side of a ring-mode Connection end (connection.ts): what a
 * wrapper holds while both ends are in one process, how a send that does
 * not fit waits for room, and how an end closes.
 *
 * A message that does not fit in the ring waits in `unsent`, in the
 * sender's memory, and is written as the reader makes room. While the
 * reader is another thread's, the wait holds the event loop (and a thread
 * or child ending through process.exit() waits for it, exit-flush.ts), so
 * the messages get there, as Python's blocked send would. With both ends
 * in this thread nobody else can read them: a forgotten Pipe does not keep
 * the program alive. `close()` with messages still unsent marks the end
 * Closed only once they are in the ring: a reader that sees Closed has seen
 * everything (pipe-memory.ts).
 */
import { registerExitFlush } from '../internal/exit-flush.js';
import { holdEventLoop, releaseEventLoop } from '../internal/keepalive.js';
import type { RingReader, RingWriter } from '../pool/byte-ring.js';
import { Kind } from './message-record.js';
import { EndState, Word, myOwnerId, wakePeer, type End, type PipeMemory } from './pipe-memory.js';

/** An EOF record: what `close()` writes into its ring, so that a reader asleep on the ring wakes (see pipe-memory.ts). */
export const EOF_RECORD = new Uint8Array([Kind.Eof]);

/** A message that did not fit in the ring yet: `record` from `offset` on. */
export interface Unsent {
  readonly record: Uint8Array;
  offset: number;
}

export interface RingTransport {
  readonly kind: 'ring';
  readonly memory: PipeMemory;
  readonly control: Int32Array;
  /** Rebuilt when the end comes back from another thread (`#claim`): its position lives in the ring, not here. */
  reader: RingReader;
  writer: RingWriter;
  /** Sends waiting for room, oldest first. */
  readonly unsent: Unsent[];
  /** The flush of `unsent` is running. */
  flushing: boolean;
  /** `close()` was called while `unsent` waited: the flush closes the end when it is done. */
  closing: boolean;
}

export function closeRing(transport: RingTransport, end: End): void {
  if (Atomics.load(transport.control, Word.State + end) !== EndState.Open || transport.closing) return;
  if (transport.unsent.length > 0) {
    // Messages still wait for room: the Closed state and the EOF record follow them (flushUnsent).
    transport.closing = true;
    return;
  }
  markClosed(transport, end);
}

/**
 * Stores Closed, then writes the EOF record: the record changes WRITTEN, so
 * a reader that looked at the state before it changed still wakes
 * (pipe-memory.ts). Everything this end sent is in the ring by now.
 */
function markClosed(transport: RingTransport, end: End): void {
  const { control, memory } = transport;
  if (Atomics.compareExchange(control, Word.State + end, EndState.Open, EndState.Closed) !== EndState.Open) return;
  if (transport.writer.write(EOF_RECORD, 0) === 1) transport.writer.publish();
  wakePeer(memory, end);
}

/**
 * Writes `unsent` as the reader makes room; drops it if the reader goes
 * away. While the reader is another thread's, it holds the event loop (and
 * a thread's end waits for it, exit-flush.ts), so the messages get there,
 * as Python's blocked send would. With both ends in this thread, nobody
 * else can read them: a forgotten Pipe does not keep the program alive.
 */
export function flushUnsent(transport: RingTransport, end: End): void {
  if (transport.flushing) return;
  transport.flushing = true;
  const flushed = writeUnsent(transport, end);
  flushesInFlight.set(flushed, { transport, end });
  void flushed.finally(() => flushesInFlight.delete(flushed));
  if (!flushRegistered) {
    flushRegistered = true;
    registerExitFlush(async () => {
      for (;;) {
        const waiting = [...flushesInFlight].filter(([, held]) => readerIsElsewhere(held.transport, held.end)).map(([flush]) => flush);
        if (waiting.length === 0) return;
        await Promise.all(waiting);
      }
    });
  }
}

const flushesInFlight = new Map<Promise<void>, { readonly transport: RingTransport; readonly end: End }>();
let flushRegistered = false;

function readerIsElsewhere(transport: RingTransport, end: End): boolean {
  return Atomics.load(transport.control, Word.Owner + 1 - end) !== myOwnerId();
}

async function writeUnsent(transport: RingTransport, end: End): Promise<void> {
  const { writer, control, unsent } = transport;
  try {
    while (unsent.length > 0) {
      const seenRead = writer.readCounter();
      const peerState = Atomics.load(control, Word.State + 1 - end);
      if (peerState !== EndState.Open) {
        unsent.length = 0; // nobody will read them: Python's EPIPE
        if (transport.closing) markClosed(transport, end);
        return;
      }
      let progressed = false;
      while (unsent.length > 0) {
        const head = unsent[0];
        const offset = writer.write(head.record, head.offset);
        if (offset !== head.offset) progressed = true;
        head.offset = offset;
        if (offset < head.record.length) break;
        unsent.shift();
      }
      writer.publish();
      if (unsent.length === 0) {
        if (transport.closing) markClosed(transport, end);
        return;
      }
      if (progressed) continue;
      const hold = readerIsElsewhere(transport, end);
      if (hold) holdEventLoop();
      try {
        await writer.waitForRoom(seenRead);
      } finally {
        if (hold) releaseEventLoop();
      }
    }
  } finally {
    transport.flushing = false;
  }
}
