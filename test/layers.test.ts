/**
 * The folders of src/ are layers, and imports only go down (docs/design.md,
 * "The shape of src/"):
 *
 *   floor     errors.ts, internal/, codec/, trace/, runtime/: import only the floor
 *   backends  backends/**: import the floor and backends, never a public class
 *   the rest  sync/, queue/, shared/, multiprocessing/, pool/, runner/, pipe/,
 *             testing/, cli/, the entry points: anything
 *
 * Every relative import is checked: `import … from`, `export … from`, a bare
 * `import '…'` (a module loaded for its side effect is a dependency too) and
 * `import('…')` (types included: a type from above ties the layers as well).
 * What does not follow the rule yet is listed in ALLOWED, each with why; an
 * entry that no longer matches an import fails too, so the list only shrinks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const T = { timeout: 10_000 };
const src = fileURLToPath(new URL('../src/', import.meta.url));

/** `importer -> imported` (paths under src/, .ts) → why it is allowed for now. */
const ALLOWED: ReadonlyMap<string, string> = new Map<string, string>([
  // Empty: every backend imports only the floor and other backends.
]);

const FLOOR = ['errors.ts', 'internal/', 'codec/', 'trace/', 'runtime/'];
type Layer = 'floor' | 'backends' | 'top';

function layerOf(path: string): Layer {
  if (FLOOR.some((f) => (f.endsWith('/') ? path.startsWith(f) : path === f))) return 'floor';
  if (path.startsWith('backends/')) return 'backends';
  return 'top';
}

const rank: Record<Layer, number> = { floor: 0, backends: 1, top: 2 };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)(['"])(\.{1,2}\/[^'"]+)\1/gm;

/** Every import of src/ that goes up a layer, as `importer -> imported`. */
function upwardImports(): string[] {
  const found: string[] = [];
  for (const file of sources(src)) {
    const importer = relative(src, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const imported = relative(src, resolve(dirname(file), match[2]!)).split(sep).join('/').replace(/\.js$/, '.ts');
      if (rank[layerOf(imported)] > rank[layerOf(importer)]) found.push(`${importer} -> ${imported}`);
    }
  }
  return [...new Set(found)].sort();
}

test('imports only go down: the floor imports the floor, backends/ never a public class', T, () => {
  const upward = upwardImports();
  const unexplained = upward.filter((edge) => !ALLOWED.has(edge));
  assert.deepEqual(unexplained, [], `imports that go up a layer (move the module down, pass an interface in, or list it in ALLOWED with why):\n  ${unexplained.join('\n  ')}`);
  const stale = [...ALLOWED.keys()].filter((edge) => !upward.includes(edge));
  assert.deepEqual(stale, [], 'ALLOWED entries that no longer match an import: remove them');
});

test('the layer check sees every form of import', T, () => {
  const text = [
    "import { a } from '../../sync/lock.js';",
    "export { b } from '../../pool/pool.js';",
    "import '../../trace/hub-sink.js';",
    "type C = typeof import('../../runner/thread.js');",
  ].join('\n');
  assert.deepEqual([...text.matchAll(SPECIFIER)].map((m) => m[2]), [
    '../../sync/lock.js', '../../pool/pool.js', '../../trace/hub-sink.js', '../../runner/thread.js',
  ]);
});
