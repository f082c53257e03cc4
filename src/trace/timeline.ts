/**
 * `weft timeline run.json -o run.html`: draws a trace (the Chrome Trace
 * Event JSON that `WEFT_TRACE` writes) as one self-contained HTML page —
 * inline CSS, SVG and a few lines of script, nothing fetched — so it opens
 * anywhere, offline, and can be attached to a bug report.
 *
 * The page has one lane per thread, grouped by process (root first, main
 * threads first), on one time axis:
 *
 * | drawn                          | element                                   | from the trace            |
 * |--------------------------------|-------------------------------------------|---------------------------|
 * | a lane                         | `g.lane[data-pid][data-tid]`              | `M` thread_name, or any event's pid/tid |
 * | a lock held                    | `rect.bar.hold[data-object]`              | `X`, cat `hold`           |
 * | a wait (lock, barrier, queue)  | `rect.bar.wait[data-object]`              | `X`, cat `wait`           |
 * | start, exit, put, get          | `line.mark[data-kind]`                    | `i`                       |
 * | a queue's depth over time      | `g.counter` holding `path.depth`          | `C`                       |
 *
 * The classes and data attributes are the page's contract with its test
 * (`test/trace/timeline-browser.test.ts`), which counts them in Chromium.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { invalidArg } from '../errors.js';
import type { ChromeTrace, TraceEvent } from './chrome.js';

const LABEL_WIDTH = 240;
const PLOT_WIDTH = 1100;
const LANE_HEIGHT = 26;
const PROCESS_GAP = 18;
const COUNTER_HEIGHT = 56;
const AXIS_HEIGHT = 28;

interface LaneInfo {
  readonly pid: number;
  readonly tid: number;
  name: string;
  sort: number;
  y: number;
}

/**
 * The timeline page of a trace, as an HTML string.
 *
 * @example
 * ```ts
 * const html = renderTimeline(JSON.parse(readFileSync('run.json', 'utf8')));
 * writeFileSync('run.html', html);
 * ```
 */
