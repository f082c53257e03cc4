/**
 * The progress line's drawing and the tour's prose wrapping, in process,
 * on fake terminals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../src/cli/progress.ts';
import { wrap } from '../../src/cli/tour.ts';

const T = { timeout: 5_000 };

test('the progress line: drawn on a terminal, lifted for each write, erased at stop', T, () => {
  const written: string[] = [];
  const progress = new Progress({ isTTY: true, columns: 40, write: (text) => written.push(text) });
  progress.update('[1/2] tickets');
  assert.match(written.at(-1)!, /^\r\x1b\[2K\[1\/2\] tickets · \d+\.\d s$/);
  progress.write('line\n');
  assert.equal(written.at(-2), '\r\x1b\[2Kline\n');
  assert.match(written.at(-1)!, /^\r\x1b\[2K\[1\/2\] tickets · /);
  progress.stop();
  assert.equal(written.at(-1), '\r\x1b[2K');
});

test('the progress line: off a terminal, writes pass through and nothing else is drawn', T, () => {
  const written: string[] = [];
  const progress = new Progress({ isTTY: false, write: (text) => written.push(text) });
  progress.update('[1/2] tickets');
  progress.write('line\n');
  progress.stop();
  assert.deepEqual(written, ['line\n']);
});

test('the progress line never wraps: cut to the width of the terminal', T, () => {
  const written: string[] = [];
  const progress = new Progress({ isTTY: true, columns: 20, write: (text) => written.push(text) });
  progress.update('[10/12] a-rather-long-program-name --with-a-flag');
  progress.stop();
  assert.ok(written[0].replace('\r\x1b[2K', '').length <= 19, written[0]);
});

test('wrap breaks prose at the width, with a hanging indent, counting no escape codes', T, () => {
  assert.equal(wrap('aaa bbb ccc', 7), 'aaa bbb\nccc');
  assert.equal(wrap('aaa bbb ccc', 7, 2), 'aaa bbb\n  ccc');
  assert.equal(wrap('\x1b[36maaa\x1b[39m bbb', 7), '\x1b[36maaa\x1b[39m bbb');
  assert.equal(wrap('aaa bbb', Infinity), 'aaa bbb');
});
