/**
 * Node built-ins that most of weft's threads and processes never use,
 * loaded on first use rather than when weft loads.
 *
 * weft is one bundle (`layout.ts`), so every built-in it imports statically
 * is loaded in every new process and thread, before any target runs — and
 * an ESM `import` of a built-in also builds its ESM facade, which reads
 * every export (node:crypto's loads all of crypto, webcrypto included).
 * Measured as part of a child process's start: node:crypto ~3 ms on Node 20
 * and ~7 ms on Node 24, node:child_process (with net and dgram) ~1 ms — for
 * modules that only the root (the hub's token), a Pipe's or pool's
 * handshake, and a process that starts children use.
 *
 * `process.getBuiltinModule` (Node ≥ 20.16) returns the module without a
 * facade; `require` does the same on older versions.
 */
import { createRequire } from 'node:module';

type Load = (id: string) => unknown;

const load: Load = (process as { getBuiltinModule?: Load }).getBuiltinModule?.bind(process) ?? createRequire(import.meta.url);

let crypto: typeof import('node:crypto') | undefined;
let childProcess: typeof import('node:child_process') | undefined;

/** `node:crypto`, loaded the first time it is asked for. */
export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}

/** `node:child_process`, loaded the first time it is asked for. */
export function nodeChildProcess(): typeof import('node:child_process') {
  return (childProcess ??= load('node:child_process') as typeof import('node:child_process'));
}