export function renderTimeline(traceJson: unknown): string {
  const events = eventsOf(traceJson);
  const processNames = new Map<number, string>();
  const processSort = new Map<number, number>();
  const lanes = new Map<string, LaneInfo>();
  const laneOf = (pid: number, tid: number): LaneInfo => {
    const key = `${pid}/${tid}`;
    let lane = lanes.get(key);
    if (lane === undefined) lanes.set(key, (lane = { pid, tid, name: tid === pid ? 'MainThread' : `tid ${tid}`, sort: tid === pid ? 0 : tid, y: 0 }));
    return lane;
  };
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const e of events) {
    if (e.ph === 'M') {
      const name = String(e.args?.name ?? '');
      if (e.name === 'process_name') processNames.set(e.pid, name);
      else if (e.name === 'process_sort_index') processSort.set(e.pid, Number(e.args?.sort_index ?? 0));
      else if (e.name === 'thread_name' && e.tid !== undefined) laneOf(e.pid, e.tid).name = name;
      else if (e.name === 'thread_sort_index' && e.tid !== undefined) laneOf(e.pid, e.tid).sort = Number(e.args?.sort_index ?? 0);
      continue;
    }
    if (e.ts === undefined) continue;
    t0 = Math.min(t0, e.ts);
    t1 = Math.max(t1, e.ts + (e.dur ?? 0));
    if (e.tid !== undefined && e.ph !== 'C') laneOf(e.pid, e.tid);
  }
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  const span = Math.max(t1 - t0, 1);
  const x = (ts: number): number => LABEL_WIDTH + ((ts - t0) / span) * PLOT_WIDTH;

  // Processes in their sort order; inside each, main thread first.
  const pids = [...new Set([...lanes.values()].map((l) => l.pid))].sort((a, b) => (processSort.get(a) ?? 1e9) - (processSort.get(b) ?? 1e9) || a - b);
  const ordered: LaneInfo[] = [];
  let y = AXIS_HEIGHT;
  const processLabels: string[] = [];
  for (const pid of pids) {
    y += PROCESS_GAP;
    processLabels.push(`<text class="process-label" x="6" y="${y - 4}">${esc(processNames.get(pid) ?? `pid ${pid}`)}</text>`);
    const threads = [...lanes.values()].filter((l) => l.pid === pid).sort((a, b) => a.sort - b.sort || a.tid - b.tid);
    for (const lane of threads) {
      lane.y = y;
      ordered.push(lane);
      y += LANE_HEIGHT;
    }
  }

  const parts: string[] = [];
  for (const lane of ordered) {
    parts.push(
      `<g class="lane" data-pid="${lane.pid}" data-tid="${lane.tid}" data-name="${esc(lane.name)}">` +
        `<rect class="lane-bg" x="${LABEL_WIDTH}" y="${lane.y}" width="${PLOT_WIDTH}" height="${LANE_HEIGHT - 2}"/>` +
        `<text class="lane-label" x="16" y="${lane.y + LANE_HEIGHT / 2 + 4}">${esc(lane.name)}</text></g>`,
    );
  }
  const counters = new Map<string, { pid: number; points: [number, number][] }>();
  for (const e of events) {
    if (e.ts === undefined || e.ph === 'M') continue;
    if (e.ph === 'C') {
      const key = `${e.name}@${e.pid}`;
      let counter = counters.get(key);
      if (counter === undefined) counters.set(key, (counter = { pid: e.pid, points: [] }));
      counter.points.push([e.ts, Number(Object.values(e.args ?? {})[0] ?? 0)]);
      continue;
    }
    const lane = e.tid === undefined ? undefined : lanes.get(`${e.pid}/${e.tid}`);
    if (lane === undefined) continue;
    const object = String(e.args?.object ?? e.name);
    const info = describe(e);
    if (e.ph === 'X') {
      const kind = e.cat === 'hold' ? 'hold' : 'wait';
      const width = Math.max(1, (x(e.ts + (e.dur ?? 0)) - x(e.ts)));
      const inset = kind === 'hold' ? 3 : 8;
      parts.push(
        `<rect class="bar ${kind}" data-object="${esc(object)}" data-info="${esc(info)}" x="${x(e.ts).toFixed(2)}" y="${lane.y + inset}" width="${width.toFixed(2)}" height="${LANE_HEIGHT - 2 - 2 * inset}" fill="${colour(object, kind)}"><title>${esc(info)}</title></rect>`,
      );
    } else if (e.ph === 'i') {
      const kind = e.cat === 'queue' ? (e.name.startsWith('put') ? 'put' : 'get') : e.name.includes('exit') || e.name.includes('exited') ? 'exit' : 'start';
      const xi = x(e.ts).toFixed(2);
      parts.push(`<line class="mark ${kind}" data-kind="${kind}" data-info="${esc(info)}" x1="${xi}" x2="${xi}" y1="${lane.y + 1}" y2="${lane.y + LANE_HEIGHT - 3}"><title>${esc(info)}</title></line>`);
    }
  }

  // One track per queue depth counter, under the lanes.
  y += PROCESS_GAP;
  for (const [key, counter] of counters) {
    const name = key.slice(0, key.lastIndexOf('@'));
    const max = Math.max(1, ...counter.points.map((p) => p[1]));
    const base = y + COUNTER_HEIGHT - 6;
    const scale = (COUNTER_HEIGHT - 14) / max;
    let d = `M${LABEL_WIDTH} ${base}`;
    for (const [ts, value] of counter.points) {
      const px = x(ts).toFixed(2);
      d += ` H${px} V${(base - value * scale).toFixed(2)}`;
    }
    d += ` H${LABEL_WIDTH + PLOT_WIDTH}`;
    parts.push(
      `<g class="counter" data-counter="${esc(name)}" data-pid="${counter.pid}" data-max="${max}">` +
        `<rect class="lane-bg" x="${LABEL_WIDTH}" y="${y}" width="${PLOT_WIDTH}" height="${COUNTER_HEIGHT - 2}"/>` +
        `<text class="lane-label" x="16" y="${y + COUNTER_HEIGHT / 2}">${esc(name)}</text>` +
        `<text class="counter-max" x="${LABEL_WIDTH - 6}" y="${y + 12}">${max}</text>` +
        `<path class="depth" d="${d}"/></g>`,
    );
    y += COUNTER_HEIGHT;
  }

  const height = y + 10;
  const axis = ticks(t0, span).map((ts) => {
    const xi = x(ts).toFixed(2);
    return `<line class="tick" x1="${xi}" x2="${xi}" y1="${AXIS_HEIGHT - 6}" y2="${height}"/><text class="tick-label" x="${xi}" y="${AXIS_HEIGHT - 10}">${formatMs((ts - t0) / 1000)}</text>`;
  });
  const holds = events.filter((e) => e.ph === 'X' && e.cat === 'hold').length;
  const waits = events.filter((e) => e.ph === 'X' && e.cat !== 'hold').length;
  const summary = `${ordered.length} threads in ${pids.length} processes · ${holds} lock holds · ${waits} waits · ${counters.size} queue depth tracks · ${formatMs(span / 1000)}`;
  return page(summary, `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${LABEL_WIDTH + PLOT_WIDTH + 20}" height="${height}" viewBox="0 0 ${LABEL_WIDTH + PLOT_WIDTH + 20} ${height}">${axis.join('')}${processLabels.join('')}${parts.join('')}</svg>`);
}

