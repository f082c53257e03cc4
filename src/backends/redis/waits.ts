/**
 * A connection's waits in progress: each has a number (`seq`) unique in the
 * connection, and the server names it `<id>:<seq>` in the queue it joined.
 * A grant for it comes on the connection's wake list (wake.ts), possibly
 * before the reply of the script that queued it (two sockets), so a wait
 * is registered before that script is sent.
 *
 * A timeout or an abort withdraws the wait with its object's `withdraw`
 * script, which decides atomically: either the wait leaves the queue, or
 * it had already been granted and the script undoes that (passes a lock
 * on, gives a permit back). A grant message that arrives after the
 * withdrawal started is used only if the script says so ('take': a queue's
 * item was already handed over and must not be lost).
 *
 * If the connection to the server breaks while the queuing script is in
 * flight, the wait is withdrawn after the reconnection (see #enqueue).
 *
 * If the connection's lease ran out (it was paused), the server dropped
 * its queued waits; `resubmitAll` queues every wait in progress again. A
 * wait caught withdrawing then fails instead: the grant message it may be
 * waiting for ('take') was dropped with the connection's wake list (and
 * what it carried went back, see `reap` in prelude-lua.ts).
 */
import { ErrorCode, misuse } from '../../errors.js';
import { isDisconnected } from './script.js';

/** A wait's grant, as the wake message or the queuing script gave it. */
export interface Grant {
  /** A lock's fencing token, as the server wrote it ('0' for other kinds). */
  readonly fence: string;
  /** The last holder expired holding the lock. */
  readonly died: boolean;
  /** Others already wait behind this grant. */
  readonly wanted: boolean;
  /** The grant came after a wait in the queue (set by `Waits.wait`). */
  readonly waited?: boolean;
  /** A queue's item handed straight to this get (encoded). */
  readonly item?: string;
  /** The queue was shut down while this call waited. */
  readonly shut?: boolean;
}

/** How one object waits: queue the wait (or be granted at once), and withdraw it. */
export interface WaitSteps {
  /** Runs the queuing script; `try` = do not queue. Resolves to the grant, or 'queued'. */
  enqueue(seq: number, tryOnly: boolean): Promise<Grant | 'queued'>;
  /**
   * Runs the withdraw script. Resolves to undefined (withdrawn, or granted
   * and undone by the script), a grant (the wait succeeded after all: an
   * Event already set), or 'take': it was granted and the grant's message
   * is on its way (a queue's item): the wait takes it.
   */
  withdraw(seq: number, why: 'timeout' | 'abort'): Promise<Grant | 'take' | undefined>;
}

interface Pending {
  readonly steps: WaitSteps;
  resolve(grant: Grant): void;
  reject(error: unknown): void;
  /** True once a withdrawal started: the withdraw script's answer decides the outcome. */
  withdrawing: boolean;
}

export class Waits {
  #seq = 0;
  readonly #pending = new Map<number, Pending>();

  /**
   * Waits for `steps`' object: the grant, or undefined on timeout (or at once
   * when `timeout` is 0 and the object is not free). An abort rejects with
   * `signal.reason` once the wait is withdrawn.
   */
  async wait(steps: WaitSteps, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Grant | undefined> {
    const seq = ++this.#seq;
    const tryOnly = timeout === 0;
    let pending!: Pending;
    const granted = new Promise<Grant>((resolve, reject) => {
      pending = { steps, resolve, reject, withdrawing: false };
    });
    granted.catch(() => {}); // a close may reject it before anyone awaits it
    this.#pending.set(seq, pending);
    try {
      const first = await this.#enqueue(seq, pending, granted, tryOnly);
      if (first !== 'queued') return first;
      if (tryOnly) return undefined;
      return await this.#until(seq, pending, granted, timeout, signal);
    } finally {
      this.#pending.delete(seq);
    }
  }

  /**
   * Runs the queuing script. If the connection broke while it was in flight
   * (it may have queued the wait, or been granted), the wait is withdrawn
   * once the client has reconnected — so no orphan entry is left to be
   * granted a lock nobody takes — and a grant found by the withdrawal is
   * returned; otherwise the call rejects with the disconnection error.
   */
  async #enqueue(seq: number, pending: Pending, granted: Promise<Grant>, tryOnly: boolean): Promise<Grant | 'queued'> {
    try {
      return await pending.steps.enqueue(seq, tryOnly);
    } catch (error) {
      if (!isDisconnected(error)) throw error;
      pending.withdrawing = true;
      const after = await pending.steps.withdraw(seq, 'abort').catch(() => undefined);
      if (after === 'take') return { ...(await granted), waited: true };
      if (after !== undefined) return after;
      throw error;
    }
  }

  async #until(seq: number, pending: Pending, granted: Promise<Grant>, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Grant | undefined> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<'timeout' | 'abort'>((resolve) => {
      if (timeout !== undefined) timer = setTimeout(() => resolve('timeout'), timeout);
      if (signal !== undefined) {
        onAbort = () => resolve('abort');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      const first = await Promise.race([granted, gaveUp]);
      if (typeof first === 'object') return { ...first, waited: true };
      pending.withdrawing = true;
      const after = await pending.steps.withdraw(seq, first);
      // An item already handed over is never dropped, even by an abort that came too late.
      if (after === 'take') return { ...(await granted), waited: true };
      if (first === 'abort') throw signal!.reason;
      return after;
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
    }
  }

  /** A grant message for wait `seq` arrived (after a withdrawal started, it is used only if the script says 'take'). */
  granted(seq: number, grant: Grant): void {
    this.#pending.get(seq)?.resolve(grant);
  }

  /** The server dropped this connection's queued waits (its lease ran out): queue them again. */
  resubmitAll(): void {
    for (const [seq, pending] of this.#pending) {
      if (pending.withdrawing) {
        pending.reject(
          misuse(ErrorCode.LockLost, "redis: this connection's lease ran out (the process was paused or cut off) while this call was giving up its wait; what it waited for went to others"),
        );
        continue;
      }
      pending.steps.enqueue(seq, false).then(
        (answer) => answer !== 'queued' && this.granted(seq, answer),
        (error: unknown) => pending.reject(error),
      );
    }
  }

  /** The connection closed: every wait in progress fails. */
  closeAll(): void {
    for (const pending of this.#pending.values()) {
      pending.reject(misuse(ErrorCode.ConnectionClosed, 'redis: the connection (RedisScope) was closed while this call waited'));
    }
  }
}
