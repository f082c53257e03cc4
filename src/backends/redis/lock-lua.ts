/**
 * The server side of a machine-scope `Lock` and `RLock` (`lock:<name>`,
 * `rlock:<name>`): the hub's lock table (backends/hub/lock.ts) ported to
 * one Lua script per transition. Re-entrance and kept grants are the
 * holding connection's business (lock.ts); here the owner is a connection.
 *
 * ## State (hash `<kind>:<name>`, list `<kind>:<name>:q`)
 *
 * | field   | meaning                                                              |
 * |---------|----------------------------------------------------------------------|
 * | `owner` | id of the connection holding it (or keeping it), '' when free        |
 * | `seq`   | the wait of that connection it was granted to                        |
 * | `fence` | grows by one with every grant: the fencing token                     |
 * | `died`  | the last holder expired holding it; the next grant says so           |
 * | `asked` | 1 once the owner was told someone waits (a revoke or a `wanted` grant) |
 * | `:q`    | waits `<id>:<seq>`, FIFO                                              |
 *
 * | state     | condition             | acquire                         | release by owner          | owner expires            |
 * |-----------|-----------------------|---------------------------------|---------------------------|--------------------------|
 * | Free      | owner '', q empty     | → Held, answered at once        | answers 0 (lost)          | —                        |
 * | Held      | owner set, q empty    | queued → Contended; owner asked | → Free                    | → Free, died             |
 * | Contended | owner set, q not empty| queued                          | head granted (hand-off)   | head granted with died   |
 *
 * Invariant: owner '' ⇒ q empty (every release hands to the head).
 *
 * | script     | args (after prefix, id) | answers                                                          |
 * |------------|-------------------------|------------------------------------------------------------------|
 * | `acquire`  | c, seq, try             | {1, fence, died} granted; {0} queued (or refused when try = 1)    |
 * | `release`  | c, fence                | 1 released; 0 the lock is no longer c's under that fence (lost)  |
 * | `withdraw` | c, seq                  | 0 left the queue; 1 it had been granted: passed on; 2 not there (reaped) |
 * | `retake`   | c, fence                | 1 still c's under that fence (a kept grant), else 0               |
 * | `state`    | —                       | {owner, fence, waiting}                                          |
 */
import { script } from './script.js';

export const LOCK_ACQUIRE = script('lock.acquire', String.raw`
local k, oid, c, s = KEYS[1], ARGV[2], ARGV[3], ARGV[4]
local q = k .. ':q'
local owner = redis.call('HGET', k, 'owner')
if not owner or owner == '' then
  local died = tonumber(redis.call('HGET', k, 'died') or '0')
  local fence = lock_grant(oid, c, s, q)
  return {1, fence, died}
end
if ARGV[5] == '0' then
  redis.call('RPUSH', q, c .. ':' .. s)
  redis.call('SADD', P .. 'waits:' .. c, oid)
end
if redis.call('HGET', k, 'asked') ~= '1' then
  redis.call('HSET', k, 'asked', 1)
  wake(owner, 'r|' .. oid .. '|' .. redis.call('HGET', k, 'fence'))
end
return {0}
`);

export const LOCK_RELEASE = script('lock.release', String.raw`
local k, oid, c = KEYS[1], ARGV[2], ARGV[3]
if redis.call('HGET', k, 'owner') ~= c or redis.call('HGET', k, 'fence') ~= ARGV[4] then return 0 end
redis.call('SREM', P .. 'held:' .. c, oid)
lock_pass(oid, 0)
return 1
`);

export const LOCK_WITHDRAW = script('lock.withdraw', String.raw`
local k, oid, c, s = KEYS[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('LREM', k .. ':q', 1, c .. ':' .. s) == 1 then return 0 end
if redis.call('HGET', k, 'owner') == c and redis.call('HGET', k, 'seq') == s then
  redis.call('SREM', P .. 'held:' .. c, oid)
  lock_pass(oid, 0)
  return 1
end
return 2
`);

export const LOCK_RETAKE = script('lock.retake', String.raw`
if redis.call('HGET', KEYS[1], 'owner') == ARGV[3] and redis.call('HGET', KEYS[1], 'fence') == ARGV[4] then return 1 end
return 0
`);

export const LOCK_STATE = script('lock.state', String.raw`
local owner = redis.call('HGET', KEYS[1], 'owner') or ''
local fence = redis.call('HGET', KEYS[1], 'fence') or '0'
return {owner, fence, redis.call('LLEN', KEYS[1] .. ':q')}
`);
