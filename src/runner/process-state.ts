/**
 * What the runner knows about the calling process: its name, daemon flag
 * and place in the tree (Python's `_current_process` and `_identity`), and
 * the children started from the calling thread that have not been seen to end
 * (Python's `_children`).
 *
 * The identity is set once, by a child's bootstrap (`process-bootstrap.ts`),
 * and published in `process.env` so that worker threads of the same process
 * (which share its environment) see the same process. It carries the pid, so
 * a plain Node program started from a weft child, which inherits the
 * environment, does not take it for its own.
 */
import type { Process } from './process.js';

export interface ProcessIdentity {
  readonly name: string;
  readonly daemon: boolean;
  /** The child numbers of each ancestor: [] in the root, [2] in its second child, [2, 1]… */
  readonly identity: readonly number[];
  readonly parent: { readonly name: string; readonly pid: number } | null;
}

export interface ProcessState {
  readonly me: ProcessIdentity;
  /** Children started so far from this thread: numbers the next default name. */
  started: number;
  /** Children started from this thread that are still running. */
  readonly children: Set<Process<unknown[]>>;
  /** The calling process's own Process object, once made. */
  self: Process<unknown[]> | undefined;
}

const ENV_KEY = 'WEFT_PROCESS_IDENTITY';
const key = Symbol.for('weft.process');
type GlobalWithProcess = typeof globalThis & { [key]?: ProcessState };

const ROOT: ProcessIdentity = { name: 'MainProcess', daemon: false, identity: [], parent: null };

export function processState(): ProcessState {
  const g = globalThis as GlobalWithProcess;
  return (g[key] ??= { me: inheritedIdentity() ?? ROOT, started: 0, children: new Set(), self: undefined });
}

/** Called once by a child's bootstrap, before anything asks who it is. */
export function setProcessIdentity(me: ProcessIdentity): void {
  process.env[ENV_KEY] = JSON.stringify({ pid: process.pid, ...me });
  const g = globalThis as GlobalWithProcess;
  g[key] = { me, started: 0, children: new Set(), self: undefined };
}

/** The identity a child's bootstrap published, if this is that child (a worker thread of it, say). */
function inheritedIdentity(): ProcessIdentity | undefined {
  const published = process.env[ENV_KEY];
  if (published === undefined) return undefined;
  try {
    const { pid, ...me } = JSON.parse(published) as ProcessIdentity & { pid: number };
    return pid === process.pid ? me : undefined;
  } catch {
    return undefined;
  }
}
