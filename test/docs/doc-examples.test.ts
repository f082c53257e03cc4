/**
 * The TypeScript examples in README.md and docs/*.md run, so they cannot rot.
 *
 * Every ```ts block is a program: it is written to test/docs/.tmp/ (inside
 * the repository, so `import … from 'weft/threading'` resolves through the
 * package's self-reference to dist/) and run with `node --import tsx`. It
 * must exit 0 with nothing on stderr; if the block is followed by a ```text
 * block, that is its exact stdout.
 *
 * Markers, HTML comments on the lines just before a block:
 *
 * - `<!-- not-run -->`: a fragment, not a program; only listed.
 * - `<!-- needs: weft/futures -->`: skipped while the package does not
 *   export that entry point (or its built file is missing from dist/).
 * - `<!-- any-order -->`: the stdout lines may come in any order
 *   (processes printing concurrently); compared sorted.
 *
 * Needs `npm run build` (dist/) first, as every test of the built package.
 * Also checks that the docs' relative links lead to files and headings that
 * exist.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot, runProgram } from '../helpers/programs.js';

const RUN_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 90_000;

const tmp = join(repoRoot, 'test/docs/.tmp');

interface Block {
  readonly file: string; // relative to the repository
  readonly line: number; // 1-based line of the opening fence
  readonly code: string;
  readonly expected: string | undefined;
  readonly notRun: boolean;
  readonly needs: readonly string[];
  readonly anyOrder: boolean;
}

/** The fenced ```ts blocks of a markdown file, with their markers and expected output. */
export function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (open === null) continue;
    const [, , fence, lang] = open;
    const end = findClose(lines, i + 1, fence);
    if (lang === 'ts' || lang === 'typescript') {
      const markers = markersBefore(lines, i);
      const expected = expectedAfter(lines, end + 1);
      blocks.push({
        file,
        line: i + 1,
        code: lines.slice(i + 1, end).join('\n') + '\n',
        expected,
        notRun: markers.some((m) => m === 'not-run'),
        needs: markers.filter((m) => m.startsWith('needs:')).map((m) => m.slice('needs:'.length).trim()),
        anyOrder: markers.some((m) => m === 'any-order'),
      });
    }
    i = end;
  }
  return blocks;
}

function findClose(lines: string[], from: number, fence: string): number {
  for (let j = from; j < lines.length; j++) {
    if (lines[j].trim().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === '') return j;
  }
  return lines.length;
}

/** The `<!-- … -->` comments on the lines just above line `i` (blank lines allowed between). */
function markersBefore(lines: string[], i: number): string[] {
  const markers: string[] = [];
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j].trim();
    if (line === '') continue;
    const comment = /^<!--\s*(.*?)\s*-->$/.exec(line);
    if (comment === null) break;
    markers.push(comment[1]);
  }
  return markers;
}

/** The body of a ```text block that follows line `from` (blank lines allowed between). */
function expectedAfter(lines: string[], from: number): string | undefined {
  let j = from;
  while (j < lines.length && lines[j].trim() === '') j++;
  const open = /^\s*(`{3,})\s*text\s*$/.exec(lines[j] ?? '');
  if (open === null) return undefined;
  const end = findClose(lines, j + 1, open[1]);
  return lines.slice(j + 1, end).join('\n');
}

/** Whether the package exports `specifier` and its built file exists. */
function available(specifier: string): boolean {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const subpath = specifier === pkg.name ? '.' : './' + specifier.slice(pkg.name.length + 1);
  const target = pkg.exports[subpath];
  const file = typeof target === 'string' ? target : (target as { default?: string } | undefined)?.default;
  return file !== undefined && existsSync(join(repoRoot, file));
}

function docFiles(): string[] {
  const docs = join(repoRoot, 'docs');
  const files = [join(repoRoot, 'README.md')];
  if (existsSync(docs)) files.push(...readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => join(docs, f)));
  return files;
}

function normalise(output: string, anyOrder: boolean): string {
  const lines = output.replace(/\s+$/, '').split('\n').map((l) => l.trimEnd());
  return (anyOrder ? lines.sort() : lines).join('\n');
}

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
// Gone once the run ends: test/ is type-checked (tsconfig.json), and an
// example left behind would be checked against whatever is built next.
after(() => rmSync(tmp, { recursive: true, force: true }));

const blocks = docFiles().flatMap((path) => extractBlocks(relative(repoRoot, path), readFileSync(path, 'utf8')));

test('the docs have TypeScript examples, and every marker is known', { timeout: 5_000 }, () => {
  assert.ok(blocks.length > 0, 'no ```ts block found in README.md or docs/');
  for (const block of blocks) {
    for (const needed of block.needs) assert.match(needed, /^weft(\/[\w-]+)?$/, `${block.file}:${block.line}: needs: takes a weft entry point`);
  }
});

test('the docs\' relative links name files that exist, and headings that exist', { timeout: 5_000 }, () => {
  const broken: string[] = [];
  let checked = 0;
  for (const path of docFiles()) {
    const text = readFileSync(path, 'utf8');
    for (const [line, target] of relativeLinks(text)) {
      checked += 1;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file === '' ? path : join(dirname(path), decodeURIComponent(file));
      const where = `${relative(repoRoot, path)}:${line} → ${target}`;
      if (!existsSync(resolved)) broken.push(`${where}: no such file`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !headingSlugs(readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${where}: no such heading`);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} links found: is the link parser broken?`);
  assert.deepEqual(broken, []);
});

/** [line, target] of every markdown link that is not a URL, outside code blocks and code spans. */
function relativeLinks(text: string): Array<[number, string]> {
  const links: Array<[number, string]> = [];
  let fenced = false;
  for (const [index, raw] of text.split('\n').entries()) {
    if (/^\s*(`{3,}|~{3,})/.test(raw)) fenced = !fenced;
    if (fenced) continue;
    const line = raw.replace(/`[^`]*`/g, (span) => (span.startsWith('`[') ? span.slice(1, -1) : ''));
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(match[1])) links.push([index + 1, match[1]]);
    }
  }
  return links;
}

/** GitHub's anchors for the headings of a markdown file. */
function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (heading === null) continue;
    const base = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}

for (const block of blocks) {
  const name = `${block.file}:${block.line}`;
  if (block.notRun) {
    test(`${name} is a fragment (not run)`, { timeout: 1_000 }, (t) => t.skip('marked <!-- not-run -->'));
    continue;
  }
  test(`${name} runs${block.expected === undefined ? '' : ' and prints what the doc says'}`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const missing = block.needs.filter((specifier) => !available(specifier));
    if (missing.length > 0) {
      t.skip(`needs ${missing.join(', ')}, not built yet`);
      return;
    }
    const file = join(tmp, `${block.file.replace(/[^\w]+/g, '-')}-${block.line}.ts`);
    writeFileSync(file, block.code);
    const result = await runProgram(process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, timeout: RUN_TIMEOUT_MS });
    const context = `\n--- ${name} (${relative(repoRoot, file)})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    assert.equal(result.signal, null, `killed by ${result.signal} (timed out?)${context}`);
    assert.equal(result.code, 0, `exit code ${result.code}${context}`);
    assert.equal(result.stderr, '', `wrote to stderr${context}`);
    if (block.expected !== undefined) {
      assert.equal(normalise(result.stdout, block.anyOrder), normalise(block.expected, block.anyOrder), `stdout differs${context}`);
    }
  });
}
