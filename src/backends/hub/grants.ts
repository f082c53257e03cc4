/**
 * The lock grants one process holds, kept by the thread that serves the
 * process: the link in a child (`link.ts`), the hub's own thread for the
 * root (`server.ts`). It is the process's side of the hub's grant messages
 * (`HubLock`, `lock.ts`):
 *
 * | from the hub                       | here                                                      | back to the hub            |
 * |------------------------------------|-----------------------------------------------------------|----------------------------|
 * | `grant` (before the acquire's answer) | take the cell's local lock for the thread, open the grant | —                       |
 * | `revoke`                           | the local lock is free: give the grant back; held: mark it Revoking, and wait on the cell's word for the holder's release to give it back | `return` once given back |
 * | `revoke` with `probe: 'state'`     | read the local side                                       | `report`                   |
 * | `revoke` with `probe: 'release'`   | release the local lock for a thread of another process (a Lock may be released by anyone) | `return` if given back, then `report` |
 * | `revoke` with `probe: 'watch'`     | watch the cell's waiter count while the grant is here (`waitForWaiters`) | `report` now and at each change |
 *
 * Threads reach a cell by asking their server once (`grant-cell`) and keep
 * its buffer. A revoke left pending because the holder thread was alive is
 * retried at every thread death of the process (the arena's `DeathEpoch`):
 * a holder that ended holding the lock never releases it, so the grant goes
 * back from here, with `died`, and the hub's next owner sees `ownerDied`.
 *
 * At the process's exit (`flush`), the grants whose lock is free go back
 * plainly; one still held goes back when the hub sees the process gone,
 * as a death (`ownerDied`), as before grants.
 */
import { Arena, Header } from '../atomics/arena.js';
import { installRuntime } from '../atomics/runtime.js';
import { GRANT, GrantCell, GrantState } from './grant-cell.js';
import { WATCH } from './notices.js';
import type { GrantNotice, HubRequest } from './protocol.js';

export class Grants {
  readonly #arenaBuffer: SharedArrayBuffer;
  /** The served process's arena, once a cell exists (taking the service slot costs a little: not at every process start). */
  #arena: Arena | undefined;
  #service = 0;
  readonly #cells = new Map<number, GrantCell>();
  readonly #buffers = new Map<number, SharedArrayBuffer>();
  /** Locks whose revoke found the local lock held. */
  readonly #pending = new Set<number>();
  /** Locks whose grant word this thread waits on (`Atomics.waitAsync`), for the holder's give-back. */
  readonly #awaiting = new Set<number>();
  /** Locks whose cell's waiter count is reported as it changes (`waitForWaiters`). */
  readonly #watched = new Set<number>();
  readonly #toHub: (request: HubRequest) => void;
  #watching = false;

  /** `arena`: the served process's arena. */
  constructor(arena: SharedArrayBuffer, toHub: (request: HubRequest) => void) {
    this.#arenaBuffer = arena;
    this.#toHub = toHub;
  }

