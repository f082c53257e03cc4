/**
 * Every public export has TSDoc with a short `@example` — what an editor
 * shows on hover is documentation enough to start.
 *
 * Reads the entry points listed in package.json "exports" with the
 * TypeScript compiler and checks each exported value (class, function,
 * constant; not types).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/programs.js';

/** The source file of each public entry point: "./threading" → src/threading.ts (as scripts/build.mjs maps them). */
function entrySources(): Array<{ entry: string; source: string }> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const found: Array<{ entry: string; source: string }> = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = (target as { types?: string } | undefined)?.types;
    if (typeof types !== 'string') continue;
    const source = join(repoRoot, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
    if (existsSync(source)) found.push({ entry: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, source });
  }
  return found;
}

test('every public export has TSDoc with an @example', { timeout: 120_000 }, (t) => {
  const entries = entrySources();
  assert.ok(entries.length >= 5, 'the entry points were not found');
  const program = ts.createProgram(entries.map((e) => e.source), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  let checked = 0;
  for (const { entry, source } of entries) {
    const file = program.getSourceFile(source);
    assert.ok(file !== undefined, `${source} was not loaded`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.valueDeclaration;
      if (declaration === undefined) continue; // a type only
      checked += 1;
      const where = relative(repoRoot, declaration.getSourceFile().fileName);
      const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
      const hasExample = symbol.getJsDocTags(checker).some((tag) => tag.name === 'example');
      if (docs !== '' && hasExample) continue;
      const problem = `${entry}: ${exported.name} (${where}) has ${docs === '' ? 'no TSDoc' : 'no @example'}`;
      missing.push(problem);
    }
  }
  assert.ok(checked > 40, `only ${checked} exports checked`);
  assert.deepEqual(missing, []);
});
