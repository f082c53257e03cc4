/**
 * The module that called into weft: the first stack frame outside weft's
 * own files. `new Thread(...)` records it so that a target whose defining
 * module V8 cannot name can still be looked up there, and so that a relative
 * `module` option is resolved against the caller, like an `import`.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { weftRoot } from '../internal/layout.js';

/** URL of the calling module, or undefined if the stack does not show one. */
export function callerModule(): string | undefined {
  const frames = captureCallSites();
  for (const frame of frames) {
    const file = frame.getFileName();
    if (file === undefined || file === null || file.startsWith('node:')) continue;
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (path.startsWith(weftRoot + '/') || !path.startsWith('/')) continue;
    return file.startsWith('file:') ? file : pathToFileURL(file).href;
  }
  return undefined;
}

interface CallSite {
  getFileName(): string | undefined | null;
}

function captureCallSites(): CallSite[] {
  const original = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 30;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerModule);
    return (holder.stack as CallSite[] | undefined) ?? [];
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = originalLimit;
  }
}
