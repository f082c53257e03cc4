/**
 * A connection's blocking loop: it reads its own wake list (`wake:<id>`) on
 * a connection of its own and hands each message (prelude-lua.ts) to
 * `deliver`, in the order they were pushed. Nothing polls: a grant or a
 * revoke pushed by a script returns the blocked read at once.
 *
 * ## No message is lost between the server and `deliver`
 *
 * A read never removes a message from the server: it moves it from
 * `wake:<id>` to the in-delivery list `inflight:<id>`, and a message
 * leaves `inflight:<id>` only once it was delivered. Each turn sends, in
 * one pipeline:
 *
 * 1. `TAKE`: deletes `inflight:<id>` (every message in it was delivered:
 *    the previous turn's replies were all read before this turn is sent),
 *    then moves up to 64 waiting messages from `wake:<id>` into it and
 *    answers them;
 * 2. `BLMOVE wake:<id> inflight:<id> LEFT RIGHT 0`: blocks until one more
 *    message comes, and moves it.
 *
 * TAKE's messages are delivered as soon as its reply comes, while the
 * BLMOVE still waits; the BLMOVE's message when it returns; then the next
 * turn. One round trip per wake-up.
 *
 * The next turn is sent one event-loop turn after a BLMOVE's message was
 * delivered, not at once: what the woken call does next (a lock's release
 * that hands it to the next process, a pool slot's next take) is then
 * written first. That write is the next process's wake-up; the re-arm is
 * nobody's (a message pushed meanwhile waits on `wake:<id>` for the TAKE).
 * Sent at once, the re-arm took the first socket write of the turn
 * (writes cost tens of µs here) on every hop of a contended lock's chain.
 *
 * If the connection breaks (a reply may have been lost: its messages sit in
 * `inflight:<id>`), the loop waits for the client to reconnect, reads
 * `inflight:<id>` (`LRANGE`) and delivers it again before the next `TAKE`
 * deletes it. A message can thus be delivered twice; `deliver` ignores a
 * second grant for the same wait (waits.ts) and a stale revoke (owned-lock.ts).
 * If the process dies instead, its reaper treats `inflight:<id>` as unread
 * wake messages (`reap` in prelude-lua.ts). A connection that leaves
 * normally first drops the head it already delivered (`dropDelivered`), so
 * that only what it moved and never read is taken for unread.
 *
 * Closing the connection (`destroy`) fails the read in flight, which ends
 * the loop.
 */
import { sha1, type CommandSender, type Script } from './script.js';

const BATCH = '64';
const RETRY_MS = 100;

/** KEYS: the wake list, the in-delivery list. Drops the delivered messages, moves up to ARGV[1] waiting ones. */
const TAKE_SOURCE = String.raw`
redis.call('DEL', KEYS[2])
local popped = redis.call('LMPOP', 1, KEYS[1], 'LEFT', 'COUNT', tonumber(ARGV[1]))
if not popped then return {} end
redis.call('RPUSH', KEYS[2], unpack(popped[2]))
return popped[2]
`;
let takeSha: string | undefined;
export const WAKE_TAKE: Script = {
  name: 'wake.take',
  source: TAKE_SOURCE,
  // On first use, as every script's (`script.ts`).
  get sha() {
    return (takeSha ??= sha1(TAKE_SOURCE));
  },
};

/**
 * Test hooks (never set in production): `afterRead` runs on each batch of
 * messages read, before they are delivered. It may stall (a test then
 * kills the process: the messages must not be lost), or answer 'drop' to
 * behave as if the reply had been lost with the connection.
 */
export const wakeTestHooks: { afterRead?: (messages: readonly string[]) => Promise<'deliver' | 'drop'> } = {};

export class WakeLoop {
  readonly #client: CommandSender;
  readonly #key: string;
  readonly #inflight: string;
  readonly #deliver: (message: string) => void;
  #stopped = false;
  /** How many messages at the head of `inflight:<id>` were delivered (the next TAKE deletes them). */
  #delivered = 0;

  constructor(client: CommandSender, key: string, inflight: string, deliver: (message: string) => void) {
    this.#client = client;
    this.#key = key;
    this.#inflight = inflight;
    this.#deliver = deliver;
  }

  start(): void {
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
  }

  /**
   * The command that drops the messages already delivered from the in-delivery
   * list, for a connection that leaves: no TAKE will, and its reaper must not
   * take them for unread (a pool task would be counted as lost, an item put
   * back twice). Messages moved and not yet read stay: those are unread.
   */
  dropDelivered(): string[] | undefined {
    return this.#delivered === 0 ? undefined : ['LTRIM', this.#inflight, String(this.#delivered), '-1'];
  }

  async #loop(): Promise<void> {
    let recovering = false;
    while (!this.#stopped) {
      try {
        if (recovering) {
          this.#delivered = 0;
          await this.#hand(await this.#client.sendCommand<string[]>(['LRANGE', this.#inflight, '0', '-1']));
        }
        recovering = false;
        await this.#turn();
      } catch (error) {
        if (this.#stopped) return;
        // Commands on this connection run in order: the LRANGE above runs only
        // after a BLMOVE left blocked by the failed turn returned.
        recovering = true;
        if (String((error as Error)?.message).startsWith('NOSCRIPT')) {
          await this.#client.sendCommand(['SCRIPT', 'LOAD', WAKE_TAKE.source]).catch(() => {});
        } else {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    }
  }

  /** One turn: TAKE and BLMOVE sent together; each reply delivered as it comes. */
  async #turn(): Promise<void> {
    this.#delivered = 0; // TAKE deletes them
    const take = this.#client.sendCommand<string[]>(['EVALSHA', WAKE_TAKE.sha, '2', this.#key, this.#inflight, BATCH]);
    const move = this.#client.sendCommand<string | null>(['BLMOVE', this.#key, this.#inflight, 'LEFT', 'RIGHT', '0']);
    move.catch(() => {}); // awaited below, unless TAKE failed first
    await this.#hand(await take);
    const one = await move;
    if (one === null) return;
    await this.#hand([one]);
    // The woken call's reaction, sent in this tick, goes out before the next turn (see the header).
    await new Promise((resolve) => setImmediate(resolve));
  }

  async #hand(messages: readonly string[]): Promise<void> {
    if (messages.length === 0) return;
    if (wakeTestHooks.afterRead !== undefined && (await wakeTestHooks.afterRead(messages)) === 'drop') {
      throw new Error('wake: a test hook dropped this reply');
    }
    for (const message of messages) {
      this.#deliver(message);
      this.#delivered += 1;
    }
  }
}
