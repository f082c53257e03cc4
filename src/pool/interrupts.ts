/**
 * Ctrl-C while a pool works. CPython's Pool answers SIGINT with a traceback
 * from every worker and, often, a hang (cpython#66587, #82403). Here the
 * root handles the interrupt once: every pool with work in flight ends its
 * workers (process workers ignore SIGINT themselves, see `worker-main.ts`)
 * and fails that work with one `KeyboardInterrupt` error, which the caller's
 * `await` receives. If no pool had work in flight, the interrupt does what
 * it would have done without pools: the listener steps aside and SIGINT is
 * raised again.
 *
 * One process listener serves every pool, installed while at least one pool
 * is open (signals reach only the main thread of a process).
 */
import { isMainThread } from 'node:worker_threads';

export interface Interruptible {
  /** Ends the pool's work because of Ctrl-C; false if it had nothing in flight. */
  interrupt(): boolean;
}

const pools = new Set<Interruptible>();

export function watchInterrupts(pool: Interruptible): void {
  if (!isMainThread) return;
  if (pools.size === 0) process.on('SIGINT', onInterrupt);
  pools.add(pool);
}

export function unwatchInterrupts(pool: Interruptible): void {
  if (!pools.delete(pool)) return;
  if (pools.size === 0) process.off('SIGINT', onInterrupt);
}

function onInterrupt(): void {
  let handled = false;
  for (const pool of [...pools]) {
    if (pool.interrupt()) handled = true;
  }
  if (handled) return;
  process.off('SIGINT', onInterrupt);
  pools.clear();
  // Nobody else listens: behave as if no pool had ever been here.
  if (process.listenerCount('SIGINT') === 0) process.kill(process.pid, 'SIGINT');
}
