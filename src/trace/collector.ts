/**
 * A process's trace collector, on its main thread: the batches of every
 * thread of the process (its own straight from `recorder.ts`, the others'
 * from the process's trace channel) and, in the root, those the hub
 * relays from the other processes of the tree (`backends/hub/hub-sink.ts`).
 *
 * The channel must be open before any thread posts — a BroadcastChannel
 * delivers only to members that exist when a message is posted — so the
 * collector starts listening as soon as tracing is on in the main thread,
 * and `take()` reads what is still queued synchronously
 * (`receiveMessageOnPort`): at exit, no event loop turn is left to deliver it.
 *
 * It lives on `globalThis`, so that two copies of weft in one thread share it.
 */
import { BroadcastChannel, isMainThread, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Batch } from './events.js';
import { tracing } from './switch.js';

/** Events a process keeps at most (about 22 bytes each here, and a few hundred in the JSON): a runaway trace stops growing, and says how much it dropped. */
export const MAX_EVENTS = 1_000_000;

export class Collector {
  readonly #batches: Batch[] = [];
  #events = 0;
  #dropped = 0;
  #channel: BroadcastChannel | undefined;

  /** Opens the process's trace channel (idempotent). */
  listen(): void {
    if (this.#channel !== undefined) return;
    const channel = new BroadcastChannel(`weft-trace:${process.pid}`);
    channel.onmessage = (event) => this.accept((event as unknown as { data: Batch }).data);
    // The collector never keeps a process alive.
    channel.unref();
    this.#channel = channel;
  }

  /** Keeps one batch, unless the process already holds `MAX_EVENTS`. */
  accept(batch: Batch): void {
    const n = batch.ops.length;
    if (this.#events + n > MAX_EVENTS) {
      this.#dropped += n;
      return;
    }
    this.#events += n;
    this.#batches.push(batch);
  }

  /** Events dropped because the process held too many. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Everything collected so far, including what is still queued on the channel; the collector is empty afterwards. */
  take(): Batch[] {
    const port = this.#channel as unknown as MessagePort | undefined;
    if (port !== undefined) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) this.accept(m.message as Batch);
    }
    this.#events = 0;
    return this.#batches.splice(0);
  }
}

const key = Symbol.for('weft.trace.collector');
type GlobalWithCollector = typeof globalThis & { [key]?: Collector };

/** This process's collector (meaningful on its main thread). */
export function collector(): Collector {
  return ((globalThis as GlobalWithCollector)[key] ??= new Collector());
}

if (tracing && isMainThread) collector().listen();
