/**
 * The package's `dist/weft.js`: loads weft's bundle (`dist/weft-body.cjs`)
 * with V8's code cache, and re-exports what it exports.
 *
 * Every new process and thread loads weft again, and compiling the bundle
 * (~600 kB) is most of what that costs — about 12 ms of CPU of a child
 * process's start on Node 20. Node's own compile cache
 * (`module.enableCompileCache`) exists from Node 22.1 only, so weft keeps
 * its own cache of the bundle's compiled code, on every Node version: the
 * bundle runs as a `vm.Script` given the cached code. Such a script has no
 * module loader behind its `import()`; weft's own dynamic imports go
 * through this module (`dynamic-import.ts`).
 *
 * The bundle is built as CommonJS (`scripts/build.mjs`) with
 * `import.meta.url` standing for this module's URL, so to weft's own code
 * (`layout.ts`) weft is `dist/weft.js`, as before; stack traces name the
 * body's file and lines. (Node applies no source map to such a script:
 * with `--enable-source-maps`, weft's own frames stay the body's.)
 *
 * The cache lives in the user's private directory (`compile-cache.ts`), one
 * file per bundle file (its path, and size, modification time and inode —
 * V8 itself checks only the source's length), Node version and
 * command-line flags; V8 also refuses code cached by another V8 or under
 * other flags. A new build of a bundle file replaces its earlier caches. A process
 * that found no usable cache writes one as it exits (to a temporary file
 * renamed into place, so that processes exiting together do not mix
 * their bytes). `NODE_DISABLE_COMPILE_CACHE` turns it off.
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { isMainThread, threadId } from 'node:worker_threads';
import { nodeFs } from './builtins.js';
import { privateCacheDir } from './compile-cache.js';
import { lendImport } from './dynamic-import.js';

// Not `import … from 'node:fs'`: its ESM facade costs every process a few ms (`builtins.ts`).
const { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = nodeFs();

/** What `dist/weft-body.cjs` exports, run as `url` (this module's URL). */
export function loadBundle(url: string): Record<string, unknown> {
  const self = fileURLToPath(url);
  const body = join(dirname(self), 'weft-body.cjs');
  const require = createRequire(url);
  // The script's own `import()` has no loader behind it (`dynamic-import.ts`): weft uses this module's.
  lendImport((specifier) => import(specifier) as Promise<Record<string, unknown>>);
  // ASCII by construction (scripts/build.mjs): Latin-1 reads it several times faster than UTF-8.
  const source = readFileSync(body, 'latin1');
  const cacheFile = process.env.NODE_DISABLE_COMPILE_CACHE === undefined ? cacheFileFor(body) : undefined;
  const cachedData = readCache(cacheFile);
  // One line, as Node's own CommonJS wrapper: line numbers stay the bundle's.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __weftUrl) {"use strict";${source}\n})`, {
    filename: body,
    cachedData,
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => writeCache(cacheFile, script));
  }
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as Function).call(module.exports, module.exports, require, module, body, dirname(body), url);
  return module.exports;
}

/** The cache of this bundle file, under these flags, in this Node; undefined when there is no private directory for it. */
function cacheFileFor(body: string): CacheFile | undefined {
  const dir = privateCacheDir(tmpdir());
  if (dir === undefined) return undefined;
  const stat = statSync(body);
  const flags = fnv1a(`${process.execArgv.join('\0')}\0${process.env.NODE_OPTIONS ?? ''}`);
  // Keyed by the bundle's path first: other copies of weft on the machine keep their own caches.
  const place = `weft-body-${fnv1a(body)}-${process.version}-${process.arch}-`;
  const build = `${place}${stat.size}-${Math.trunc(stat.mtimeMs)}-${stat.ino}-`;
  return { dir, place, build, path: join(dir, `${build}${flags}.v8`) };
}

interface CacheFile {
  readonly dir: string;
  /** The prefix of every cache of this bundle file in this Node. */
  readonly place: string;
  /** The prefix of every cache of this build of it. */
  readonly build: string;
  readonly path: string;
}

/**
 * A short name for the flags this process runs with: V8 refuses code cached
 * under other flags, so programs run with different ones keep a cache each
 * instead of overwriting one another's.
 */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

function readCache(file: CacheFile | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file.path);
  } catch {
    return undefined;
  }
}

/**
 * Writes the code compiled so far (the functions this process ran
 * included), and removes the caches of earlier builds of the same bundle
 * file; a failure only costs the next process its cache.
 */
function writeCache(file: CacheFile, script: vm.Script): void {
  const temporary = `${file.path}.${process.pid}-${isMainThread ? 0 : threadId}`;
  try {
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, file.path);
    for (const name of readdirSync(file.dir)) {
      if (name.startsWith(file.place) && !name.startsWith(file.build)) rmSync(join(file.dir, name), { force: true });
    }
  } catch {
    // a full disk, a directory removed meanwhile: no cache this time
  }
}
