/**
 * Carrying the program's module loader over to a new thread, so that a
 * target in a `.ts` module runs there exactly as it runs here.
 *
 * A worker inherits `process.execArgv`, so `--import`/`--require`/`--loader`
 * preloads run again in it, and most loaders just work. tsx — the common way
 * to run TypeScript (`tsx prog.ts`, `node --import tsx prog.ts`) — does not
 * for weft's workers: on Node 20 (and 22 before 22.22.3, 24 before 24.11.1)
 * its preload declines to register its ESM hooks in a worker (tsx#354,
 * piscina#742), and on the later versions, where it does, its hooks still do
 * not serve a worker whose entry is an evaluated script, as weft's are
 * (measured on Node 24.22: `import()` of a `.ts` file is left to Node's own
 * type stripping, which does not map `./x.js` to `./x.ts`, and fails with
 * ERR_MODULE_NOT_FOUND). So on every version weft finds the tsx the program
 * was started with and registers its ESM hooks in the new thread before
 * anything is imported.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

export interface LoaderPlan {
  /** URL of tsx's ESM hooks module, to `module.register` in the new thread. */
  readonly tsxHooks?: string;
}

let cachedPlan: LoaderPlan | undefined;

/** What a thread started from this one must do to import what this one imports. */
export function loaderPlan(): LoaderPlan {
  return (cachedPlan ??= computePlan());
}

function computePlan(): LoaderPlan {
  const preload = preloads().find(isTsx);
  if (preload === undefined) return {};
  const hooks = tsxHooksFor(preload);
  return hooks === undefined ? {} : { tsxHooks: hooks };
}

/** The modules named by --import/--require/--loader flags, in order. */
function preloads(): string[] {
  const found: string[] = [];
  const argv = process.execArgv;
  const flags = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    if (eq > 0 && flags.has(arg.slice(0, eq))) found.push(arg.slice(eq + 1));
    else if (flags.has(arg) && i + 1 < argv.length) found.push(argv[++i]);
  }
  return found;
}

function isTsx(specifier: string): boolean {
  return /(^|[\\/])tsx([\\/]|$)/.test(specifier) || /^tsx(\/|$)/.test(specifier);
}

/** tsx's `dist/esm/index.mjs`, next to the preload the program used, or resolved from the working directory. */
function tsxHooksFor(preload: string): string | undefined {
  try {
    if (preload.startsWith('file:') || isAbsolute(preload)) {
      const path = preload.startsWith('file:') ? fileURLToPath(preload) : preload;
      const hooks = join(tsxDistDir(path), 'esm', 'index.mjs');
      return existsSync(hooks) ? pathToFileURL(hooks).href : undefined;
    }
    const require = createRequire(join(process.cwd(), 'noop.js'));
    return pathToFileURL(require.resolve('tsx/esm')).href;
  } catch {
    return undefined;
  }
}

/** The `dist` folder of the tsx package a preload path points into. */
function tsxDistDir(preloadPath: string): string {
  const marker = join('tsx', 'dist');
  const at = preloadPath.lastIndexOf(marker);
  return at < 0 ? dirname(preloadPath) : preloadPath.slice(0, at + marker.length);
}
