/**
 * How a machine-scope pool names a task's function: by the module that
 * exports it — its path relative to a project root, the same on every
 * machine — the export's name, and the SHA-256 of the module file's
 * content. A worker runs a task only if its own copy of the module hashes
 * the same: code deployed unevenly fails the task with
 * `ERR_MODULE_MISMATCH` instead of running something else.
 *
 * The caller finds the module as threads and processes do (runtime/target.ts:
 * `withModule`, else where V8 says the function is defined), then the
 * export name by identity in that module's namespace. The worker resolves
 * the path under its own root (never outside it), hashes its copy and
 * imports it. Hashes are computed once per file and process: a worker
 * keeps the module it imported, so later edits of the file on disk are not
 * what it would run (restart workers after a deploy).
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, invalidArg, misuse } from '../../errors.js';
import { nodeCrypto } from '../../internal/builtins.js';
import { importModule } from '../../internal/dynamic-import.js';
import { describeTarget, notExported } from '../../runtime/target.js';

/** A task's function as it crosses to a worker. */
export interface TaskRef {
  /** The module's path relative to the root, with `/` separators. */
  readonly path: string;
  /** The name it is exported under (`default` included). */
  readonly name: string;
  /** SHA-256 (hex) of the caller's copy of the module file. */
  readonly hash: string;
}

const hashes = new Map<string, Promise<string>>();

/** SHA-256 of `file`'s content, once per file and process. */
export function hashFile(file: string): Promise<string> {
  let hash = hashes.get(file);
  if (hash === undefined) {
    hash = readFile(file).then((bytes) => nodeCrypto().createHash('sha256').update(bytes).digest('hex'));
    hashes.set(file, hash);
    hash.catch(() => hashes.delete(file)); // a missing file may appear later
  }
  return hash;
}

const refs = new WeakMap<Function, Map<string, Promise<TaskRef>>>();

/** The reference to `fn` for a pool whose root is `root` (absolute). Cached per function and root. */
export function taskRef(fn: Function, root: string, api: string): Promise<TaskRef> {
  if (typeof fn !== 'function') return Promise.reject(invalidArg(`${api}: the task must be a function exported from a module, got ${typeof fn}`, 'type'));
  let byRoot = refs.get(fn);
  if (byRoot === undefined) refs.set(fn, (byRoot = new Map()));
  let ref = byRoot.get(root);
  if (ref === undefined) {
    ref = findRef(fn, root, api);
    byRoot.set(root, ref);
    ref.catch(() => byRoot.delete(root));
  }
  return ref;
}

async function findRef(fn: Function, root: string, api: string): Promise<TaskRef> {
  const target = describeTarget(fn, 'target', undefined, undefined);
  if (!target.module.startsWith('file:')) {
    throw invalidArg(`${api}: the module of "${fn.name}" (${target.module}) is not a file; a worker on another machine can only import files under the pool's root`);
  }
  const file = fileURLToPath(target.module);
  const path = relative(root, file);
  if (path.startsWith('..') || isAbsolute(path)) {
    throw invalidArg(`${api}: ${file} is outside the pool's root ${root}; pass { root } naming the project directory every worker runs with (weft worker --root)`);
  }
  const namespace = await importModule(target.module);
  const name = Object.keys(namespace).find((key) => namespace[key] === fn);
  if (name === undefined) throw notExported(target);
  return { path: path.split(sep).join('/'), name, hash: await hashFile(file) };
}

const loaded = new Map<string, Promise<Function>>();

/**
 * In a worker: the function `ref` names, from this machine's copy under
 * `root`, checked against the caller's hash. Found once per reference and
 * process (the file's hash and its module are kept for the process's life
 * anyway, see the header): a task after the first pays a map lookup, not a
 * path check, a file URL and an `import()` (tens of µs each time).
 */
export function loadTask(root: string, ref: TaskRef): Promise<Function> {
  const key = `${root}\0${ref.path}\0${ref.name}\0${ref.hash}`;
  let fn = loaded.get(key);
  if (fn === undefined) {
    fn = findTask(root, ref);
    loaded.set(key, fn);
    fn.catch(() => loaded.delete(key)); // a missing module may appear later; a mismatch is found again from the kept hash
  }
  return fn;
}

async function findTask(root: string, ref: TaskRef): Promise<Function> {
  const file = resolve(root, ...ref.path.split('/'));
  const inside = relative(root, file);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw misuse(ErrorCode.ModuleMismatch, `redis pool: the task's module ${ref.path} is outside the worker's root ${root}`);
  }
  let hash: string;
  try {
    hash = await hashFile(file);
  } catch (error) {
    throw misuse(ErrorCode.ModuleMismatch, `redis pool: the worker on ${hostname()} (pid ${process.pid}) has no module ${ref.path} under its root ${root}: deploy the same code to every machine, or start the worker with --root naming the project`, error);
  }
  if (hash !== ref.hash) {
    throw misuse(
      ErrorCode.ModuleMismatch,
      `redis pool: the worker on ${hostname()} (pid ${process.pid}) has another version of ${ref.path} (sha256 ${hash.slice(0, 12)}…, the caller's ${ref.hash.slice(0, 12)}…): deploy the same code to every machine and restart its workers`,
    );
  }
  const namespace = await importModule(pathToFileURL(file).href);
  const found = namespace[ref.name];
  if (typeof found !== 'function') {
    throw misuse(ErrorCode.TargetNotExported, `redis pool: ${ref.path} does not export a function "${ref.name}" on the worker on ${hostname()}`);
  }
  return found;
}
