/**
 * The server side of a machine-scope pool (`pool:<name>`): tasks submitted
 * by callers on any machine, run by `weft worker` processes on any
 * machine. A task's id is its caller's wait, `<caller id>:<seq>`: the
 * outcome goes back to that wait (an `i` message on the caller's wake
 * list), like a queue's item to a waiting get.
 *
 * ## Keys (after `pool:<name>`)
 *
 * | key        | type | holds                                                              |
 * |------------|------|--------------------------------------------------------------------|
 * | `:p`       | hash | task id → payload (module, export, hash, arguments; redis-pool.ts) |
 * | `:x`       | hash | task id → most deliveries its caller allows                        |
 * | `:n`       | hash | task id → deliveries so far                                        |
 * | `:items`   | list | task ids waiting for a worker, FIFO                                |
 * | `:q`       | list | worker takes waiting for a task, `<id>:<seq>`, FIFO                |
 * | `:r:<id>`  | set  | task ids worker connection `<id>` is running (in `held:<id>`)      |
 *
 * ## A task's states
 *
 * | state     | where                      | left by                                                    |
 * |-----------|----------------------------|------------------------------------------------------------|
 * | pending   | `:items`                   | `take` (→ running), `cancel` (dropped)                      |
 * | running   | `:r:<worker>`              | `finish` (answered), `giveBack` (→ pending, not counted), the worker's reap (→ pending at the head, or answered `D<n>` once delivered `:x` times), `cancel` (abandoned: its finish is dropped) |
 * | answered  | the caller's wake list     | — (the task's keys are gone)                                |
 *
 * Invariants: takes wait only while `:items` is empty; a task is in
 * exactly one of `:items` or one `:r:<id>` while `:p` has it; `:n` counts
 * hand-outs, so a task that kills its worker every time fails after `:x`
 * deliveries instead of looping forever.
 *
 * | script      | args (after prefix, oid)   | answers                                                   |
 * |-------------|----------------------------|-----------------------------------------------------------|
 * | `submit`    | c, seq, payload, max       | 1 (the task is pending or handed to a waiting take)        |
 * | `take`      | c, seq, try                | {1, 'tid,n,payload'}; {0} nothing (try); {2} waiting        |
 * | `withdrawTake` | c, seq                  | 0 withdrawn; 1 a task is on its way: take it               |
 * | `finish`    | c, tid, outcome            | 1 answered; 2 its caller gave up; 0 not this worker's any more (it was reaped) |
 * | `finishTake` | c, seq, try, tid, outcome | `finish`, then `take`'s answer (one round trip between two tasks) |
 * | `giveBack`  | c, tid                     | 1 (back at the head, this delivery not counted)            |
 * | `cancel`    | c, seq                     | 0 dropped before it ran; 1 answered, the answer is on its way; 2 abandoned while running |
 * | `state`     |                            | {pending, waiting takes}                                   |
 */
import { script } from './script.js';

const INIT = String.raw`
local k, oid = KEYS[1], ARGV[2]
local items = k .. ':items'
`;

export const POOL_SUBMIT = script('pool.submit', INIT + String.raw`
local tid = ARGV[3] .. ':' .. ARGV[4]
-- A caller whose lease ran out queues its waits again: the task is there already.
if redis.call('HEXISTS', k .. ':p', tid) == 1 then return 1 end
redis.call('HSET', k .. ':p', tid, ARGV[5])
redis.call('HSET', k .. ':x', tid, ARGV[6])
pool_add(oid, tid, false)
return 1
`);

/** Worker c's wait seq takes the first pending task, or queues (not when tryOnly is '1'). */
const TAKE = String.raw`
local function take(c, s, tryOnly)
  local tid = redis.call('LPOP', items)
  if tid then return {1, pool_hand(oid, tid, c)} end
  if tryOnly == '1' then return {0} end
  redis.call('RPUSH', k .. ':q', c .. ':' .. s)
  redis.call('SADD', P .. 'waits:' .. c, oid)
  return {2}
end
`;

export const POOL_TAKE = script('pool.take', INIT + TAKE + String.raw`
return take(ARGV[3], ARGV[4], ARGV[5])
`);

export const POOL_WITHDRAW_TAKE = script('pool.withdrawTake', INIT + String.raw`
if redis.call('LREM', k .. ':q', 1, ARGV[3] .. ':' .. ARGV[4]) == 1 then return 0 end
return 1
`);

/** Worker c no longer runs tid: forget it in ':r:<c>' (and held:<c> once none is left). Nil if it was not c's. */
const RELEASE = String.raw`
local function release(c, tid)
  local r = k .. ':r:' .. c
  if redis.call('SREM', r, tid) == 0 then return false end
  if redis.call('SCARD', r) == 0 then redis.call('SREM', P .. 'held:' .. c, oid) end
  return true
end
`;

/** Worker c answers tid with outcome: 1 answered; 2 its caller gave up; 0 not c's any more. */
const FINISH = String.raw`
local function finish(c, tid, outcome)
  if not release(c, tid) then return 0 end
  if redis.call('HEXISTS', k .. ':p', tid) == 0 then
    redis.call('HDEL', k .. ':n', tid)
    redis.call('HDEL', k .. ':x', tid)
    return 2
  end
  pool_answer(oid, tid, outcome)
  return 1
end
`;

export const POOL_FINISH = script('pool.finish', INIT + RELEASE + FINISH + String.raw`
return finish(ARGV[3], ARGV[4], ARGV[5])
`);

/** A slot's outcome and its next take in one round trip (what a busy worker does between tasks). */
export const POOL_FINISH_TAKE = script('pool.finishTake', INIT + RELEASE + FINISH + TAKE + String.raw`
finish(ARGV[3], ARGV[6], ARGV[7])
return take(ARGV[3], ARGV[4], ARGV[5])
`);

export const POOL_GIVE_BACK = script('pool.giveBack', INIT + RELEASE + String.raw`
local c, tid = ARGV[3], ARGV[4]
if not release(c, tid) then return 1 end
if redis.call('HEXISTS', k .. ':p', tid) == 1 then
  redis.call('HINCRBY', k .. ':n', tid, -1)
  pool_add(oid, tid, true)
else
  redis.call('HDEL', k .. ':n', tid)
  redis.call('HDEL', k .. ':x', tid)
end
return 1
`);

export const POOL_CANCEL = script('pool.cancel', INIT + String.raw`
local tid = ARGV[3] .. ':' .. ARGV[4]
if redis.call('HEXISTS', k .. ':p', tid) == 0 then return 1 end
redis.call('HDEL', k .. ':p', tid)
if redis.call('LREM', items, 1, tid) == 1 then
  redis.call('HDEL', k .. ':n', tid)
  redis.call('HDEL', k .. ':x', tid)
  return 0
end
return 2
`);

export const POOL_STATE = script('pool.state', INIT + String.raw`
return {redis.call('LLEN', items), redis.call('LLEN', k .. ':q')}
`);
