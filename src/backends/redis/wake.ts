/**
 * A connection's blocking loop: one `BLMPOP` at a time on its own wake
 * list (`wake:<id>`), on a connection of its own, taking up to 64 messages
 * per reply. Nothing polls: a grant or a revoke pushed by a script returns
 * the BLMPOP at once. The messages (prelude-lua.ts) are handed to
 * `deliver` in the order they were pushed.
 *
 * Closing the connection (`destroy`) fails the BLMPOP in flight, which
 * ends the loop. Another failure (the server went away) is retried after a
 * pause while the client reconnects.
 */
import type { CommandSender } from './script.js';

const BATCH = '64';
const RETRY_MS = 100;

export class WakeLoop {
  readonly #client: CommandSender;
  readonly #key: string;
  readonly #deliver: (message: string) => void;
  #stopped = false;

  constructor(client: CommandSender, key: string, deliver: (message: string) => void) {
    this.#client = client;
    this.#key = key;
    this.#deliver = deliver;
  }

  start(): void {
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let reply: [string, string[]] | null;
      try {
        reply = await this.#client.sendCommand<[string, string[]] | null>(['BLMPOP', '0', '1', this.#key, 'LEFT', 'COUNT', BATCH]);
      } catch {
        if (this.#stopped) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (reply === null) continue;
      for (const message of reply[1]) this.#deliver(message);
    }
  }
}