/**
 * Reads a trace file and writes its timeline page.
 *
 * @example
 * ```ts
 * writeTimeline('run.json', 'run.html');
 * ```
 */
export function writeTimeline(inPath: string, outPath: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(inPath, 'utf8'));
  } catch (error) {
    throw invalidArg(`timeline: ${inPath} is not a readable JSON trace (${(error as Error).message})`);
  }
  writeFileSync(outPath, renderTimeline(parsed));
}

/** The events of a trace: `{ traceEvents: [...] }`, or the bare array the format also allows. */
function eventsOf(traceJson: unknown): TraceEvent[] {
  const events = Array.isArray(traceJson) ? traceJson : (traceJson as Partial<ChromeTrace> | null)?.traceEvents;
  if (!Array.isArray(events)) throw invalidArg('timeline: not a Chrome trace: expected { "traceEvents": [...] } or an array of events', 'type');
  return events.filter((e): e is TraceEvent => typeof e === 'object' && e !== null && typeof (e as TraceEvent).ph === 'string' && typeof (e as TraceEvent).pid === 'number');
}

function describe(e: TraceEvent): string {
  const extra = Object.entries(e.args ?? {})
    .filter(([k]) => k !== 'object')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const dur = e.dur === undefined ? '' : ` for ${formatMs(e.dur / 1000)}`;
  const what = e.cat === 'hold' ? `${e.name} held` : e.name;
  return `${what}${dur}${extra === '' ? '' : ` (${extra})`}`;
}

/** A steady colour per object: holds saturated, waits pale. */
function colour(object: string, kind: 'hold' | 'wait'): string {
  let h = 0;
  for (let i = 0; i < object.length; i++) h = (h * 31 + object.charCodeAt(i)) % 360;
  return kind === 'hold' ? `hsl(${h}, 65%, 45%)` : `hsl(${h}, 55%, 82%)`;
}

/** About eight round tick times across the span. */
function ticks(t0: number, span: number): number[] {
  const raw = span / 8;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) out.push(t0 + t);
  return out;
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 1) return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(summary: string, svg: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>weft timeline</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; background: #fff; }
  h1 { font-size: 16px; margin: 0 0 4px; }
  .summary { color: #555; margin-bottom: 8px; }
  .legend span { display: inline-block; margin-right: 14px; }
  .legend i { display: inline-block; width: 22px; height: 10px; vertical-align: middle; margin-right: 4px; }
  #info { position: sticky; top: 0; background: #f6f6f6; border: 1px solid #ddd; padding: 4px 8px; min-height: 18px; margin: 8px 0; }
  .scroll { overflow-x: auto; }
  svg text { font-size: 12px; fill: #333; }
  .process-label { font-weight: 600; fill: #000; }
  .lane-bg { fill: #f3f4f6; }
  .tick { stroke: #e2e2e2; stroke-width: 1; }
  .tick-label { fill: #666; font-size: 11px; text-anchor: middle; }
  .bar { stroke: rgba(0,0,0,.25); stroke-width: .5; }
  .bar.wait { stroke-dasharray: 2 1; }
  .bar:hover, .mark:hover { stroke: #000; stroke-width: 1.5; }
  .mark { stroke-width: 2; }
  .mark.start { stroke: #2a9d4b; } .mark.exit { stroke: #c0392b; }
  .mark.put { stroke: #1f6fd1; } .mark.get { stroke: #8e44ad; }
  .depth { fill: none; stroke: #1f6fd1; stroke-width: 1.5; }
  .counter-max { fill: #888; font-size: 10px; text-anchor: end; }
</style></head>
<body>
<h1>weft timeline</h1>
<div class="summary">${esc(summary)}</div>
<div class="legend"><span><i style="background:hsl(210,65%,45%)"></i>lock held</span><span><i style="background:hsl(210,55%,82%)"></i>waiting (lock, barrier, queue)</span><span><i style="background:#2a9d4b"></i>start</span><span><i style="background:#c0392b"></i>exit</span><span><i style="background:#1f6fd1"></i>put / depth</span><span><i style="background:#8e44ad"></i>get</span></div>
<div id="info">Point at a bar or mark for details.</div>
<div class="scroll">${svg}</div>
<script>
  // Details of what the pointer is on, in the bar above (titles show them too, after a delay).
  const info = document.getElementById('info');
  document.querySelector('svg').addEventListener('mouseover', (event) => {
    const text = event.target.getAttribute && event.target.getAttribute('data-info');
    if (text) info.textContent = text;
  });
</script>
</body></html>
`;
}
