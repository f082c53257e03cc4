/**
 * The server side of a machine-scope `Semaphore` / `BoundedSemaphore`
 * (`sem:<name>`, `bsem:<name>`): the hub's semaphore table
 * (backends/hub/semaphore.ts) as Lua, plus who holds permits, so that an
 * expired connection's permits come back.
 *
 * ## State
 *
 * | key / field       | meaning                                                              |
 * |-------------------|----------------------------------------------------------------------|
 * | `value`           | permits free now                                                     |
 * | `initial`         | the value it was created with (set by the first script to touch it)  |
 * | `:q`              | waits `<id>:<seq>`, FIFO                                              |
 * | `:h`              | permits each connection took and has not released                    |
 *
 * Invariant: value > 0 ⇒ q empty (a release hands its permits to waiters first).
 * An expired connection's permits come back up to `initial`: a permit it
 * took may already have been given back by someone else's release.
 *
 * | script     | args (after prefix, id)    | answers                                                  |
 * |------------|----------------------------|----------------------------------------------------------|
 * | `acquire`  | initial, c, seq, try       | 1 taken; 0 queued (refused when try = 1); -1 the name exists with another initial value |
 * | `release`  | initial, c, n, bounded     | 1; -2 a bounded release above `initial` (nothing changed); -1 as above |
 * | `withdraw` | initial, c, seq            | 0 left the queue; 1 it had been granted: given back; 2 not there |
 * | `state`    | initial                    | {value, initial, waiting}                                |
 */
import { script } from './script.js';

const INIT = String.raw`
local k, oid = KEYS[1], ARGV[2]
local have = redis.call('HGET', k, 'initial')
if not have then
  redis.call('HSET', k, 'initial', ARGV[3], 'value', ARGV[3])
elseif have ~= ARGV[3] then
  return -1
end
`;

export const SEM_ACQUIRE = script('sem.acquire', INIT + String.raw`
local c, s = ARGV[4], ARGV[5]
local q = k .. ':q'
if tonumber(redis.call('HGET', k, 'value')) > 0 and redis.call('LLEN', q) == 0 then
  redis.call('HINCRBY', k, 'value', -1)
  redis.call('HINCRBY', k .. ':h', c, 1)
  redis.call('SADD', P .. 'held:' .. c, oid)
  return 1
end
if ARGV[6] == '0' then
  redis.call('RPUSH', q, c .. ':' .. s)
  redis.call('SADD', P .. 'waits:' .. c, oid)
end
return 0
`);

export const SEM_RELEASE = script('sem.release', INIT + String.raw`
local c, n = ARGV[4], tonumber(ARGV[5])
if ARGV[6] == '1' and tonumber(redis.call('HGET', k, 'value')) + n > tonumber(ARGV[3]) then return -2 end
sem_drop_holder(oid, c, n)
sem_give(oid, n)
return 1
`);

export const SEM_WITHDRAW = script('sem.withdraw', INIT + String.raw`
local c, s = ARGV[4], ARGV[5]
if redis.call('LREM', k .. ':q', 1, c .. ':' .. s) == 1 then return 0 end
if tonumber(redis.call('HGET', k .. ':h', c) or '0') >= 1 then
  sem_drop_holder(oid, c, 1)
  sem_give(oid, 1)
  return 1
end
return 2
`);

export const SEM_STATE = script('sem.state', INIT + String.raw`
return {tonumber(redis.call('HGET', k, 'value')), tonumber(ARGV[3]), redis.call('LLEN', k .. ':q')}
`);
