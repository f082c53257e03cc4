/**
 * A Lua script of the machine scope and how it runs: `EVALSHA` by the
 * script's SHA-1 (computed here, never asked of the server), and `EVAL`
 * once when the server answers `NOSCRIPT` (a new or restarted server, or
 * `SCRIPT FLUSH`) — which also caches it there for the next call.
 *
 * Every script is one state transition and runs atomically on the server.
 * Its first key is the object's own hash; `ARGV[1]` is the namespace's key
 * prefix, from which it builds the other keys it touches — all in the
 * namespace's hash slot (keys.ts).
 */
import { createHash } from 'node:crypto';
import { PRELUDE } from './prelude-lua.js';

export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/** A script made of the shared prelude and `body`. */
export function script(name: string, body: string): Script {
  const source = `${PRELUDE}\n${body}`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The one method of a Redis client this module needs (`@redis/client`'s `sendCommand`). */
export interface CommandSender {
  sendCommand<T = unknown>(args: ReadonlyArray<string>): Promise<T>;
}

/** Runs `s` with its one key and its arguments after the prefix. */
export async function runScript<T>(client: CommandSender, s: Script, key: string, prefix: string, args: ReadonlyArray<string | number>): Promise<T> {
  const argv = [prefix, ...args.map(String)];
  try {
    return await client.sendCommand<T>(['EVALSHA', s.sha, '1', key, ...argv]);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.sendCommand<T>(['EVAL', s.source, '1', key, ...argv]);
  }
}
