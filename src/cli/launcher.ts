/**
 * How a tutorial program is started: the command line of its process.
 *
 * Two ways, chosen per run:
 *
 * - `compiled` (the default): the programs are compiled once with esbuild —
 *   the same TypeScript-to-JavaScript transform tsx applies — into a
 *   temporary folder, and run with plain `node`. tsx's loader costs about a
 *   third of a second in *every* thread and process a program starts (each
 *   worker and child registers the loader again), so the ticket sale's nine
 *   processes take 4.3 s under tsx and 1.2 s compiled, and the twelve
 *   programs one after another 38 s and 23 s (measured on an idle 2-core
 *   machine).
 * - `tsx`: `node --import tsx examples/<file>`, exactly what a reader would
 *   type by hand.
 *
 * Either way each program is its own process (a program's process
 * semantics — daemons ending with it, module globals fresh per process — are
 * what the tour shows), and imports of `weft/...` reach the same built
 * modules in dist/.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtEntry, examplesDir, packageRoot } from './paths.js';

/** How programs are started. */
export type LaunchMode = 'compiled' | 'tsx';

/** Starts programs in one mode; `dispose()` removes what it prepared. */
export interface Launcher {
  readonly mode: LaunchMode;
  /** The command line (`[executable, ...args]`) that runs `file` of examples/ with `args`. */
  commandLine(file: string, args: readonly string[]): readonly string[];
  /** The folder programs run in (their working directory). */
  readonly cwd: string;
  dispose(): void;
}

/** Prepares a launcher for the given files of examples/ (compiling them in `compiled` mode). */
export async function prepareLauncher(mode: LaunchMode, files: readonly string[]): Promise<Launcher> {
  if (!existsSync(examplesDir())) {
    // The npm package ships dist/ only; the programs and tsx come with the repository.
    throw new Error(`weft: the tutorial's programs (examples/) come with weft's repository, not its npm package; run the tour from a clone`);
  }
  return mode === 'tsx' ? tsxLauncher() : compiledLauncher(files);
}

function tsxLauncher(): Launcher {
  const tsx = resolveDevDependency('tsx');
  return {
    mode: 'tsx',
    cwd: examplesDir(),
    commandLine: (file, args) => [process.execPath, '--import', tsx, join(examplesDir(), file), ...args],
    dispose: () => {},
  };
}

async function compiledLauncher(files: readonly string[]): Promise<Launcher> {
  const esbuild = (await import(resolveDevDependency('esbuild'))) as typeof import('esbuild');
  const outdir = mkdtempSync(join(tmpdir(), 'weft-tour-'));
  const output = (file: string): string => join(outdir, file.replace(/\.ts$/, '.mjs'));
  try {
    await Promise.all(
      [...new Set(files)].map((file) =>
        esbuild.build({
          entryPoints: [join(examplesDir(), file)],
          outfile: output(file),
          // Bundling only to rewrite imports: weft and every package stay
          // external (below), so the program's own code is all that is
          // compiled, and weft is the one in dist/, loaded once per process.
          bundle: true,
          packages: 'external',
          platform: 'node',
          format: 'esm',
          target: 'node20',
          // Thread and Process find a target by its name: keep every name.
          keepNames: true,
          logLevel: 'error',
          plugins: [weftImports()],
        }),
      ),
    );
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  } finally {
    // esbuild's service is a child process: end it now rather than have it
    // outlive the compile (and show up beside the programs).
    await esbuild.stop();
  }
  return {
    mode: 'compiled',
    cwd: examplesDir(),
    commandLine: (file, args) => [process.execPath, output(file), ...args],
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * An esbuild plugin pointing `weft` and `weft/...` at the built entry
 * points: the compiled program lives in a temporary folder, outside weft's
 * package, where the package's self-reference (`import 'weft'`) does not
 * resolve.
 */
function weftImports(): import('esbuild').Plugin {
  return {
    name: 'weft-imports',
    setup(build) {
      build.onResolve({ filter: /^weft(\/.*)?$/ }, (args) => {
        const entry = builtEntry(args.path);
        if (entry === undefined) return { errors: [{ text: `weft does not export "${args.path}"` }] };
        return { path: pathToFileURL(entry).href, external: true };
      });
    },
  };
}

/**
 * The entry module (a file: URL) of a devDependency (tsx, esbuild), with an
 * error that says what is missing: the tour runs from a clone of the
 * repository, where `npm install` has put them.
 */
function resolveDevDependency(name: string): string {
  try {
    return import.meta.resolve(name);
  } catch {
    throw new Error(`weft: running the tutorial's programs needs ${name}, a devDependency of weft; run \`npm install\` in ${packageRoot()}`);
  }
}
