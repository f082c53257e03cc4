/**
 * Work a process must finish before it exits on purpose: a spawned child's
 * bootstrap ends with `process.exit()`, which would drop bytes still queued
 * on a socket (a Connection's last `send()` to a peer in another process).
 * Whoever queues such bytes registers a flush here; the bootstrap awaits
 * them all before it exits, as Python's `_exit_function` runs its finalizers.
 */
const flushes = new Set<() => Promise<void>>();

/** `flush` runs (once per exit) before this process exits through the bootstrap. */
export function registerExitFlush(flush: () => Promise<void>): void {
  flushes.add(flush);
}

/** Runs every registered flush; a flush that fails is ignored (the peer is gone). */
export async function runExitFlushes(): Promise<void> {
  await Promise.all([...flushes].map((flush) => flush().catch(() => {})));
}
