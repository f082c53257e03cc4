#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner (TypeScript
// through tsx), one file at a time, then checks that the suite left no
// process behind: a leaked child or worker is a lifetime bug, and fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(path));
    else if (entry.name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found.sort();
}

const filter = process.argv.slice(2);
const files = testFiles(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
const suiteStart = uptimeTicks();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
});

const leftovers = strayProcesses();
if (leftovers.length > 0) {
  console.error(`\n${leftovers.length} process(es) started by the suite are still running:`);
  for (const p of leftovers) console.error(`  pid ${p.pid} (parent ${p.ppid}): ${p.cmd}`);
  for (const p of leftovers) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  process.exitCode = 1;
} else {
  console.log('\nleak check: no process left behind');
}
if (run.status !== 0) process.exitCode = run.status ?? 1;

/**
 * Processes the suite left running: started after it began, and either in our
 * process group (children keep it when orphaned) or running from this
 * repository (a child that detached). Our ancestors are not strays.
 */
function strayProcesses() {
  const ours = ancestors();
  const self = stat(process.pid);
  const out = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    if (ours.has(pid)) continue;
    const info = stat(pid);
    if (info === undefined || info.state === 'Z' || info.state === 'X') continue; // already exited
    // Only what started with the suite: not services CI started, nor the
    // other commands of the pipeline that runs us.
    if (info.startTime < suiteStart) continue;
    const sameGroup = info.pgid === self.pgid;
    const fromHere = info.cmd.includes(root) || info.cwd.startsWith(root);
    if (sameGroup || fromHere) out.push({ pid, ppid: info.ppid, cmd: info.cmd });
  }
  return out;
}

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    let cwd = '';
    try { cwd = readlinkSync(`/proc/${pid}/cwd`); } catch { /* not ours to read */ }
    return {
      state: fields[0],
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      startTime: Number(fields[19]),
      cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      cwd,
    };
  } catch {
    return undefined;
  }
}

/** Now, in the clock ticks /proc/<pid>/stat counts start times in (USER_HZ, 100 on Linux). */
function uptimeTicks() {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
}

function ancestors() {
  const pids = new Set();
  for (let pid = process.pid; pid > 1 && !pids.has(pid);) {
    pids.add(pid);
    const info = stat(pid);
    if (info === undefined) break;
    pid = info.ppid;
  }
  return pids;
}
