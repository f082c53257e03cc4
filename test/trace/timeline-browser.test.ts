/**
 * The timeline page in a real browser: headless Chromium (Debian's
 * `chromium`, driven by playwright-core) loads the page of a traced run from
 * a file:// URL, and the lanes, lock-hold bars, waits and queue-depth
 * tracks it draws are counted against the trace. A screenshot is kept in
 * test-artifacts/timeline.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeTimeline } from '../../src/trace/timeline.js';
import { repoRoot } from '../helpers/programs.js';
import { readTrace, runTraced, tempDir } from './helpers.js';

const T = { timeout: 120_000 };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(repoRoot, 'test-artifacts');

interface Drawn {
  lanes: number;
  laneNames: string[];
  holds: number;
  visibleHolds: number;
  waits: number;
  marks: number;
  counters: number;
  depthPaths: number;
  holdObjects: string[];
}

// Runs in the page. A string, not a function: tsx would compile a function
// with helpers (esbuild's __name) that exist only on the Node side.
const COUNT_DRAWN = `(() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  const visible = (selector) => [...document.querySelectorAll(selector)].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  }).length;
  return {
    lanes: count('g.lane'),
    laneNames: [...document.querySelectorAll('g.lane')].map((el) => el.getAttribute('data-name')),
    holds: count('rect.bar.hold'),
    visibleHolds: visible('rect.bar.hold'),
    waits: count('rect.bar.wait'),
    marks: count('line.mark'),
    counters: count('g.counter'),
    depthPaths: count('g.counter path.depth'),
    holdObjects: [...new Set([...document.querySelectorAll('rect.bar.hold')].map((el) => el.getAttribute('data-object')))],
  };
})()`;

test('the timeline of a traced run draws a lane per thread, its holds, waits and queue depth', T, async (t) => {
  if (!existsSync(CHROMIUM)) {
    // .ci/run installs it; a developer's machine may not have it.
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const dir = tempDir();
  // A fresh profile each run (Playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 700 },
  });
  try {
    const tracePath = join(dir, 'run.json');
    const pagePath = join(dir, 'run.html');
    await runTraced('threads-locks-queue.mjs', tracePath, dir);
    writeTimeline(tracePath, pagePath);
    const events = readTrace(tracePath).traceEvents;
    const expected = {
      lanes: events.filter((e) => e.ph === 'M' && e.name === 'thread_name').length,
      holds: events.filter((e) => e.ph === 'X' && e.cat === 'hold').length,
      waits: events.filter((e) => e.ph === 'X' && e.cat === 'wait').length,
      marks: events.filter((e) => e.ph === 'i').length,
      counters: new Set(events.filter((e) => e.ph === 'C').map((e) => `${e.name}@${e.pid}`)).size,
    };

    const page = await browser.newPage();
    // Self-contained: the page may not fetch anything.
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(pagePath).href);

    const drawn = (await page.evaluate(COUNT_DRAWN)) as Drawn;
    assert.equal(drawn.lanes, expected.lanes);
    assert.deepEqual([...drawn.laneNames].sort(), ['MainThread', 'Thread-1', 'Thread-2', 'Thread-3']);
    assert.equal(drawn.holds, expected.holds);
    assert.equal(drawn.visibleHolds, expected.holds, 'every hold bar has an area on screen');
    assert.equal(drawn.waits, expected.waits);
    assert.equal(drawn.marks, expected.marks);
    assert.equal(drawn.counters, expected.counters);
    assert.equal(drawn.depthPaths, expected.counters);
    assert.deepEqual(drawn.holdObjects, ['Lock 1']);

    // Pointing at a bar shows its details.
    await page.hover('rect.bar.hold');
    assert.match(await page.textContent('#info') ?? '', /Lock 1 held for/);

    assert.deepEqual(errors, [], 'no script errors');
    assert.deepEqual(requests.filter((url) => !url.startsWith('file:')), [], 'no network requests');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'timeline.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 5_000, 'a screenshot with something in it');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
