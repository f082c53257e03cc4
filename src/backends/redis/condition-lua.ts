/**
 * The server side of a machine-scope `Condition` (`cond:<name>`): its
 * sleepers, in arrival order. The lock is a machine-scope Lock or RLock of
 * its own (lock-lua.ts); holding it is checked by the caller's connection.
 *
 * ## State (list `cond:<name>:q`)
 *
 * | key  | meaning                                                        |
 * |------|----------------------------------------------------------------|
 * | `:q` | sleepers `<id>:<seq>` not yet notified, FIFO                   |
 *
 * A notified sleeper has left `:q` and has an `n|<seq>|<cond id>` message on
 * its wake list (prelude-lua.ts). Invariant: a notification is spent on at
 * most one sleeper that is still waiting — a sleeper that gives up before
 * reading its message passes it on (`withdraw`), and so does the reaping of
 * a dead sleeper that had not read it (`reap`).
 *
 * | script     | args (after prefix, id) | answers                                                          |
 * |------------|-------------------------|------------------------------------------------------------------|
 * | `wait`     | c, seq                  | 0 (queued)                                                       |
 * | `notify`   | n (-1: all)             | how many sleepers it notified                                    |
 * | `withdraw` | c, seq                  | 0 left the queue; 1 notified, message unread: passed on; 2 notified, message already read (or reaped) |
 * | `state`    | —                       | sleepers waiting                                                 |
 */
import { script } from './script.js';

export const COND_WAIT = script('cond.wait', String.raw`
redis.call('RPUSH', KEYS[1] .. ':q', ARGV[3] .. ':' .. ARGV[4])
redis.call('SADD', P .. 'waits:' .. ARGV[3], ARGV[2])
return 0
`);

export const COND_NOTIFY = script('cond.notify', String.raw`
return cond_notify(ARGV[2], tonumber(ARGV[3]))
`);

export const COND_WITHDRAW = script('cond.withdraw', String.raw`
local oid, c, s = ARGV[2], ARGV[3], ARGV[4]
if redis.call('LREM', KEYS[1] .. ':q', 1, c .. ':' .. s) == 1 then return 0 end
if redis.call('LREM', P .. 'wake:' .. c, 1, 'n|' .. s .. '|' .. oid) == 1 then
  cond_notify(oid, 1)
  return 1
end
return 2
`);

export const COND_STATE = script('cond.state', String.raw`
return redis.call('LLEN', KEYS[1] .. ':q')
`);
