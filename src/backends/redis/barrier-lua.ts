/**
 * The server side of a machine-scope `Barrier` (`barrier:<name>`): the
 * parties that arrived in the current round, and whether it is broken.
 *
 * ## State
 *
 * | key / field | meaning                                                            |
 * |-------------|--------------------------------------------------------------------|
 * | `parties`   | how many must arrive (set by the first script to touch it)         |
 * | `gen`       | the round: grows when the barrier trips or is reset                |
 * | `broken`    | '1' once broken (timeout, abort(), a party's lease ran out) until reset() |
 * | `:q`        | the parties waiting in this round, `<id>:<seq>`, in arrival order  |
 *
 * | state   | condition         | wait                                          | a waiting party times out / dies | abort()   | reset()          |
 * |---------|-------------------|-----------------------------------------------|----------------------------------|-----------|------------------|
 * | Filling | broken 0          | queued; the last one trips it: all released with their index, q emptied, gen + 1 | → Broken | → Broken  | waiters broken, gen + 1 |
 * | Broken  | broken 1, q empty | fails at once                                 | —                                | —         | → Filling, gen + 1 |
 *
 * Invariant: LLEN q < parties (the arrival that would fill it trips it) and
 * broken ⇒ q empty. A party that withdraws on an abort leaves as if it had
 * never arrived; one that withdraws on a timeout breaks the barrier (Python).
 *
 * | script     | args (after prefix, id)        | answers                                                            |
 * |------------|--------------------------------|--------------------------------------------------------------------|
 * | `wait`     | parties, c, seq, gen seen, try | {1, index} tripped it; {0, gen} queued; {-2} broken; {-3} its round ended while its lease had run out; {-4} try and not the last: broke it; -1 other parties |
 * | `withdraw` | parties, c, seq, breaks        | 0 left (and broke it if breaks = 1); 1 released or broken meanwhile: the message is on its way |
 * | `abort`    | parties                        | 1                                                                  |
 * | `reset`    | parties                        | 1                                                                  |
 * | `state`    | parties                        | {waiting, broken}                                                  |
 */
import { script } from './script.js';

const INIT = String.raw`
local k, oid = KEYS[1], ARGV[2]
local have = redis.call('HGET', k, 'parties')
if not have then
  redis.call('HSET', k, 'parties', ARGV[3], 'gen', 0, 'broken', 0)
elseif have ~= ARGV[3] then
  return -1
end
local q = k .. ':q'
`;

export const BARRIER_WAIT = script('barrier.wait', INIT + String.raw`
local c, s, seen = ARGV[4], ARGV[5], ARGV[6]
local gen = redis.call('HGET', k, 'gen')
if seen ~= '' and seen ~= gen then return {-3} end
if redis.call('HGET', k, 'broken') == '1' then return {-2} end
local parties = tonumber(ARGV[3])
if ARGV[7] == '1' and redis.call('LLEN', q) + 1 < parties then
  barrier_break(oid)
  return {-4}
end
local n = redis.call('RPUSH', q, c .. ':' .. s)
redis.call('SADD', P .. 'waits:' .. c, oid)
if n < parties then return {0, gen} end
local entries = redis.call('LRANGE', q, 0, -1)
for i = 1, #entries - 1 do
  local ec, es = entry_of(entries[i])
  wake(ec, 'g|' .. es .. '|' .. (i - 1) .. '|0|0')
end
redis.call('DEL', q)
redis.call('HINCRBY', k, 'gen', 1)
return {1, n - 1}
`);

export const BARRIER_WITHDRAW = script('barrier.withdraw', INIT + String.raw`
if redis.call('LREM', q, 1, ARGV[4] .. ':' .. ARGV[5]) == 1 then
  if ARGV[6] == '1' then barrier_break(oid) end
  return 0
end
return 1
`);

export const BARRIER_ABORT = script('barrier.abort', INIT + String.raw`
barrier_break(oid)
return 1
`);

export const BARRIER_RESET = script('barrier.reset', INIT + String.raw`
barrier_break(oid)
redis.call('HSET', k, 'broken', 0)
redis.call('HINCRBY', k, 'gen', 1)
return 1
`);

export const BARRIER_STATE = script('barrier.state', INIT + String.raw`
local broken = 0
if redis.call('HGET', k, 'broken') == '1' then broken = 1 end
return {redis.call('LLEN', q), broken}
`);
