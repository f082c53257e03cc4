/**
 * What tracing costs (`WEFT_TRACE`): each lock and queue benchmark run as
 * is (tracing off: the subject) and with tracing on (the anchor), in turns.
 * `advantage` is off / on — how many times faster the untraced run is. The
 * goal: under 2×. "Off costs nothing" is read elsewhere: the untraced
 * subjects of the other suites against their bare anchors (a CAS pair, a
 * MessagePort), as before tracing existed.
 */
import type { Measurement, Suite } from './suites.ts';

function traceOverhead(id: string, title: string, file: string, unit: string, args: readonly string[] = []): Suite {
  const off: Measurement = { id: `${id}-trace-off`, title: `${title}, tracing off`, command: [process.execPath, `cases/${file}`, ...args], unit, better: 'higher' };
  // Preloading trace-on.mjs sets WEFT_TRACE before weft loads, as the environment would.
  const on: Measurement = { ...off, id: `${id}-trace-on`, title: `${title}, tracing on`, command: [process.execPath, '--import', './cases/trace-on.mjs', `cases/${file}`, ...args] };
  return { id: `trace-overhead-${id}`, title: `Trace overhead: ${title}`, subject: off, anchors: [on], goal: 'tracing on costs less than 2× (advantage of off over on below 2)' };
}

export const traceSuites: readonly Suite[] = [
  traceOverhead('lock-sync', 'Lock acquireSync()+release(), uncontended', 'lock-sync.mjs', 'ops/s'),
  traceOverhead('lock-async', 'Lock await acquire()+release(), uncontended', 'lock-async.mjs', 'ops/s'),
  traceOverhead('lock-contended', 'Lock contended by 2 threads', 'lock-contended.mjs', 'ops/s'),
  traceOverhead('queue-ints', 'Queue 1→1 threads, 1,000,000 ints', 'queue-stream.mjs', 'items/s', ['ints', '1', '1']),
  traceOverhead('queue-objects', 'Queue 1→1 threads, 200,000 objects', 'queue-stream.mjs', 'items/s', ['objects', '1', '1']),
];
