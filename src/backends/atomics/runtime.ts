/**
 * The calling thread's view of the thread-scope backend: the process's arena
 * and the token that names this thread in lock words.
 *
 * The root thread creates the arena the first time anything needs it. A
 * thread started by weft has it installed by its bootstrap before any user
 * code runs. A thread weft did not start (a plain `new Worker` that imports
 * weft) gets an arena of its own, so its primitives work among the threads it
 * starts, but cannot be shared with threads outside that tree.
 *
 * The runtime lives on `globalThis` so that two copies of weft loaded in one
 * thread share one identity and one arena.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import { Arena } from './arena.js';
import type { ThreadRef } from '../../runtime/owner.js';

export interface AtomicsRuntime {
  readonly arena: Arena;
  /** This thread's token (see `arena.ts`). */
  readonly token: number;
  /**
   * Index in the arena of this thread's section count (`Slot.Sections`, see
   * `futex-mutex.ts`), or -1 once the thread has recorded its own end: its
   * slot may then be reused at once, and what it still runs on its way out
   * must not count in (or park on) the next thread's word.
   */
  sections: number;
}

const key = Symbol.for('weft.atomics.runtime');
type GlobalWithRuntime = typeof globalThis & { [key]?: AtomicsRuntime };

let cached: AtomicsRuntime | undefined;

/** `Section.index` before the runtime is loaded in this copy of weft. */
export const NOT_LOADED = -2;

/**
 * This thread's section word, kept flat for `enterSection`/`leaveSection`
 * (`futex-mutex.ts`), which run twice on every queue put and get: a read of
 * two fields instead of a call and a destructuring. Set whenever `cached` is.
 */
export const section: { words: Int32Array; index: number; token: number } = { words: new Int32Array(0), index: NOT_LOADED, token: 0 };

function use(loaded: AtomicsRuntime): AtomicsRuntime {
  cached = loaded;
  section.words = loaded.arena.words;
  section.index = loaded.sections;
  section.token = loaded.token;
  return loaded;
}

export function runtime(): AtomicsRuntime {
  return cached ?? use(loadRuntime());
}

/** The calling thread's token; creates the arena in the root thread on first use. */
export function currentToken(): number {
  return runtime().token;
}

function loadRuntime(): AtomicsRuntime {
  const g = globalThis as GlobalWithRuntime;
  if (g[key] !== undefined) return g[key];
  const name = isMainThread ? 'MainThread' : `Dummy-${threadId}`;
  const arena = Arena.create(threadId, name);
  const created: AtomicsRuntime = { arena, token: arena.rootToken, sections: arena.sectionWordOf(arena.rootToken) };
  g[key] = created;
  return created;
}

/** Installs the runtime a starting thread was handed. Called by the thread bootstrap only. */
export function installRuntime(buffer: SharedArrayBuffer, token: number): AtomicsRuntime {
  const g = globalThis as GlobalWithRuntime;
  const arena = new Arena(buffer);
  const installed: AtomicsRuntime = { arena, token, sections: arena.sectionWordOf(token) };
  g[key] = installed;
  return use(installed);
}

/** The calling thread has recorded its own end: see `AtomicsRuntime.sections`. */
export function retireSections(): void {
  runtime().sections = -1;
  section.index = -1;
}

/** The live thread a token names, as statistics report it; null for no token or a thread that ended. */
export function threadRef(token: number): ThreadRef | null {
  if (token === 0) return null;
  const info = runtime().arena.info(token);
  return info === undefined ? null : Object.freeze({ name: info.name, ident: info.threadId });
}
