/**
 * The options `Thread` and `Process` share (`target`, `args`, `name`,
 * `daemon`, `module`), checked the same way for both; errors name the
 * module the caller used.
 */
import { invalidArg } from '../errors.js';

export interface StartOptions {
  readonly target?: Function;
  readonly args: unknown[];
  readonly name?: string;
  readonly daemon?: boolean;
  readonly module?: string | URL;
}

export function checkStartOptions(options: unknown, scope: 'threading' | 'multiprocessing', what: 'Thread' | 'Process'): StartOptions {
  if (options === undefined) return { args: [] };
  if (typeof options !== 'object' || options === null) throw invalidArg(`${scope}: ${what} options must be an object`, 'type');
  const { target, args, name, daemon, module } = options as Record<string, unknown>;
  if (target !== undefined && typeof target !== 'function') throw invalidArg(`${scope}: target must be a function`, 'type');
  if (args !== undefined && !Array.isArray(args)) throw invalidArg(`${scope}: args must be an array`, 'type');
  if (daemon !== undefined && typeof daemon !== 'boolean') throw invalidArg(`${scope}: daemon must be a boolean`, 'type');
  if (module !== undefined && typeof module !== 'string' && !(module instanceof URL)) {
    throw invalidArg(`${scope}: module must be a URL or a string`, 'type');
  }
  return { target, args: (args as unknown[] | undefined) ?? [], name: name === undefined ? undefined : String(name), daemon, module };
}
