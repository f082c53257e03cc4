/**
 * `weft`: what every scope shares — the `isMain` guard, `cpuCount`,
 * `withModule`, and the error classes.
 */
import { availableParallelism } from 'node:os';

export { isMain } from './runner/is-main.js';
export { trace } from './trace/trace.js';
export { withModule } from './runtime/with-module.js';
export { taskSignal } from './pool/task-signal.js';
export {
  Full,
  Empty,
  ShutDown,
  BrokenBarrierError,
  TimeoutError,
  CancelledError,
  BrokenPoolError,
  KeyboardInterrupt,
  EOFError,
  BrokenPipeError,
  RuntimeError,
  ErrorCode,
} from './errors.js';
export type { WaitOptions, SyncWaitOptions } from './runtime/options.js';

/**
 * Number of CPUs this process may use (`os.availableParallelism()`), as
 * Python's `os.cpu_count()`.
 *
 * @example
 * ```ts
 * const workers = Math.max(1, cpuCount() - 1);
 * ```
 */
export function cpuCount(): number {
  return availableParallelism();
}
