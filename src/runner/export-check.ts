/**
 * A quick, synchronous look at whether a module exports a function, so that
 * `start()` need not wait for the new thread to find out.
 *
 * `start()` blocks until the new thread has imported its target only when
 * this check cannot vouch for the export (see `boot-data.ts`): a target that
 * is not exported then fails in `start()` itself, while the common case — an
 * exported target — starts without blocking the event loop, so that ten
 * threads started in a loop boot in parallel, as Python's do.
 *
 * The check errs only towards "cannot tell": a CommonJS module is asked
 * directly (`require.cache`); an ES module's source is scanned for an export
 * statement naming the function. A false "exported" (say, the name appears
 * in a string that looks like an export) costs only the early error: the new
 * thread, which matches the function exactly (name and source), reports it
 * as the thread's error instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const sources = new Map<string, string | null>();

/** True if `moduleUrl` evidently exports `fn`; false if it cannot tell. */
export function looksExported(fn: Function, moduleUrl: string): boolean {
  if (!moduleUrl.startsWith('file:')) return false;
  const path = fileURLToPath(moduleUrl);
  const commonjs = commonJsExports(path);
  if (commonjs !== undefined) return exportsValue(commonjs, fn);
  const source = readSource(path);
  return source !== null && hasExportStatement(source, fn.name);
}

function commonJsExports(path: string): unknown {
  const cache = createRequire(import.meta.url).cache;
  return cache[path]?.exports;
}

function exportsValue(exports: unknown, fn: Function): boolean {
  if (exports === fn) return true;
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return false;
  return Object.values(exports).includes(fn);
}

function readSource(path: string): string | null {
  let source = sources.get(path);
  if (source === undefined) {
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      source = null;
    }
    sources.set(path, source);
  }
  return source;
}

/** An `export` statement that declares or lists `name` (TypeScript or JavaScript source). */
function hasExportStatement(source: string, name: string): boolean {
  if (name === 'default') return /\bexport\s+default\b/.test(source);
  if (!/^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*$/u.test(name)) return false;
  const id = name.replace(/\$/g, '\\$');
  const declared = new RegExp(
    `\\bexport\\s+(?:default\\s+)?(?:(?:async\\s+)?function\\s*\\*?\\s*${id}\\s*[(<]|(?:abstract\\s+)?class\\s+${id}\\b|(?:const|let|var)\\s+${id}\\b)`,
    'u',
  );
  if (declared.test(source)) return true;
  const listed = new RegExp(`\\bexport\\s*\\{[^}]*(?<![\\w$])${id}(?![\\w$])[^}]*\\}`, 'u');
  return listed.test(source);
}
