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
import { ErrorCode, misuse } from '../../errors.js';
import { nodeCrypto } from '../../internal/builtins.js';
import { PRELUDE } from './prelude-lua.js';

export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/**
 * A script made of `body` and the parts of the shared prelude it calls.
 * Its text and SHA-1 are made on first use, not when weft loads: every
 * thread and process loads the whole bundle, and making all the scripts of
 * the machine scope (and loading node:crypto for them) was ~10 ms of each
 * new process's start, in programs that mostly never talk to Redis.
 */
export function script(name: string, body: string): Script {
  let source: string | undefined;
  let sha: string | undefined;
  return {
    name,
    get source() {
      return (source ??= `${preludeFor(body)}\n${body}`);
    },
    get sha() {
      return (sha ??= sha1(this.source));
    },
  };
}

/** The hex SHA-1 of a script's text: the name `EVALSHA` knows it by. */
export function sha1(source: string): string {
  return nodeCrypto().createHash('sha1').update(source).digest('hex');
}

/**
 * The prelude cut at each `local function <name>(`: its head (the prefix
 * `P`) and one part per function, in the prelude's order.
 */
let parts: ReadonlyArray<{ readonly name: string; readonly text: string }> | undefined;

function prelude(): ReadonlyArray<{ readonly name: string; readonly text: string }> {
  return (parts ??= PRELUDE.split(/\n(?=local function )/).map((text) => ({
    name: /^local function (\w+)\(/.exec(text)?.[1] ?? '',
    text,
  })));
}

/**
 * The head of the prelude and the functions `body` calls, directly or
 * through other prelude functions, in the prelude's order (so each is
 * defined before its callers). A script runs its whole text on every call:
 * defining the ~20 functions a script does not use cost several µs each
 * time (measured with `INFO commandstats`).
 */
function preludeFor(body: string): string {
  const all = prelude();
  const needed = new Set<string>(['']);
  const calls = (text: string, name: string): boolean => new RegExp(`\\b${name}\\(`).test(text);
  for (let grew = true; grew; ) {
    grew = false;
    for (const part of all) {
      if (needed.has(part.name)) continue;
      if (calls(body, part.name) || all.some((user) => needed.has(user.name) && user !== part && calls(user.text, part.name))) {
        needed.add(part.name);
        grew = true;
      }
    }
  }
  return all.filter((part) => needed.has(part.name))
    .map((part) => part.text)
    .join('\n');
}

/** The one method of a Redis client this module needs (`@redis/client`'s `sendCommand`). */
export interface CommandSender {
  sendCommand<T = unknown>(args: ReadonlyArray<string>): Promise<T>;
}

/**
 * Runs `s` with its one key and its arguments after the prefix. A failure
 * that is not the server's answer (the connection broke while the script
 * was in flight: it may or may not have run) rejects with a
 * `disconnected` error (see `isDisconnected`); the client reconnects by
 * itself and later calls go through.
 */
export async function runScript<T>(client: CommandSender, s: Script, key: string, prefix: string, args: ReadonlyArray<string | number>): Promise<T> {
  const argv = [prefix, ...args.map(String)];
  try {
    try {
      return await client.sendCommand<T>(['EVALSHA', s.sha, '1', key, ...argv]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return await client.sendCommand<T>(['EVAL', s.source, '1', key, ...argv]);
    }
  } catch (error) {
    throw isServerReply(error) ? error : disconnected(s.name, error);
  }
}

const disconnects = new WeakSet<object>();

/** True for the error of a script whose connection broke in flight (it may or may not have run). */
export function isDisconnected(error: unknown): boolean {
  return typeof error === 'object' && error !== null && disconnects.has(error);
}

function disconnected(what: string, cause: unknown): Error {
  const error = misuse(
    ErrorCode.ConnectionClosed,
    `redis: the connection to the server broke while '${what}' was in flight (${String((cause as Error)?.message ?? cause)}); it reconnects by itself — check the object's state and call again`,
  );
  (error as { cause?: unknown }).cause = cause;
  disconnects.add(error);
  return error;
}

/** An error the server answered (`@redis/client`'s ErrorReply and its subclasses), not one of the connection. */
function isServerReply(error: unknown): boolean {
  for (let proto = Object.getPrototypeOf(error); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'ErrorReply') return true;
  }
  return false;
}