  /**
   * The arena, with this thread in a service slot of it: it holds a local
   * lock for the instant of a give-back under a token every thread sees alive.
   */
  #serving(): Arena {
    if (this.#arena !== undefined) return this.#arena;
    const arena = new Arena(this.#arenaBuffer);
    this.#service = arena.startThread(arena.rootToken, true, 'weft grants', true);
    installRuntime(this.#arenaBuffer, this.#service);
    return (this.#arena = arena);
  }

  /** The cell of lock `id` (made on first use), for a thread of the process. */
  cellBuffer(id: number, reentrant: boolean): SharedArrayBuffer {
    this.#cell(id, reentrant);
    return this.#buffers.get(id)!;
  }

  #cell(id: number, reentrant: boolean): GrantCell {
    let cell = this.#cells.get(id);
    if (cell === undefined) {
      const buffer = GrantCell.allocate();
      cell = new GrantCell(buffer, this.#serving(), reentrant);
      this.#cells.set(id, cell);
      this.#buffers.set(id, buffer);
    }
    return cell;
  }

  notice(notice: GrantNotice): void {
    if (notice.t === 'grant') {
      const cell = this.#cell(notice.id, notice.reentrant);
      cell.install(notice.thread, notice.depth, notice.revoking);
      // Lent for one hold (someone waits already): watch for its give-back from the start.
      if (notice.revoking) this.#revoke(notice.id, cell);
      return;
    }
    const cell = this.#cells.get(notice.id);
    if (notice.probe === 'state') return this.#report(notice.id, cell, false, notice.ref);
    if (notice.probe === 'watch') return this.#watchWaiters(notice.id, cell);
    if (notice.probe === 'release') {
      const released = cell?.release(this.#service) ?? 'not-held';
      if (released === 'returned' || released === 'returned-died') this.#claim(notice.id, cell!);
      return this.#report(notice.id, cell, released !== 'not-held', notice.ref);
    }
    if (cell !== undefined) this.#revoke(notice.id, cell);
  }

  #revoke(id: number, cell: GrantCell): void {
    // Read before looking at the holder: a death after that look changes it.
    const epoch = Atomics.load(this.#serving().words, Header.DeathEpoch);
    const outcome = cell.revoke(this.#service);
    if (outcome === 'pending') {
      this.#pending.add(id);
      this.#watchDeaths(epoch);
      this.#awaitGiveBack(id, cell);
    } else {
      this.#pending.delete(id);
      if (outcome !== 'none') this.#return(id, outcome === 'returned-died');
    }
  }

  /** Waits on the cell's grant word while it is Revoking: the holder's release turns it Returning, and the hub hears at once. */
  #awaitGiveBack(id: number, cell: GrantCell): void {
    if (this.#awaiting.has(id)) return;
    this.#awaiting.add(id);
    const wait = Atomics.waitAsync(cell.words, GRANT, GrantState.Revoking);
    const woken = (): void => {
      this.#awaiting.delete(id);
      if (this.#claim(id, cell)) return;
      if (cell.state === GrantState.Revoking) this.#awaitGiveBack(id, cell);
    };
    if (wait.async) void wait.value.then(woken);
    else queueMicrotask(woken);
  }

  /** Tells the hub of a grant a thread gave back (Returning); false if there was none. */
  #claim(id: number, cell: GrantCell): boolean {
    const returned = cell.claimReturn();
    if (returned === undefined) return false;
    this.#pending.delete(id);
    this.#return(id, returned === 'returned-died');
    return true;
  }

  /**
   * `waitForWaiters` watches: reports the cell's waiter count now and at
   * every change while this process holds the grant (the hub counts them
   * in its own queue once the grant is back).
   */
  #watchWaiters(id: number, cell: GrantCell | undefined): void {
    if (cell === undefined || this.#watched.has(id)) return;
    this.#watched.add(id);
    const word = cell.lock.waitingWord;
    const report = (): void => {
      if (cell.state === GrantState.None) {
        this.#watched.delete(id);
        return;
      }
      const seen = Atomics.load(cell.words, word);
      this.#report(id, cell, false, WATCH);
      const wait = Atomics.waitAsync(cell.words, word, seen);
      if (wait.async) void wait.value.then(report);
      else queueMicrotask(report);
    };
    report();
  }

  #return(id: number, died: boolean): void {
    this.#toHub({ t: 'send', thread: this.#service, id, op: 'return', args: [died] });
  }

  #report(id: number, cell: GrantCell | undefined, released: boolean, ref: number | undefined): void {
    const [holder, depth, waiting] = cell?.report() ?? [0, 0, 0];
    this.#toHub({ t: 'send', thread: this.#service, id, op: 'report', args: [holder, depth, waiting, released, ref] });
  }

  /** While a revoke is pending, a thread's death may be its holder's: look again at each. */
  #watchDeaths(epoch: number): void {
    if (this.#watching) return;
    this.#watching = true;
    const wait = Atomics.waitAsync(this.#serving().words, Header.DeathEpoch, epoch);
    const retry = (): void => {
      this.#watching = false;
      for (const id of [...this.#pending]) this.#revoke(id, this.#cells.get(id)!);
    };
    if (wait.async) void wait.value.then(retry);
    else queueMicrotask(retry);
  }

  /** The process exits: gives back every grant whose lock is free (and those a thread gave back just now). */
  returnAll(): void {
    for (const [id, cell] of this.#cells) {
      if (this.#claim(id, cell)) continue;
      const outcome = cell.revoke(this.#service);
      if (outcome === 'returned' || outcome === 'returned-died') this.#return(id, outcome === 'returned-died');
    }
  }
}
