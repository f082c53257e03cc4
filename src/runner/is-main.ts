/**
 * `isMain(import.meta)` / `isMain(module)`: Python's
 * `if __name__ == '__main__':`. True only in the program's entry module, in
 * the main thread of the root process. A new thread imports the entry
 * module to find its target; the guard keeps the program's main block from
 * running there again.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { invalidArg } from '../errors.js';

let entryPath: string | null | undefined;

/**
 * The `if __name__ == '__main__'` guard.
 *
 * @example
 * ```ts
 * if (isMain(import.meta)) {
 *   // runs only when this file is the program, not when a thread imports it
 * }
 * ```
 */
export function isMain(meta: ImportMeta | NodeJS.Module): boolean {
  if (typeof meta !== 'object' || meta === null) {
    throw invalidArg('isMain() takes import.meta (ES modules) or module (CommonJS)', 'type');
  }
  if (!isMainThread) return false;
  if ('url' in meta && typeof meta.url === 'string') return isEntry(meta.url);
  if ('id' in meta && 'exports' in meta) return isCommonJsEntry(meta as NodeJS.Module);
  throw invalidArg('isMain() takes import.meta (ES modules) or module (CommonJS)', 'type');
}

function isCommonJsEntry(module: NodeJS.Module): boolean {
  if (module.id === '.') return true;
  const main = createRequire(import.meta.url).main;
  return main !== undefined && main === module;
}

function isEntry(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  const entry = resolveEntry();
  return entry !== null && realpathOrSelf(fileURLToPath(url)) === entry;
}

/** The real path of the program's entry file (`process.argv[1]`, as Node resolved it). */
function resolveEntry(): string | null {
  if (entryPath !== undefined) return entryPath;
  const argv1 = process.argv[1];
  if (argv1 === undefined) return (entryPath = null);
  if (existsSync(argv1)) return (entryPath = realpathOrSelf(argv1));
  try {
    // `node prog` runs prog.js: resolve it as Node did.
    entryPath = realpathOrSelf(createRequire(import.meta.url).resolve(argv1));
  } catch {
    entryPath = null;
  }
  return entryPath;
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
