/**
 * A connection's lease: its entry in the namespace's `procs` zset, scored
 * with the server time at which it expires. Each script's key is `procs`.
 *
 * | script     | args          | does                                                                  | answers |
 * |------------|---------------|-----------------------------------------------------------------------|---------|
 * | `register` | lease         | takes a new id (`INCR ids`) and its lease                             | the id  |
 * | `beat`     | id, lease     | renews the lease, then reaps up to 32 expired connections (prelude)   | 1, or 0 if this connection had been reaped (it is registered again) |
 * | `leave`    | id            | reaps this connection now: a clean end hands everything on at once    | 1       |
 *
 * Reaping rides on every live connection's heartbeat: no server-side
 * process and no extra timer, and a dead holder's locks move on within its
 * lease plus one beat of whoever is left.
 */
import { script } from './script.js';

export const REGISTER = script('register', String.raw`
local id = redis.call('INCR', P .. 'ids')
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), id)
return id
`);

export const BEAT = script('beat', String.raw`
local c = ARGV[2]
local now = now_ms()
local alive = redis.call('ZSCORE', KEYS[1], c)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), c)
for _, d in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 32)) do reap(d) end
if alive then return 1 end
return 0
`);

export const LEAVE = script('leave', String.raw`
reap(ARGV[2])
return 1
`);
