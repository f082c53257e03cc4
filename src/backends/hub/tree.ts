/**
 * The hub's place in the process tree.
 *
 * - The **root** (a process started without `WEFT_HUB` in its environment)
 *   starts the hub the first time anything needs it: a process-scope object
 *   is created, or a child is started. The hub runs on a worker thread of
 *   the root (`server.ts`) and listens on `hub.sock` in a private directory
 *   (mode 0700) removed when the root exits.
 * - A **child** is started with `WEFT_HUB` and `WEFT_HUB_TOKEN`
 *   (`hubEnvironment()`). Its link (`link.ts`, a worker thread) starts
 *   only when the child needs the hub, since a child that never touches a
 *   process-scope object would pay a thread's start-up for nothing: at boot
 *   when its arguments carry weft objects (the target likely uses them at
 *   once), at its first call to the hub otherwise, and — from the main
 *   thread — when it starts its first thread (see below). Its exit waits
 *   until the hub has handled everything it sent (`flushLink()`), a link
 *   still starting included.
 *
 * Which of these a process has reached is the arena word `Header.HubLink`
 * (`link-state.ts`). The thread that wins None → Starting creates the
 * worker; a thread that needs the hub waits until Ready.
 *
 * **Failure by facts, not clocks.** A process decides that the hub is gone
 * only when something says so: the hub's socket is missing or refuses
 * connections (ENOENT, ECONNREFUSED), the connection closes after the
 * welcome, the hub refuses the token, or the hub's or link's own thread
 * fails or exits. How long the link takes to come up is no such fact: on a
 * loaded machine (30 children starting at once beside busy loops on two
 * cores) it takes tens of seconds, and a clock that called the hub lost
 * after 15 s failed every one of those children while the hub was alive. So
 * a thread waits for the link as long as it takes — bounded only by its
 * caller's own timeout (`awaitLink(deadline)`, `awaitLinkAsync`) or
 * AbortSignal. A call with `timeout: 0` still waits for the link: a
 * non-blocking call is answered from the object's state, and the link
 * coming up is transport, like the round trip itself.
 *
 * A worker dies with the thread that created it, so the hub and links are
 * created from the main thread whenever the main thread is the first user
 * (the usual case: objects are made in the main block and passed on). A
 * child's main thread also starts its link as it starts its first weft
 * thread (`startLinkBeforeThreads()`), so that a link is never owned by a
 * thread that may end first. A root whose first process-scope object is
 * made in a worker thread gets its hub from that thread, and loses it when
 * that thread ends.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, Worker } from 'node:worker_threads';
import { ErrorCode, misuse } from '../../errors.js';
import { Header } from '../atomics/arena.js';
import { NOT_LOADED, runtime, section } from '../atomics/runtime.js';
import { Deadline } from '../../internal/deadline.js';
import { nodeCrypto } from '../../internal/builtins.js';
import { holdEventLoop, releaseEventLoop } from '../../internal/keepalive.js';
import { hubLinkUrl, hubServerUrl } from '../../internal/layout.js';
import { loaderPlan } from '../../runtime/loaders.js';
import { LinkState } from './link-state.js';
import type { HubAddress } from './protocol.js';

// Runs as a CommonJS script in the new worker (see runner/weft-worker.ts).
// A failure to start, or an uncaught error later, is a fact: the process's
// way to the hub is gone, so its link word says Lost and every waiter wakes.
const ENTRY = (entry: 'runHub' | 'runLink'): string => `
const { workerData } = require('node:worker_threads');
function lost(what, error) {
  process.stderr.write('weft: the ${entry === 'runHub' ? 'hub' : 'link to the hub'} ' + what + ': ' + String(error && error.stack || error) + '\\n');
  const words = new Int32Array(workerData.arena);
  Atomics.store(words, ${Header.HubLink}, ${LinkState.Lost});
  Atomics.notify(words, ${Header.HubLink});
}
process.on('uncaughtException', (error) => { lost('failed', error); process.exit(1); });
if (workerData.tsxHooks) require('node:module').register(workerData.tsxHooks, { data: {} });
import(workerData.url).then((weft) => weft.${entry}()).catch((error) => lost('failed to start', error));
`;

/** The address of the hub, in the thread that started it. */
let startedHere: HubAddress | undefined;

