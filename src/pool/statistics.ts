/**
 * What a pool has done, for `statistics()`: counts, and run-time and
 * wait-time percentiles over the most recent tasks (a fixed window, so the
 * numbers follow the pool's current load and cost nothing to keep).
 */

/** Percentiles of a time distribution, in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** A pool's `statistics()`. Times in milliseconds; percentiles over the last 1024 tasks. */
export interface PoolStatistics {
  /** Live workers. */
  readonly workers: number;
  /** Workers running at least one task. */
  readonly busy: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks that returned a result. */
  readonly completed: number;
  /** Tasks that threw, timed out, were aborted, or lost their worker. */
  readonly failed: number;
  /** How long tasks ran, from start to end, in the worker. */
  readonly runTime: Percentiles;
  /** How long tasks waited, from submit to start. */
  readonly waitTime: Percentiles;
}

const WINDOW = 1024;

/** The last WINDOW samples, overwritten in a ring. */
class Samples {
  readonly #values = new Float64Array(WINDOW);
  #count = 0;

  add(value: number): void {
    this.#values[this.#count % WINDOW] = value;
    this.#count += 1;
  }

  percentiles(): Percentiles {
    const n = Math.min(this.#count, WINDOW);
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.#values.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.floor(q * n))];
    return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[n - 1]) };
  }
}

export class TaskStatistics {
  completed = 0;
  failed = 0;
  readonly #run = new Samples();
  readonly #wait = new Samples();

  recordRun(micros: number): void {
    this.#run.add(micros / 1000);
  }

  recordWait(milliseconds: number): void {
    this.#wait.add(milliseconds);
  }

  snapshot(workers: number, busy: number, queued: number): PoolStatistics {
    return {
      workers,
      busy,
      queued,
      completed: this.completed,
      failed: this.failed,
      runTime: this.#run.percentiles(),
      waitTime: this.#wait.percentiles(),
    };
  }
}

/** Microsecond precision is all a timer here can give. */
function round(milliseconds: number): number {
  return Math.round(milliseconds * 1000) / 1000;
}
