/**
 * `weft --help`, `weft run --help`, `weft tour --list`, and the usage errors:
 * every program and variant is listed, and a wrong name exits with 2 and
 * says which names there are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programs } from '../../examples/programs.ts';
import { weft } from './weft.ts';

const T = { timeout: 30_000 };
const labels = programs.map((p) => [p.file.replace(/\.ts$/, ''), ...(p.args ?? [])].join(' '));
const names = [...new Set(programs.map((p) => p.file.replace(/\.ts$/, '')))];

test('weft --help lists the commands, and every program with its variants', T, async () => {
  const result = await weft(['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: weft /);
  assert.match(result.stdout, /^ {2}tour /m);
  assert.match(result.stdout, /^ {2}run /m);
  for (const [index, label] of labels.entries()) {
    assert.match(result.stdout, new RegExp(`^ {2}${label} +${escape(programs[index].title)}$`, 'm'));
  }
  assert.match(result.stdout, /^ {2}tickets --no-lock +Nine processes buy one ticket, no lock$/m);
});

test('weft run --help shows the programs and their flags', T, async () => {
  const result = await weft(['run', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: weft run \[options\] <program> \[flags\.\.\.\]/);
  assert.match(result.stdout, /^ {2}tickets --no-lock /m);
  assert.match(result.stdout, /^ {2}thread-mutex --no-lock /m);
});

test('weft tour --list prints one numbered line per step, in the tutorial order', T, async () => {
  const result = await weft(['tour', '--list']);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  assert.equal(lines.length, programs.length);
  for (const [index, line] of lines.entries()) {
    const [, place, label, title] = /^ *(\d+) {2}(\S+(?: --\S+)*) +(.+)$/.exec(line) ?? [];
    assert.deepEqual([Number(place), label, title], [index + 1, labels[index], programs[index].title], line);
  }
});

test('weft tour --list <name> lists that program\'s steps only', T, async () => {
  const result = await weft(['tour', '--list', 'tickets']);
  assert.equal(result.code, 0);
  assert.deepEqual(
    result.stdout.trimEnd().split('\n').map((line) => line.trim().split(/ {2,}/)[1]),
    ['tickets --no-lock', 'tickets'],
  );
});

test('an unknown program exits with 2 and names the programs', T, async () => {
  for (const args of [['run', 'nope'], ['tour', 'nope']]) {
    const result = await weft(args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /unknown program "nope"; the programs are: /);
    for (const name of names) assert.ok(result.stderr.includes(name), `${name} in: ${result.stderr}`);
  }
});

test('an unknown flag, command or option exits with 2', T, async () => {
  const flag = await weft(['run', 'tickets', '--nolock']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown flag "--nolock" for tickets; the flags of tickets: --no-lock/);
  const noFlags = await weft(['run', 'process-join', '--no-lock']);
  assert.equal(noFlags.code, 2);
  assert.match(noFlags.stderr, /process-join takes no flags/);
  const command = await weft(['bogus']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /unknown command 'bogus'/);
  const option = await weft(['tour', '--jobs', '0']);
  assert.equal(option.code, 2);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