/** True in the process that owns the hub. */
export function isRoot(): boolean {
  return process.env.WEFT_HUB === undefined;
}

/** Environment entries a child process must be started with to reach the tree's hub. Starts the hub in the root if needed. */
export function hubEnvironment(): Record<string, string> {
  if (!isRoot()) return { WEFT_HUB: process.env.WEFT_HUB!, WEFT_HUB_TOKEN: process.env.WEFT_HUB_TOKEN ?? '' };
  awaitLink();
  const address = startedHere ?? askAddress();
  return { WEFT_HUB: address.path, WEFT_HUB_TOKEN: address.token };
}

/**
 * As `hubEnvironment()`, without waiting for a hub that this thread is
 * starting (its address is chosen before its thread runs): for a child
 * that cannot reach for the hub before its parent has called
 * `awaitHubStarted()` — a Process's child, which reads its boot frame
 * first. The hub's start-up then overlaps the child's.
 */
export function hubEnvironmentEarly(): Record<string, string> {
  if (!isRoot()) return hubEnvironment();
  const words = runtime().arena.words;
  if (Atomics.load(words, Header.HubLink) === LinkState.None) startHub();
  return startedHere === undefined ? hubEnvironment() : { WEFT_HUB: startedHere.path, WEFT_HUB_TOKEN: startedHere.token };
}

/** Blocks until the hub serves (root), as `hubEnvironment()` would have; throws `ERR_HUB_LOST` if it could not start. */
export function awaitHubStarted(): void {
  if (isRoot()) awaitLink();
}

// Set by client.ts: asks the hub (from a thread that did not start it) where it listens.
let askAddress: () => HubAddress = () => {
  throw new Error('hub: the client is not loaded');
};
export function setAddressQuery(query: () => HubAddress): void {
  askAddress = query;
}

// Set by client.ts once loaded: nothing can have been sent before.
let flush: () => void = () => {};
export function setFlush(flushAll: () => void): void {
  flush = flushAll;
}

/**
 * Called (synchronously) as a process ends: blocks until the hub has
 * handled everything this process sent it. A link still starting is waited
 * for first — whoever started it queued something for the hub — until it is
 * Ready or Lost (facts, see the header; the link's thread runs on while this
 * one waits). A child that never started one has nothing to flush.
 */
export function flushLink(): void {
  // A thread that never loaded the runtime started no link, nor any weft thread that could have.
  if (!isRoot() && section.index !== NOT_LOADED) {
    const words = runtime().arena.words;
    while (Atomics.load(words, Header.HubLink) === LinkState.Starting) Atomics.wait(words, Header.HubLink, LinkState.Starting);
  }
  flush();
}

/** Starts a child process's link to the hub, without waiting for it; nothing if it has one (or is the root). */
export function startLink(): void {
  if (isRoot()) return;
  const words = runtime().arena.words;
  if (Atomics.compareExchange(words, Header.HubLink, LinkState.None, LinkState.Starting) !== LinkState.None) return;
  spawn('runLink', hubLinkUrl, { path: process.env.WEFT_HUB!, token: process.env.WEFT_HUB_TOKEN ?? '', arena: runtime().arena.buffer });
}

/**
 * Called as a weft thread is created: in a child's main thread, starts the
 * link first. A thread that found no link would start it itself, and the
 * link would die with that thread (see the header).
 */
export function startLinkBeforeThreads(): void {
  if (isMainThread) startLink();
}

