/**
 * `import()` for weft's own code (a target's module, imported in the new
 * thread or process).
 *
 * From the package, weft's bundle runs as a script compiled with V8's code
 * cache (`bundle-loader.ts`), where `import()` cannot be served: Node has
 * no module loader behind a script's `import()` unless told so by an
 * experimental option, which Node 20 loses when the script's code comes
 * from the cache. So the loader, an ES module, lends its own `import()`
 * under a global symbol before the bundle runs; weft run from source
 * (`src/` through tsx, or tsc's `dist/`) has none and uses its own.
 */
type Import = (specifier: string) => Promise<Record<string, unknown>>;

const lent = Symbol.for('weft.import');

export function importModule(specifier: string): Promise<Record<string, unknown>> {
  const borrowed = (globalThis as { [lent]?: Import })[lent];
  return borrowed !== undefined ? borrowed(specifier) : (import(specifier) as Promise<Record<string, unknown>>);
}

/** Called by the bundle's loader, before the bundle runs. */
export function lendImport(importer: Import): void {
  (globalThis as { [lent]?: Import })[lent] ??= importer;
}
