/**
 * The key scheme of the machine scope. Every key of a namespace starts with
 * `weft:{<namespace>}:`; the braces are Redis Cluster's hash tag, so a whole
 * namespace lives in one slot and every state transition is one Lua script
 * over keys of that slot (scripts build the keys they touch from that
 * prefix; spread load over several namespaces).
 *
 * | key                          | type   | holds                                                        |
 * |------------------------------|--------|--------------------------------------------------------------|
 * | `procs`                      | zset   | live connections, scored by lease deadline (server ms)       |
 * | `ids`                        | string | the last connection id given out                             |
 * | `wake:<id>`                  | list   | messages to connection `<id>` (grants, revokes), read by BLMOVE |
 * | `inflight:<id>`              | list   | messages `<id>` read and has not yet acknowledged as delivered (wake.ts) |
 * | `held:<id>`                  | set    | objects `<id>` holds (`lock:n`, `rlock:n`, `sem:n`): reaped on expiry |
 * | `waits:<id>`                 | set    | objects `<id>` may wait on: its entries leave their queues on expiry |
 * | `<kind>:<name>`              | hash   | an object's state (see lock-lua.ts, semaphore-lua.ts, event-lua.ts) |
 * | `<kind>:<name>:q`            | list   | its waiters, FIFO, as `<id>:<seq>`                           |
 * | `sem:<name>:h`               | hash   | permits each connection holds (given back when it expires)   |
 * | `cond:<name>:q`, `barrier:<name>:q` | list | a Condition's sleepers, a Barrier's arrived parties (condition-lua.ts, barrier-lua.ts) |
 * | `value:<name>`               | hash   | a Value's typecode and number (value-lua.ts)                 |
 * | `<queue>:items`, `:pq`, `:pp`, `:j`, `:t:<id>` | | a queue's items, waiting puts and their items, joiners, items a consumer took (queue-lua.ts) |
 *
 * Names and namespaces are 1–200 of `[A-Za-z0-9_.:/-]`: no braces (the
 * hash tag stays the namespace's), no `|` (the wake messages' separator).
 */
import { invalidArg } from '../../errors.js';

const NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

/** Throws `ERR_INVALID_ARG` unless `name` is a valid object or namespace name. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw invalidArg(`redis: ${what} must be a string, got ${typeof name}`, 'type');
  if (!NAME.test(name)) throw invalidArg(`redis: ${what} must be 1-200 characters of A-Z a-z 0-9 _ . : / -, got ${JSON.stringify(name)}`);
  return name;
}

/** The prefix of every key of `namespace`. */
export function keyPrefix(namespace: string): string {
  return `weft:{${namespace}}:`;
}

/** The kinds of named objects, as they appear in keys and in `held:`/`waits:` sets. */
export type ObjectKind = 'lock' | 'rlock' | 'sem' | 'bsem' | 'event' | 'queue' | 'jqueue' | 'squeue' | 'cond' | 'barrier' | 'value' | 'pool';

/** An object's id within its namespace: `lock:tickets`. */
export function objectId(kind: ObjectKind, name: string): string {
  return `${kind}:${name}`;
}
