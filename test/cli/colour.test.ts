/** The colour decision: NO_COLOR, FORCE_COLOR, a terminal or not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourEnabled, palette } from '../../src/cli/colour.ts';

const T = { timeout: 5_000 };
const tty = { isTTY: true };
const pipe = { isTTY: false };

test('colour on a terminal only, never with NO_COLOR (any value), FORCE_COLOR for pipes', T, () => {
  assert.equal(colourEnabled(tty, {}), true);
  assert.equal(colourEnabled(pipe, {}), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '1' }), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '' }), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  assert.equal(colourEnabled(pipe, { FORCE_COLOR: '1' }), true);
  assert.equal(colourEnabled(tty, { FORCE_COLOR: '0' }), false);
  assert.equal(colourEnabled(tty, { TERM: 'dumb' }), false);
});

test('a palette without colour returns text unchanged', T, () => {
  assert.equal(palette(false).bold('x'), 'x');
  assert.equal(palette(true).bold('x'), '\x1b[1mx\x1b[22m');
});
