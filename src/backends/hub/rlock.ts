/**
 * The hub's state machine of a process-scope `RLock` (`multiprocessing.RLock`):
 * a `HubLock` (see `lock.ts` for the state, the FIFO queue and the hand-off)
 * whose owner — a (client, thread) pair — may take it again, and which only
 * its owner may release.
 *
 * | state   | acquire by owner      | acquire by other | release by owner                 | release by other     | owner ends                           |
 * |---------|-----------------------|------------------|----------------------------------|----------------------|--------------------------------------|
 * | Free    | —                     | → Held depth 1   | —                                | `ERR_LOCK_NOT_HELD`  | —                                    |
 * | Held(d) | depth d+1, at once    | queued           | depth d-1; at 0 hand-off or Free | `ERR_LOCK_NOT_HELD`  | hand-off at depth 1, `'inherited'`   |
 *
 * Ops are the Lock's (`acquire`, `release`, `locked`, `statistics`,
 * `waitForWaiters`, and the grant ops); `statistics().depth` is the owner's
 * recursion depth. Granted to a process, its re-entrance and owner checks
 * happen in the process's cell (`grant-cell.ts`); the table above is the
 * hold through the hub (a Condition's wait and re-take).
 */
import { ErrorCode } from '../../errors.js';
import { registerHubKind, type HubCall } from './call.js';
import { HubLock } from './lock.js';

export class HubRLock extends HubLock {
  protected override get kindName(): string {
    return 'RLock';
  }

  protected override acquire(call: HubCall): void {
    if (this.holdsAsThread(call)) {
      this.depth += 1; // re-entry never waits
      call.reply('acquired');
      return;
    }
    super.acquire(call);
  }

  protected override release(call: HubCall): void {
    // Held as a grant, it is released in the grantee's cell, by its owner thread only.
    if (!this.holdsAsThread(call)) {
      return call.fail(ErrorCode.LockNotHeld, 'sync: release of an RLock that the calling thread does not hold');
    }
    if (this.depth > 1) {
      this.depth -= 1;
      call.reply();
      return;
    }
    this.releaseAll();
    call.reply();
  }
}

registerHubKind('multiprocessing.RLock', () => new HubRLock());
