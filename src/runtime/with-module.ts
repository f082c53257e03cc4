/**
 * `withModule(fn, module)`: tells weft which module exports `fn`, for the
 * rare function whose defining module weft cannot find by itself (for
 * example one re-exported from a module that also defines a same-named
 * function). Returns `fn` itself, so types flow through.
 */
import { invalidArg } from '../errors.js';

const named = new WeakMap<Function, string | URL>();

/**
 * Names the module that exports `fn`.
 *
 * @example
 * ```ts
 * import { withModule } from 'weft';
 * const target = withModule(task, import.meta.url);
 * new Thread({ target }).start();
 * ```
 */
export function withModule<F extends Function>(fn: F, module: string | URL): F {
  if (typeof fn !== 'function') throw invalidArg('withModule(fn, module) needs a function', 'type');
  if (typeof module !== 'string' && !(module instanceof URL)) {
    throw invalidArg('withModule(fn, module): module must be a URL, a file URL string or an absolute path', 'type');
  }
  named.set(fn, module);
  return fn;
}

/** The module `withModule` named for `fn`, if any. */
export function namedModule(fn: Function): string | URL | undefined {
  return named.get(fn);
}
