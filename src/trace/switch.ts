/**
 * Whether this thread records trace events: the one module-level boolean
 * that every traced operation tests, `if (tracing) record(…)`. When it is
 * false a traced operation costs that test and nothing else — no call, no
 * allocation — which is why it is a live `let` binding and not a function.
 *
 * It starts true in every thread and process whose environment has
 * `WEFT_TRACE` (threads and children inherit the root's environment), and
 * `trace.start()` / `trace.stop()` turn it on and off. Two copies of weft
 * loaded in one thread (sources and the bundle, in tests) each have their
 * own binding; `setTracing` flips all of them.
 */

/** The environment variable naming the trace file; set in the root, inherited by every thread and child. */
export const TRACE_ENV = 'WEFT_TRACE';

/** The trace file named by the environment, or undefined when tracing was not asked for. */
export function tracePathFromEnv(): string | undefined {
  const path = process.env[TRACE_ENV];
  return path === undefined || path === '' ? undefined : path;
}

/** True while this thread records. Read it, never write it: use `setTracing`. */
export let tracing = tracePathFromEnv() !== undefined;

const key = Symbol.for('weft.trace.switches');
type GlobalWithSwitches = typeof globalThis & { [key]?: Set<(on: boolean) => void> };
const switches = ((globalThis as GlobalWithSwitches)[key] ??= new Set());
switches.add((on) => {
  tracing = on;
});

/** Turns recording on or off in this thread, in every copy of weft it has loaded. */
export function setTracing(on: boolean): void {
  for (const flip of switches) flip(on);
}
