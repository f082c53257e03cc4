/**
 * Where the `weft` command finds what it runs: the package root (the folder
 * of weft's package.json), the tutorial's programs in `examples/`, and the
 * built entry points the programs import as `weft/...`.
 *
 * The command runs both from source (`src/cli/*.ts` under tsx) and from its
 * bundle (`dist/cli.js`), so nothing here assumes a fixed depth below the
 * root: the root is found by walking up to weft's own package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly exports?: Record<string, string | { readonly default?: string }>;
}

let cachedRoot: string | undefined;

/** The folder holding weft's package.json, found upwards from this module. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && readPackageJson(candidate).name === 'weft') return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`weft: cannot find weft's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** weft's package.json. */
export function packageJson(): PackageJson {
  return readPackageJson(join(packageRoot(), 'package.json'));
}

/** The folder of the tutorial's programs. */
export function examplesDir(): string {
  return join(packageRoot(), 'examples');
}

/**
 * The built module behind a `weft` import specifier (`weft`,
 * `weft/threading`…), from package.json "exports", or undefined for a
 * specifier weft does not export.
 */
export function builtEntry(specifier: string): string | undefined {
  const subpath = specifier === 'weft' ? '.' : `./${specifier.slice('weft/'.length)}`;
  const target = packageJson().exports?.[subpath];
  const file = typeof target === 'string' ? target : target?.default;
  return file === undefined ? undefined : join(packageRoot(), file);
}

function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}
