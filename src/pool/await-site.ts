/**
 * Where a remote error was awaited. An error thrown by a task in a worker
 * arrives with the worker's stack; below it weft adds the frames of the
 * caller that awaited the task — `apply`, `map`, `result()` — so a failure
 * points at both ends, as Python's `_RemoteTraceback` does.
 *
 * The frames are taken when the error reaches the awaiting function, not
 * at submit: V8's async stack traces give the awaiting chain for free
 * there, where a capture at every submit would cost a stack walk per task.
 */
const fromWorker = new WeakSet<object>();

// weft's own frames, from its sources or its bundle, say nothing to the user.
const WEFT_FRAME = /\/src\/pool\/|\/dist\/weft\.js|node:internal\/process\/task_queues/;

/** Marks an error rebuilt from a worker's report. */
export function markRemote(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) fromWorker.add(error);
  return error;
}

/** Adds the awaiting caller's frames to an error from a worker (once); other errors pass unchanged. */
export function withAwaitSite(error: unknown): unknown {
  if (!(error instanceof Error) || !fromWorker.has(error)) return error;
  fromWorker.delete(error);
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, withAwaitSite);
  const frames = (here.stack ?? '').split('\n').slice(1).filter((line) => !WEFT_FRAME.test(line));
  if (frames.length > 0) error.stack = `${error.stack ?? String(error)}\n    --- awaited in the submitting thread ---\n${frames.join('\n')}`;
  return error;
}
