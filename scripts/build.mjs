#!/usr/bin/env node
// Builds dist/:
//   - tsc writes the type declarations (dist/**/*.d.ts);
//   - esbuild bundles src/ into one script, dist/weft-body.cjs (with its source
//     map), and dist/weft.js, the module that runs it with V8's code cache
//     (src/internal/bundle-loader.ts) and exports what it exports;
//   - each public entry point (package.json "exports") becomes a one-line
//     module re-exporting its names from the bundle;
//   - the `weft` command is bundled on its own, to dist/cli.js.
// One module instead of thirty matters because every new thread loads weft
// again: module count dominates a worker's start-up (see src/internal/layout.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Public entry points: "./threading" → { source: 'src/threading.ts', output: 'dist/entries/threading.js' }. */
function entryPoints() {
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target.default !== undefined)
    .map(([subpath, target]) => {
      const declaration = target.types; // ./dist/threading.d.ts
      const source = declaration.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts');
      return { subpath, source, output: target.default.replace(/^\.\//, '') };
    });
}

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const entries = entryPoints();
// Each entry point's names live in a namespace of their own in the bundle:
// weft/threading and weft/multiprocessing both export a Lock, a Barrier…
const namespaceOf = (entry) => `entry_${entry.subpath === '.' ? 'weft' : entry.subpath.slice(2).replace(/\W/g, '_')}`;
const bundleEntry = [
  ...entries.map((e) => `export * as ${namespaceOf(e)} from ${JSON.stringify(join(root, e.source))};`),
  `export { runBootstrap } from ${JSON.stringify(join(root, 'src/runner/bootstrap.ts'))};`,
  `export { runProcessBootstrap } from ${JSON.stringify(join(root, 'src/runner/process-bootstrap.ts'))};`,
  `export { runHub } from ${JSON.stringify(join(root, 'src/backends/hub/server.ts'))};`,
  `export { runLink } from ${JSON.stringify(join(root, 'src/backends/hub/link.ts'))};`,
  // The lease thread of a weft/redis connection.
  `export { runRedisLease } from ${JSON.stringify(join(root, 'src/backends/redis/lease-thread.ts'))};`,
  // The target of every pool worker: found by name in the bundle, like a user's exported function.
  `export { runPoolWorker } from ${JSON.stringify(join(root, 'src/pool/worker-main.ts'))};`,
].join('\n');

// The bundle's body is CommonJS, run by dist/weft.js with V8's code cache
// (src/internal/bundle-loader.ts); inside it, import.meta.url is the URL of
// dist/weft.js, so that to weft's own code nothing changes.
await build({
  stdin: { contents: bundleEntry, resolveDir: root, sourcefile: 'weft-bundle-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(dist, 'weft-body.cjs'),
  define: { 'import.meta.url': '__weftUrl' },
  // Loaded by weft/redis only when it connects (through the loader's import():
  // src/internal/dynamic-import.ts): other entry points never load it.
  external: ['@redis/client'],
  sourcemap: true,
  keepNames: true,
  logLevel: 'warning',
});
// The body is read as Latin-1, several times faster than UTF-8 for every
// process and thread that loads it (bundle-loader.ts): esbuild escapes
// non-ASCII in code; what is left is in comments, escaped here too.
const bodyFile = join(dist, 'weft-body.cjs');
const body = readFileSync(bodyFile, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(bodyFile, body);
const bundleNames = [...entries.map(namespaceOf), 'runBootstrap', 'runProcessBootstrap', 'runHub', 'runLink', 'runRedisLease', 'runPoolWorker'];
await build({
  stdin: {
    contents: [
      `import { loadBundle } from ${JSON.stringify(join(root, 'src/internal/bundle-loader.ts'))};`,
      `export const { ${bundleNames.join(', ')} } = loadBundle(import.meta.url);`,
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'weft-loader-entry.js',
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(dist, 'weft.js'),
  keepNames: true,
  logLevel: 'warning',
});

// The `weft` command (package.json "bin"): a bundle of its own, run with
// plain node. commander stays a dependency (external); esbuild and tsx, which
// only the tour needs, are found at run time from the repository.
await build({
  entryPoints: [join(root, 'src/cli/bin.ts')],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(dist, 'cli.js'),
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(join(dist, 'cli.js'), 0o755);

// Each entry re-exports exactly the (runtime) names its source module exports.
for (const entry of entries) {
  const names = await exportedNames(join(root, entry.source));
  const output = join(root, entry.output);
  mkdirSync(dirname(output), { recursive: true });
  const bundle = '../weft.js';
  const ns = namespaceOf(entry);
  writeFileSync(
    output,
    `// ${entry.subpath === '.' ? 'weft' : 'weft/' + entry.subpath.slice(2)}: re-exports from the bundle.\n` +
      `import { ${ns} } from '${bundle}';\nexport const { ${names.join(', ')} } = ${ns};\n`,
  );
}
console.log(`built dist/weft.js, dist/cli.js and ${entries.length} entry points`);

async function exportedNames(source) {
  const result = await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, outdir: 'out', logLevel: 'warning' });
  const [output] = Object.values(result.metafile.outputs).filter((o) => o.entryPoint !== undefined);
  return output.exports.sort();
}
