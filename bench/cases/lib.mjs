// Shared by the benchmark programs: report one result as a JSON line on stdout.
export function report(value, unit, extra = {}) {
  process.stdout.write(`${JSON.stringify({ value, unit, ...extra })}\n`);
}

/** Runs `body(n)` (which performs n operations) repeatedly for about `ms`; returns operations per second. */
export function opsPerSecond(body, ms = 1000, batch = 100_000) {
  body(batch); // warm up: let V8 optimise the loop
  body(batch);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    body(batch);
    ops += batch;
    elapsed = performance.now() - start;
  }
  return ops / (elapsed / 1000);
}

export async function opsPerSecondAsync(body, ms = 1000, batch = 10_000) {
  await body(batch);
  await body(batch);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await body(batch);
    ops += batch;
    elapsed = performance.now() - start;
  }
  return ops / (elapsed / 1000);
}