/**
 * Blocks until this process's requests are served: starts the hub (root) or
 * the link (a child that was not started by weft) if nobody has. Returns
 * false if `deadline` passed first (the caller's own timeout); throws
 * `ERR_HUB_LOST` once the link word says Lost — never because of how long
 * the start takes (see the header).
 */
export function awaitLink(deadline: Deadline = Deadline.never()): boolean {
  const words = runtime().arena.words;
  for (;;) {
    const state = linkStarted(words);
    if (state === LinkState.Ready) return true;
    if (state === LinkState.Lost) throw hubLost();
    const remaining = deadline.remaining();
    if (remaining === 0) return false;
    Atomics.wait(words, Header.HubLink, state, remaining === Infinity ? undefined : remaining);
  }
}

/**
 * As `awaitLink`, without blocking the thread: for async calls, whose
 * thread must keep serving its event loop while the link comes up. Rejects
 * with `signal.reason` if the caller aborts.
 */
export async function awaitLinkAsync(deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
  const words = runtime().arena.words;
  if (linkStarted(words) === LinkState.Ready) return true;
  holdEventLoop();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const state = linkStarted(words);
      if (state === LinkState.Ready) return true;
      if (state === LinkState.Lost) throw hubLost();
      const remaining = deadline.remaining();
      if (remaining === 0) return false;
      const wait = Atomics.waitAsync(words, Header.HubLink, state, remaining === Infinity ? undefined : remaining);
      if (!wait.async) continue;
      if (signal === undefined) {
        await wait.value;
        continue;
      }
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true }));
      try {
        await Promise.race([wait.value, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort!);
      }
    }
  } finally {
    releaseEventLoop();
  }
}

/** The link word, after starting the hub (root) or link (child) if nobody has. */
function linkStarted(words: Int32Array): number {
  const state = Atomics.load(words, Header.HubLink);
  if (state !== LinkState.None) return state;
  if (isRoot()) startHub();
  else startLink();
  return Atomics.load(words, Header.HubLink);
}

export function hubLost(): Error {
  return misuse(
    ErrorCode.HubLost,
    isRoot()
      ? 'multiprocessing: the hub of this process tree could not start or has stopped'
      : 'multiprocessing: the hub of this process tree is gone (its root process ended?); process-scope objects no longer work here',
  );
}

/** True once this process has a working way to the hub (nothing to flush otherwise). */
export function linkReady(): boolean {
  return Atomics.load(runtime().arena.words, Header.HubLink) === LinkState.Ready;
}

/** True once the link word says the hub is gone (final). */
export function linkLost(): boolean {
  return Atomics.load(runtime().arena.words, Header.HubLink) === LinkState.Lost;
}

function startHub(): void {
  const words = runtime().arena.words;
  if (Atomics.compareExchange(words, Header.HubLink, LinkState.None, LinkState.Starting) !== LinkState.None) return;
  const dir = mkdtempSync(join(tmpdir(), 'weft-'));
  chmodSync(dir, 0o700);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  startedHere = { path: join(dir, 'hub.sock'), token: nodeCrypto().randomBytes(24).toString('hex') };
  spawn('runHub', hubServerUrl, { ...startedHere, arena: runtime().arena.buffer });
}

function spawn(entry: 'runHub' | 'runLink', url: string, seed: HubAddress & { arena: SharedArrayBuffer }): void {
  const worker = new Worker(ENTRY(entry), {
    eval: true,
    workerData: { ...seed, url, tsxHooks: loaderPlan().tsxHooks },
    name: entry === 'runHub' ? 'weft hub' : 'weft link',
  });
  // The hub and link serve the process; they never keep it alive.
  worker.unref();
  // Their thread ending is a fact: the way to the hub is gone. (Seen only
  // while the thread that made the worker runs its event loop; the entry
  // script reports its own failures in any case.)
  const words = new Int32Array(seed.arena);
  worker.on('error', () => {}); // reported by the entry script's handler
  worker.on('exit', () => LinkState.set(words, Header.HubLink, LinkState.Lost));
}
