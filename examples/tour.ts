/**
 * `npm start`: a tour of the tutorial's programs. Each runs as its own
 * program (`node --import tsx examples/<file>`), under a heading that says
 * what it shows, followed by what to notice in its output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { programs, type TutorialProgram } from './programs.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const bold = (text: string): string => (color ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string): string => (color ? `\x1b[2m${text}\x1b[22m` : text);

function run(program: TutorialProgram): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', program.file, ...(program.args ?? [])], {
      cwd: here,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8');
    let pending = '';
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) console.log(`    ${line}`);
    });
    child.on('close', (code) => {
      if (pending !== '') console.log(`    ${pending}`);
      resolve(code);
    });
  });
}

const started = performance.now();
let failed = 0;
for (const [index, program] of programs.entries()) {
  const command = ['examples/' + program.file, ...(program.args ?? [])].join(' ');
  console.log(`\n${bold(`[${index + 1}/${programs.length}] ${program.title}`)}  ${dim(command)}`);
  console.log(program.concept);
  const code = await run(program);
  if (code !== 0) failed += 1;
  console.log(`${bold('Notice:')} ${program.notice}`);
}
console.log(`\n${programs.length} programs in ${((performance.now() - started) / 1000).toFixed(1)} s${failed > 0 ? `, ${failed} failed` : ''}.`);
process.exitCode = failed > 0 ? 1 : 0;
