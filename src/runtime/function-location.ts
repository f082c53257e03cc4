/**
 * Where a function was defined, asked of V8 itself.
 *
 * A target crosses to a new thread as a reference — "export `task` of module
 * M" — the way Python pickles a function by its module and name. To find M
 * without asking the user, weft asks V8 through an in-process inspector
 * session: `Runtime.getProperties` on the function reports its internal
 * `[[FunctionLocation]]` (a script id), and the `Debugger` domain maps script
 * ids to URLs. Both calls answer synchronously in-process.
 *
 * The Debugger domain stays enabled only for the instant it takes to list
 * the loaded scripts: while it is enabled, a `debugger;` statement would
 * pause this very thread with nobody to resume it. Script URLs are cached;
 * a function from a script loaded since the last listing triggers a new one
 * (about 10 ms).
 *
 * If the inspector is unavailable (a runtime without it), `locateFunction`
 * returns undefined and the caller falls back to the module that called
 * `new Thread`.
 */
import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';

export interface FunctionLocation {
  /** The defining script's URL (`file:///…`), or a file path for some CommonJS scripts. */
  readonly url: string;
  /** 0-based, in the script V8 compiled (after any loader transformed it). */
  readonly line: number;
  readonly column: number;
}

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}

interface PropertiesReply {
  internalProperties?: { name: string; value?: RemoteObject }[];
}

const scriptUrls = new Map<string, string>();
const locations = new WeakMap<Function, FunctionLocation | null>();
let session: Session | null | undefined;
const STASH = Symbol.for('weft.locate.stash');

/** Where `fn` was defined, or undefined if V8 cannot say (native, or no inspector). */
export function locateFunction(fn: Function): FunctionLocation | undefined {
  const cached = locations.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  const found = askV8(fn);
  locations.set(fn, found ?? null);
  return found;
}

function askV8(fn: Function): FunctionLocation | undefined {
  const inspector = openSession();
  if (inspector === null) return undefined;
  const stash = globalThis as typeof globalThis & { [STASH]?: Function };
  stash[STASH] = fn;
  try {
    const { result } = post<{ result: RemoteObject }>(inspector, 'Runtime.evaluate', {
      expression: `globalThis[Symbol.for('weft.locate.stash')]`,
      objectGroup: 'weft-locate',
      silent: true,
    });
    if (result.objectId === undefined) return undefined;
    const reply = post<PropertiesReply>(inspector, 'Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
    const location = reply.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | { scriptId: string; lineNumber: number; columnNumber: number }
      | undefined;
    if (location === undefined) return undefined;
    const url = scriptUrl(inspector, location.scriptId);
    return url === undefined || url === '' ? undefined : { url, line: location.lineNumber, column: location.columnNumber };
  } catch {
    return undefined;
  } finally {
    delete stash[STASH];
    try {
      post(inspector, 'Runtime.releaseObjectGroup', { objectGroup: 'weft-locate' });
    } catch {
      // the session is gone; nothing to release
    }
  }
}

function scriptUrl(inspector: Session, scriptId: string): string | undefined {
  if (!scriptUrls.has(scriptId)) listScripts(inspector);
  return scriptUrls.get(scriptId);
}

/** Enabling the Debugger domain replays a `scriptParsed` event for every loaded script. */
function listScripts(inspector: Session): void {
  const record = (message: { params: { scriptId: string; url: string } }): void => {
    scriptUrls.set(message.params.scriptId, message.params.url);
  };
  inspector.on('Debugger.scriptParsed', record);
  try {
    post(inspector, 'Debugger.enable', {});
  } finally {
    post(inspector, 'Debugger.disable', {});
    inspector.off('Debugger.scriptParsed', record);
  }
}

function openSession(): Session | null {
  if (session !== undefined) return session;
  try {
    const { Session } = createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector');
    const opened = new Session();
    opened.connect();
    session = opened;
  } catch {
    session = null;
  }
  return session;
}

/** In-process inspector calls answer before `post` returns; this turns that into a plain call. */
function post<T = unknown>(inspector: Session, method: string, params: object): T {
  let reply: { error: Error | null; result: T } | undefined;
  inspector.post(method, params, (error: Error | null, result?: object) => {
    reply = { error, result: result as T };
  });
  if (reply === undefined) throw new Error(`weft: the inspector answered ${method} asynchronously`);
  if (reply.error !== null) throw reply.error;
  return reply.result;
}
