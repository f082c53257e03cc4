/**
 * Spawning the OS process behind a `Process`: `process.execPath` with the
 * parent's `process.execArgv`, so that `--import tsx` and other loaders,
 * `--enable-source-maps`, memory flags… carry over and a `.ts` target runs
 * in the child exactly as it runs here. The child's program is a few lines
 * of `-e` script that import weft — the bundle when weft runs from its
 * package, `process-bootstrap.ts` when it runs from source — and call
 * `runProcessBootstrap()`. `process.argv[1]` of the child is therefore not
 * the user's module, so its `isMain(import.meta)` guard is false there.
 *
 * A spare spawned ahead of time may stand in for the spawn
 * (`spare-processes.ts`).
 *
 * stdout and stderr are the parent's (Python's children print to the same
 * terminal); stdin is not (Python gives a child /dev/null); fd 3 is the link
 * (`process-link.ts`).
 *
 * fd 3 is close-on-exec in the child, so a program the child spawns itself
 * (`child_process.spawn`, not weft) does not inherit the link — which would
 * keep the parent from seeing end-of-file when the child dies. Node marks
 * every inherited descriptor above stdio O_CLOEXEC as it starts
 * (`uv_disable_stdio_inheritance()` in its platform init), so nothing has to
 * be done here; `test/hub/under-load.test.ts` checks it stays so (the flag
 * in /proc/<child>/fdinfo/3, and /proc/<grandchild>/fd).
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { awaitHubStarted, hubEnvironmentEarly } from '../backends/hub/tree.js';
import { nodeChildProcess } from '../internal/builtins.js';
import { compileCacheDir } from '../internal/compile-cache.js';
import { processBootstrapUrl } from '../internal/layout.js';
import { LINK_FD } from './process-link.js';
import { momentKey, spareProcesses, type Spare } from './spare-processes.js';

/** A spawned child and the parent's end of its link. */
export interface SpawnedChild {
  readonly child: ChildProcess;
  readonly link: Socket;
}

/**
 * A new process for `Process.start()`, waiting for its boot frame: the
 * spare if one was made for this moment (`spare-processes.ts`), else one
 * spawned now.
 */
export function spawnChild(daemon: boolean): SpawnedChild {
  const env = childEnvironment();
  const spawned = spareProcesses.take(momentKey(env, process.cwd())) ?? spawnProcess(env);
  // The root's hub may still be starting: it does so while the child boots, and is
  // up before the child has its boot frame, so before it can reach for the hub.
  try {
    awaitHubStarted();
  } catch (error) {
    spawned.link.destroy();
    spawned.child.kill('SIGKILL');
    throw error;
  }
  spareProcesses.afterStart(daemon, makeSpare);
  return spawned;
}

function makeSpare(): Spare {
  const env = childEnvironment();
  return { moment: momentKey(env, process.cwd()), spawned: spawnProcess(env) };
}

function childEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, ...hubEnvironmentEarly() };
}

function spawnProcess(env: NodeJS.ProcessEnv): SpawnedChild {
  const stdio: ('ignore' | 'inherit' | 'pipe')[] = ['ignore', 'inherit', 'inherit'];
  stdio[LINK_FD] = 'pipe';
  const child = nodeChildProcess().spawn(process.execPath, [...childExecArgv(), '-e', entryScript()], { stdio, env });
  const link = child.stdio[LINK_FD] as Socket | null;
  if (child.pid === undefined || link === null) {
    child.on('error', () => {}); // reported below, synchronously
    link?.destroy();
    throw new Error(`multiprocessing: could not start a new process (${process.execPath}); the system may be out of processes or memory`);
  }
  return { child, link };
}

let entry: string | undefined;

/**
 * The child's first code: turn on the compile cache where Node has one
 * (`internal/compile-cache.ts`), load weft, run the bootstrap; if weft
 * itself cannot load, say so on stderr.
 */
function entryScript(): string {
  return (entry ??= [
    sourceMapsEnabled() ? 'process.setSourceMapsEnabled(true);' : '',
    enableCompileCache(compileCacheDir()),
    `import(${JSON.stringify(processBootstrapUrl)}).then((weft) => weft.runProcessBootstrap(), (error) => {`,
    `  process.stderr.write('multiprocessing: a new process could not load weft:\\n' + String(error && error.stack || error) + '\\n');`,
    '  process.exit(1);',
    '});',
  ].join('\n'));
}

// Flags of the parent that would make the child something else than a
// program: its own script (-e/-p), the test runner, watch mode, a REPL, or a
// debugger port that the parent already holds.
const DROPPED_WITH_VALUE = new Set([
  '-e', '--eval', '-p', '--print', '--watch-path', '--inspect-port', '--debug-port', '--input-type',
  // The test runner's flags that take a value, when it is the next word (`--test-name-pattern MPMC`).
  '--test-name-pattern', '--test-skip-pattern', '--test-reporter', '--test-reporter-destination', '--test-concurrency',
  '--test-timeout', '--test-shard', '--test-isolation', '--test-global-setup', '--test-coverage-include',
  '--test-coverage-exclude', '--test-coverage-branches', '--test-coverage-functions', '--test-coverage-lines',
]);
const DROPPED = /^(?:-i|--interactive|-c|--check|--test(?:-.*)?|--watch(?:-.*)?|--inspect(?:-brk|-wait)?(?:=.*)?|--debug-port=.*|--inspect-port=.*|--input-type=.*|--eval=.*|--print=.*)$/;

/** The parent's `execArgv` minus what only makes sense for the parent. */
export function childExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (DROPPED_WITH_VALUE.has(arg)) i++;
    else if (!DROPPED.test(arg)) kept.push(arg);
  }
  return kept;
}

/**
 * The line that enables Node's compile cache in `dir`, if there is one. The
 * script is CommonJS unless the program runs with ESM as its default type,
 * where only `process.getBuiltinModule` is there; a cache that cannot be
 * used is no reason for the child to fail.
 */
function enableCompileCache(dir: string | undefined): string {
  if (dir === undefined) return '';
  const load = "(typeof require === 'function' ? require : process.getBuiltinModule)('node:module')";
  return `try { ${load}.enableCompileCache(${JSON.stringify(dir)}); } catch {}`;
}

function sourceMapsEnabled(): boolean {
  return (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
}
