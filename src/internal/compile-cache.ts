/**
 * Node's on-disk compile cache for the processes weft starts
 * (`module.enableCompileCache`, Node ≥ 22.1). A child's first code turns it
 * on before it imports anything (`runner/process-spawn.ts`), so V8 reads
 * weft's bundle and the target's modules back as compiled code instead of
 * compiling them again in every child (the bundle alone is ~20 ms of a
 * child's start). On Node 20, which has no such cache, nothing is done.
 *
 * The directory is private to the user: `<tmpdir>/.weft-compile-cache-<uid>`
 * (hidden, as caches are: it outlives the programs that fill it),
 * made with mode 0700, and used only if it is a real directory (not a
 * link) owned by this user that nobody else may read or write. Compiled
 * code is code that will run: a directory another user could write to would
 * let them plant it, and one they could read would show them ours. Node
 * keeps one subdirectory per Node version inside, and checks each entry
 * against its source before using it.
 *
 * Left to Node: `NODE_DISABLE_COMPILE_CACHE` turns the cache off in the
 * child as well, and a `NODE_COMPILE_CACHE` the program runs with is the
 * cache its children use (Node enables it before weft's code runs).
 */
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs } from './builtins.js';

// Not `import … from 'node:fs'`: the bundle loader imports this module, and the ESM facade costs every process a few ms (`builtins.ts`).
const { lstatSync, mkdirSync } = nodeFs();

let chosen: string | null | undefined;

/** The directory a new process should keep its compile cache in; undefined when it should not enable one. */
export function compileCacheDir(): string | undefined {
  chosen ??= wanted() ? (privateCacheDir(tmpdir()) ?? null) : null;
  return chosen ?? undefined;
}

function wanted(): boolean {
  return typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function'
    && process.env.NODE_DISABLE_COMPILE_CACHE === undefined
    && process.env.NODE_COMPILE_CACHE === undefined;
}

/**
 * `<base>/.weft-compile-cache-<uid>`, made if missing; undefined if it is not
 * safe to use (see the header) or cannot be made.
 */
export function privateCacheDir(base: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = join(base, `.weft-compile-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}
