/**
 * Turns the batches of a run into the Chrome Trace Event format
 * (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU),
 * which Perfetto (ui.perfetto.dev) and chrome://tracing open:
 *
 * | weft event                         | trace event                                              |
 * |------------------------------------|----------------------------------------------------------|
 * | lane (a thread of a process)       | `M` `process_name` / `thread_name` (+ sort indexes)      |
 * | acquired … released                | `X`, cat `hold`, name `Lock 1` — drawn in the acquirer's lane |
 * | acquire-requested … acquired/timed out | `X`, cat `wait`, name `wait Lock 1`                  |
 * | barrier / full-queue / empty-queue wait | `X`, cat `wait`, name `wait Barrier 1`              |
 * | put, get                           | `i` (cat `queue`) and a `C` counter `Queue 1 depth`      |
 * | a process-scope queue's depth      | `C` `mp.Queue 1 depth`, from the hub's lane               |
 * | thread / process start and exit    | `i`, cat `lifecycle`, with `exitCode`                    |
 * | sampling of a burst on / off       | `i`, cat `sampling` (see `recorder.ts`)                  |
 *
 * Times are microseconds since the Unix epoch: the machine's monotonic
 * clock as every thread read it (`clock.ts`), converted once by the root. `pid` is the OS pid; `tid` is
 * the pid for a main thread (Linux's convention) and `pid·1000 + threadId`
 * for a worker, unique across the tree. Objects are named by class and order
 * of first appearance: `Lock 1`, `mp.Queue 2`.
 */
import { Cls, className, Op, PROCESS_SCOPE, type Batch } from './events.js';
import { epochOffset } from './clock.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M';
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: { tool: 'weft'; dropped: number };
}

/** The Chrome `tid` of a thread. */
export function chromeTid(pid: number, threadId: number): number {
  return threadId === 0 ? pid : pid * 1000 + threadId;
}

interface Flat {
  readonly lane: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly op: number;
  readonly cls: number;
  readonly id: number;
  readonly value: number;
  readonly order: number;
}

interface Open {
  readonly lane: Flat;
  readonly ts: number;
}

const round = (us: number): number => Math.round(us * 1000) / 1000;

/**
 * Builds the trace of a run from every batch collected.
 *
 * @example
 * ```ts
 * writeFileSync('run.json', JSON.stringify(toChromeTrace(collector().take(), 0)));
 * ```
 */
export function toChromeTrace(batches: readonly Batch[], dropped: number): ChromeTrace {
  const out: TraceEvent[] = [];
  const flat = flatten(batches, epochOffset());
  out.push(...metadata(batches));
  const labels = new Labels();
  const waits = new Map<string, Open[]>(); // by lane + object
  const holds = new Map<string, Open[]>(); // by object: open holds of every lane, oldest first
  const end = flat.length === 0 ? 0 : flat[flat.length - 1].ts;

  for (const e of flat) {
    const { pid, tid, ts } = e;
    const label = e.cls === Cls.None ? '' : labels.of(e);
    const objectKey = labels.key(e);
    const waitKey = `${e.lane}|${objectKey}`;
    switch (e.op) {
      case Op.Request:
      case Op.WaitBegin:
        push(waits, waitKey, { lane: e, ts });
        break;
      case Op.Acquired:
      case Op.TimedOut:
      case Op.WaitEnd: {
        const wait = pop(waits, waitKey);
        if (wait !== undefined) {
          const outcome = e.op === Op.TimedOut || (e.op === Op.WaitEnd && e.value === 1) ? 'timed out' : e.value === 2 ? 'inherited' : 'done';
          out.push({ name: `wait ${label}`, cat: 'wait', ph: 'X', pid, tid, ts: round(wait.ts), dur: round(ts - wait.ts), args: { object: label, outcome } });
        }
        if (e.op === Op.Acquired) push(holds, objectKey, { lane: e, ts });
        break;
      }
      case Op.Released:
        for (let n = Math.max(1, e.value); n > 0; n--) {
          const hold = takeHold(holds, objectKey, e.lane);
          if (hold === undefined) {
            out.push({ name: `release ${label}`, cat: 'hold', ph: 'i', s: 't', pid, tid, ts: round(ts), args: { object: label } });
            break;
          }
          const byOther = hold.lane.lane !== e.lane;
          out.push({ name: label, cat: 'hold', ph: 'X', pid: hold.lane.pid, tid: hold.lane.tid, ts: round(hold.ts), dur: round(ts - hold.ts), args: { object: label, ...(byOther ? { releasedBy: e.lane } : {}) } });
        }
        break;
      case Op.Put:
      case Op.Get:
        out.push({ name: `${e.op === Op.Put ? 'put' : 'get'} ${label}`, cat: 'queue', ph: 'i', s: 't', pid, tid, ts: round(ts), args: { object: label, ...(e.value >= 0 ? { depth: e.value } : {}) } });
        if (e.value >= 0) out.push({ name: `${label} depth`, cat: 'queue', ph: 'C', pid, ts: round(ts), args: { depth: e.value } });
        break;
      case Op.ThreadStart:
        out.push({ name: 'thread start', cat: 'lifecycle', ph: 'i', s: 't', pid, tid, ts: round(ts) });
        break;
      case Op.ThreadExit:
        out.push({ name: 'thread exit', cat: 'lifecycle', ph: 'i', s: 't', pid, tid, ts: round(ts), args: { exitCode: e.value } });
        break;
      case Op.Depth:
        out.push({ name: `${label} depth`, cat: 'queue', ph: 'C', pid, ts: round(ts), args: { depth: e.value } });
        break;
      case Op.Sampling:
        out.push({ name: e.value > 0 ? `sampling: 1 in ${e.value} uncontended Lock holds` : 'sampling off', cat: 'sampling', ph: 'i', s: 't', pid, tid, ts: round(ts), args: { every: e.value } });
        break;
      case Op.ProcessStart:
        out.push({ name: 'process start', cat: 'lifecycle', ph: 'i', s: 'p', pid, tid, ts: round(ts) });
        break;
      case Op.ProcessExit:
        out.push({ name: e.id === pid ? 'process exit' : `child ${e.id} exited`, cat: 'lifecycle', ph: 'i', s: e.id === pid ? 'p' : 't', pid, tid, ts: round(ts), args: { pid: e.id, exitCode: e.value } });
        break;
    }
  }
  // Holds never released while tracing (the program ended holding them): drawn to the end, and marked.
  for (const [, open] of holds) {
    for (const hold of open) {
      const label = labels.of(hold.lane);
      out.push({ name: label, cat: 'hold', ph: 'X', pid: hold.lane.pid, tid: hold.lane.tid, ts: round(hold.ts), dur: round(end - hold.ts), args: { object: label, unreleased: true } });
    }
  }
  out.sort((a, b) => (a.ph === 'M' ? -1 : 0) - (b.ph === 'M' ? -1 : 0) || (a.ts ?? 0) - (b.ts ?? 0));
  return { traceEvents: out, displayTimeUnit: 'ms', otherData: { tool: 'weft', dropped } };
}

