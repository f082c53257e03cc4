/**
 * The hub's place in the process tree: what a parent hands a child so that
 * it reaches the tree's hub, and the hooks the process runner calls.
 * (Being written alongside the transport; the signatures are the contract.)
 */

/** Environment entries a child process must be started with to reach the tree's hub. Starts the hub in the root if needed. */
export function hubEnvironment(): Record<string, string> {
  return {};
}

/** Called once by a child process's main thread at boot, before the target's module is imported. */
export function startLink(): void {}

/** Called (synchronously) as a process ends: blocks until everything sent to the hub from this process is delivered. */
export function flushLink(): void {}
