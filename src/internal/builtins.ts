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
 * handshake, and a process that starts children use. node:net (~2 ms) is
 * for sockets: the hub's, a link's (started only when a process needs the
 * hub), a Pipe's and a pool's.
 *
 * `process.getBuiltinModule` (Node ≥ 20.16) returns the module without a
 * facade; `require` does the same on older versions.
 *
 * `node:fs` is loaded by Node before any program runs, but its ESM facade
 * is not free: reading every export calls the `ReadStream` getter, which
 * loads Node's fs streams (~4 ms of a child's start on Node 20). The bundle
 * loader, the one ESM module of weft every process runs
 * (`bundle-loader.ts`), takes it from here.
 */
import { createRequire } from 'node:module';

type Load = (id: string) => unknown;

const load: Load = (process as { getBuiltinModule?: Load }).getBuiltinModule?.bind(process) ?? createRequire(import.meta.url);

let fs: typeof import('node:fs') | undefined;
let crypto: typeof import('node:crypto') | undefined;
let childProcess: typeof import('node:child_process') | undefined;
let net: typeof import('node:net') | undefined;
let tls: typeof import('node:tls') | undefined;

/** `node:fs`, without its ESM facade. */
export function nodeFs(): typeof import('node:fs') {
  return (fs ??= load('node:fs') as typeof import('node:fs'));
}

/** `node:crypto`, loaded the first time it is asked for. */
export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}

/** `node:child_process`, loaded the first time it is asked for. */
export function nodeChildProcess(): typeof import('node:child_process') {
  return (childProcess ??= load('node:child_process') as typeof import('node:child_process'));
}

/** `node:net`, loaded the first time it is asked for. */
export function nodeNet(): typeof import('node:net') {
  return (net ??= load('node:net') as typeof import('node:net'));
}

/** `node:tls`, loaded the first time it is asked for (a weft/redis lease thread on a `rediss:` URL). */
export function nodeTls(): typeof import('node:tls') {
  return (tls ??= load('node:tls') as typeof import('node:tls'));
}
