/**
 * The trace's clock. Events are stamped with `performance.now()` — the
 * cheapest monotonic clock a thread has — but each thread's `now()` counts
 * from its own `performance.timeOrigin`, sampled from the wall clock when
 * the thread started, and two such samples disagree by a few microseconds:
 * enough to draw one thread's lock hold overlapping the next holder's.
 *
 * So each thread measures once where its `now()` sits on the machine's
 * monotonic clock (`process.hrtime`, CLOCK_MONOTONIC, shared by every
 * thread and process), and the root converts that clock to epoch
 * microseconds once, for every event alike.
 */

/** The machine's monotonic clock, in ms. */
function hrtimeMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}

/**
 * Where this thread's `performance.now()` starts on the machine's monotonic
 * clock, in ms: the best of a few bracketed samples (error under a microsecond).
 */
export function monotonicOrigin(): number {
  let best = Infinity;
  let origin = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const hr = hrtimeMs();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      origin = hr - (before + after) / 2;
    }
  }
  return origin;
}

/** Adds to a monotonic time (ms) to get epoch ms: measured once, in the thread that writes the trace. */
export function epochOffset(): number {
  return performance.timeOrigin + performance.now() - hrtimeMs();
}
