/**
 * The server side of a machine-scope `Event` (`event:<name>`): the hub's
 * event table (backends/hub/event.ts) as Lua.
 *
 * | key / field | meaning                                    |
 * |-------------|--------------------------------------------|
 * | `flag`      | '1' while set                              |
 * | `:q`        | waits `<id>:<seq>` until the next `set`    |
 *
 * Invariant: flag '1' ⇒ q empty (`set` wakes every waiter and empties it).
 *
 * | script     | args (after prefix, id) | answers                                              |
 * |------------|-------------------------|------------------------------------------------------|
 * | `wait`     | c, seq                  | 1 set already; 0 queued                              |
 * | `set`      | —                       | how many waiters it woke                             |
 * | `clear`    | —                       | 1                                                    |
 * | `withdraw` | c, seq                  | 0 left the queue (the wait times out); 1 it was woken (the wait succeeds) |
 * | `state`    | —                       | {flag, waiting}                                      |
 */
import { script } from './script.js';

export const EVENT_WAIT = script('event.wait', String.raw`
if redis.call('HGET', KEYS[1], 'flag') == '1' then return 1 end
redis.call('RPUSH', KEYS[1] .. ':q', ARGV[3] .. ':' .. ARGV[4])
redis.call('SADD', P .. 'waits:' .. ARGV[3], ARGV[2])
return 0
`);

export const EVENT_SET = script('event.set', String.raw`
redis.call('HSET', KEYS[1], 'flag', 1)
local woken = redis.call('LRANGE', KEYS[1] .. ':q', 0, -1)
for _, e in ipairs(woken) do
  local c, s = entry_of(e)
  wake(c, 'g|' .. s .. '|0|0|0')
end
redis.call('DEL', KEYS[1] .. ':q')
return #woken
`);

export const EVENT_CLEAR = script('event.clear', String.raw`
redis.call('HSET', KEYS[1], 'flag', 0)
return 1
`);

export const EVENT_WITHDRAW = script('event.withdraw', String.raw`
if redis.call('LREM', KEYS[1] .. ':q', 1, ARGV[3] .. ':' .. ARGV[4]) == 1 then return 0 end
return 1
`);

export const EVENT_STATE = script('event.state', String.raw`
local flag = 0
if redis.call('HGET', KEYS[1], 'flag') == '1' then flag = 1 end
return {flag, redis.call('LLEN', KEYS[1] .. ':q')}
`);
