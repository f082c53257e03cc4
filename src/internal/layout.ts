/**
 * Where weft's own code lives, which differs between its two shapes: the
 * per-module build (`dist/` as tsc writes it, or `src/` run through tsx),
 * and the single-file bundle that the package's entry points load — one
 * module instead of thirty, because every new thread loads weft again and
 * module count dominates a worker's start-up. The bundle is `dist/weft.js`,
 * a small loader that runs the bundle's body (`dist/weft-body.cjs`) with
 * V8's code cache (`bundle-loader.ts`); inside the body, `import.meta.url`
 * is the loader's URL, so this file sees `dist/weft.js` either way (stack
 * traces and V8 name the body's file).
 */
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** True when running from the bundle. */
export const bundled = here.endsWith('/weft.js');

/** The directory holding all of weft's code: `dist/` or `src/`. */
export const weftRoot = bundled ? dirname(here) : dirname(dirname(here));

/**
 * The bundle's body, as V8 names the script (`bundle-loader.ts`): a
 * function of weft's located there is exported by the bundle's module,
 * `dist/weft.js` (the URL everything else here gives).
 */
export const bundleBodyUrl = bundled ? new URL('./weft-body.cjs', import.meta.url).href : undefined;

/** The module a new thread imports first; it exports `runBootstrap`. */
export const bootstrapUrl = bundled
  ? import.meta.url
  : new URL(`../runner/bootstrap${extname(here)}`, import.meta.url).href;

/** The module a new process imports first; it exports `runProcessBootstrap`. */
export const processBootstrapUrl = bundled
  ? import.meta.url
  : new URL(`../runner/process-bootstrap${extname(here)}`, import.meta.url).href;

/** The module the hub's worker imports; it exports `runHub`. */
export const hubServerUrl = bundled
  ? import.meta.url
  : new URL(`../backends/hub/server${extname(here)}`, import.meta.url).href;

/** The module a child's link worker imports; it exports `runLink`. */
export const hubLinkUrl = bundled
  ? import.meta.url
  : new URL(`../backends/hub/link${extname(here)}`, import.meta.url).href;
