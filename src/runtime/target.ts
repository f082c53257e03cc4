/**
 * Targets by reference. A function (or a `Thread` subclass) crosses to a new
 * thread as "the export of module M that is this function": the new thread
 * imports M, whose `isMain()` guard keeps the program's main block from
 * running again, and looks the export up. Python pickles functions the same
 * way, by module and name.
 *
 * In the starting thread, `describeTarget` finds M: the `module` option or
 * `withModule()` if given, else the module V8 says defines the function
 * (`function-location.ts`), else the module that called `new Thread`. It
 * sends M, the function's name and its source text.
 *
 * In the new thread, `loadTarget` imports M and picks the export whose name
 * and source text are the function's — the same function, in the new
 * thread's fresh copy of the module (so `export { task as run }` and
 * `export default` work). If M does not export it, the calling module is
 * tried too (a function imported there and re-exported). If neither exports
 * it: `ERR_TARGET_NOT_EXPORTED`, saying which function, which module, and how
 * to fix it.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, invalidArg, misuse } from '../errors.js';
import { locateFunction } from './function-location.js';
import { namedModule } from './with-module.js';
import { importModule } from '../internal/dynamic-import.js';
import { bundleBodyUrl, processBootstrapUrl } from '../internal/layout.js';

/** A structured-cloneable reference to an exported function or class. */
export interface TargetRef {
  /** URL of the module expected to export it. */
  readonly module: string;
  /** URL of the module that created the thread, tried second. */
  readonly site: string | undefined;
  readonly name: string;
  readonly source: string;
  /** 'target', 'class' or 'action' (a Barrier's) — for messages only. */
  readonly role: 'target' | 'class' | 'action';
}

const NATIVE_CODE = /\{\s*\[native code\]\s*\}$/;

export function describeTarget(fn: Function, role: TargetRef['role'], explicitModule: string | URL | undefined, site: string | undefined): TargetRef {
  const source = Function.prototype.toString.call(fn);
  const name = fn.name;
  if (NATIVE_CODE.test(source)) {
    throw misuse(
      ErrorCode.TargetNotExported,
      `threading: ${describeFn(name, role)} is a built-in or bound function, which no module exports. Wrap it in a function you export, e.g. \`export function task(...args) { … }\`.`,
    );
  }
  const module = toModuleUrl(explicitModule ?? namedModule(fn), site) ?? exportingModule(locateFunction(fn)?.url) ?? site;
  if (module === undefined) {
    throw misuse(
      ErrorCode.TargetNotExported,
      `threading: weft could not tell which module defines ${describeFn(name, role)}. Export it from its module and pass { module: import.meta.url } (or use withModule(fn, import.meta.url)).`,
    );
  }
  return { module: normalizeUrl(module), site, name, source, role };
}

/** In the new thread: imports the module and finds the export that is the described function. */
export async function loadTarget(ref: TargetRef): Promise<Function> {
  const found = findExport(await importModule(ref.module), ref);
  if (found !== undefined) return found;
  if (ref.site !== undefined && ref.site !== ref.module) {
    const fromSite = findExport(await importModule(ref.site), ref);
    if (fromSite !== undefined) return fromSite;
  }
  throw notExported(ref);
}

function findExport(namespace: Record<string, unknown>, ref: TargetRef): Function | undefined {
  for (const candidate of exportedValues(namespace)) {
    if (typeof candidate === 'function' && candidate.name === ref.name && Function.prototype.toString.call(candidate) === ref.source) {
      return candidate;
    }
  }
  return undefined;
}

/** The module's exports, plus the properties of a CommonJS `module.exports` object (its `default`). */
function* exportedValues(namespace: Record<string, unknown>): Generator<unknown> {
  for (const key of Object.keys(namespace)) yield namespace[key];
  const commonjs = namespace.default;
  if ((typeof commonjs === 'object' && commonjs !== null) || typeof commonjs === 'function') {
    for (const key of Object.keys(commonjs)) yield (commonjs as Record<string, unknown>)[key];
  }
}

export function notExported(ref: TargetRef): Error {
  const what = describeFn(ref.name, ref.role);
  const fix = ref.name === '' || ref.name === 'anonymous'
    ? 'Give it a name and export it from its module'
    : ref.role === 'class'
      ? `Export it: \`export class ${ref.name} extends Thread { … }\``
      : `Export it: \`export function ${ref.name}(…) { … }\` (or \`export { ${ref.name} }\`)`;
  const who = ref.role === 'action' ? 'another thread or process' : 'a new thread';
  return misuse(
    ErrorCode.TargetNotExported,
    `threading: ${what} is not exported from ${ref.module}, so ${who} cannot import it. ${fix}; if another module exports it, pass { module } naming that module.`,
  );
}

function describeFn(name: string, role: TargetRef['role']): string {
  const kind = role === 'class' ? 'the Thread subclass' : role === 'action' ? 'the Barrier action' : 'the target function';
  return name === '' || name === 'anonymous' ? `${kind} (anonymous)` : `${kind} "${name}"`;
}

/** A `module` option as a URL string; relative specifiers resolve against the calling module. */
function toModuleUrl(module: string | URL | undefined, site: string | undefined): string | undefined {
  if (module === undefined) return undefined;
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw invalidArg('threading: the module option must be a URL, a file URL string or a path', 'type');
  }
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  if (site === undefined) {
    throw invalidArg(`threading: cannot resolve the relative module "${module}": pass an absolute path or import.meta.url`);
  }
  return new URL(module, site).href;
}

/** The module exporting what is defined in `url`: the bundle's, for weft's own functions (`internal/layout.ts`). */
function exportingModule(url: string | undefined): string | undefined {
  return url !== undefined && normalizeUrl(url) === bundleBodyUrl ? processBootstrapUrl : url;
}

/** V8 reports some CommonJS scripts by path; `import()` wants a URL. */
function normalizeUrl(url: string): string {
  return isAbsolute(url) ? pathToFileURL(url).href : url;
}

/** A reference being imported ahead of its use: its promise, and the function once it is there. */
export interface Preload {
  readonly promise: Promise<Function>;
  /** The function, once imported (synchronously readable from then on). */
  value: Function | undefined;
  /** Why it could not be imported, once that is known. */
  error: unknown;
}

const preloads = new Map<string, Preload>();
const pendingPreloads = new Set<Promise<unknown>>();

/**
 * Starts importing `ref` in this thread (once per reference), for a function
 * that crossed inside an object (a Barrier's action) and may have to be
 * called synchronously later. The bootstraps await `preloadsSettled()`
 * before `run()`, so objects that arrive as arguments are ready by then.
 */
export function preloadTarget(ref: TargetRef): Preload {
  const key = `${ref.module}\n${ref.site ?? ''}\n${ref.name}\n${ref.source}`;
  let preload = preloads.get(key);
  if (preload === undefined) {
    const entry: Preload = { promise: loadTarget(ref), value: undefined, error: undefined };
    const settled = entry.promise.then(
      (fn) => { entry.value = fn; },
      (error: unknown) => { entry.error = error; },
    );
    pendingPreloads.add(settled);
    void settled.finally(() => pendingPreloads.delete(settled));
    preloads.set(key, entry);
    preload = entry;
  }
  return preload;
}

/** Resolves once every preload started so far has settled (imported or failed). */
export async function preloadsSettled(): Promise<void> {
  while (pendingPreloads.size > 0) await Promise.all(pendingPreloads);
}