/** Every event of every batch, in time order (ties keep each thread's own order). */
function flatten(batches: readonly Batch[], toEpoch: number): Flat[] {
  const flat: Flat[] = [];
  let order = 0;
  for (const b of batches) {
    const tid = chromeTid(b.pid, b.threadId);
    const lane = `${b.pid}/${b.threadId}`;
    for (let k = 0; k < b.ops.length; k++) {
      flat.push({ lane, pid: b.pid, tid, ts: (toEpoch + b.origin + b.times[k]) * 1000, op: b.ops[k], cls: b.classes[k], id: b.ids[k], value: b.values[k], order: order++ });
    }
  }
  return flat.sort((a, b) => a.ts - b.ts || a.order - b.order);
}

/** `M` events naming each process and thread; the root first, main threads first. */
function metadata(batches: readonly Batch[]): TraceEvent[] {
  const processes = new Map<number, { name: string; first: number }>();
  const threads = new Map<string, { pid: number; tid: number; name: string; threadId: number }>();
  for (const b of batches) {
    const first = b.times.length > 0 ? b.origin + b.times[0] : b.origin; // only compared with each other
    const known = processes.get(b.pid);
    if (known === undefined) processes.set(b.pid, { name: b.process, first });
    else {
      if (b.threadId === 0) known.name = b.process;
      known.first = Math.min(known.first, first);
    }
    threads.set(`${b.pid}/${b.threadId}`, { pid: b.pid, tid: chromeTid(b.pid, b.threadId), name: b.thread, threadId: b.threadId });
  }
  const out: TraceEvent[] = [];
  if (processes.size === 0) return out;
  // The root (the first to record) first, then the others by name: Process-2 before Process-10.
  const root = [...processes.entries()].reduce((a, b) => (b[1].first < a[1].first ? b : a))[0];
  [...processes.entries()]
    .sort((a, b) => (a[0] === root ? -1 : b[0] === root ? 1 : a[1].name.localeCompare(b[1].name, 'en', { numeric: true })))
    .forEach(([pid, p], index) => {
      out.push({ name: 'process_name', ph: 'M', pid, args: { name: `${p.name} (pid ${pid})` } });
      out.push({ name: 'process_sort_index', ph: 'M', pid, args: { sort_index: index } });
    });
  for (const t of threads.values()) {
    out.push({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: t.name } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid: t.pid, tid: t.tid, args: { sort_index: t.threadId } });
  }
  return out;
}

/** Names objects `Lock 1`, `Lock 2`… in order of first appearance. */
class Labels {
  readonly #names = new Map<string, string>();
  readonly #counts = new Map<string, number>();

  /** Thread-scope ids are a process's own; process-scope ids (the hub's) are the tree's. */
  key(e: Flat): string {
    return (e.cls & PROCESS_SCOPE) !== 0 ? `${e.cls}:${e.id}` : `${e.pid}:${e.cls}:${e.id}`;
  }

  of(e: Flat): string {
    const key = this.key(e);
    let name = this.#names.get(key);
    if (name === undefined) {
      const cls = className(e.cls);
      const n = (this.#counts.get(cls) ?? 0) + 1;
      this.#counts.set(cls, n);
      name = `${cls} ${n}`;
      this.#names.set(key, name);
    }
    return name;
  }
}

function push(map: Map<string, Open[]>, key: string, open: Open): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [open]);
  else list.push(open);
}

function pop(map: Map<string, Open[]>, key: string): Open | undefined {
  const list = map.get(key);
  const open = list?.pop();
  if (list !== undefined && list.length === 0) map.delete(key);
  return open;
}

/** The hold a release ends: the releasing thread's latest (re-entrant holds nest), else the oldest of another thread (a Lock may be released by any thread). */
function takeHold(holds: Map<string, Open[]>, key: string, lane: string): Open | undefined {
  const list = holds.get(key);
  if (list === undefined) return undefined;
  let at = -1;
  for (let k = list.length - 1; k >= 0; k--) {
    if (list[k].lane.lane === lane) {
      at = k;
      break;
    }
  }
  if (at === -1) at = 0;
  const [hold] = list.splice(at, 1);
  if (list.length === 0) holds.delete(key);
  return hold;
}


