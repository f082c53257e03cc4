/**
 * The Lua of the machine-scope pool (`pool:<name>`) that the prelude holds,
 * because `reap` (prelude-lua.ts) needs it: handing a task to a worker,
 * answering its caller, and putting back the tasks of a worker whose lease
 * ran out. The pool's scripts are in pool-lua.ts; its keys and states are
 * described there.
 */
export const POOL_PRELUDE = String.raw`
-- Task tid goes to worker take wc:ws: it runs there from now on (':r:<wc>'),
-- one more delivery is counted, and the take hears 'tid,deliveries,payload'.
local function pool_hand(oid, tid, wc)
  local k = P .. oid
  local n = redis.call('HINCRBY', k .. ':n', tid, 1)
  redis.call('SADD', k .. ':r:' .. wc, tid)
  redis.call('SADD', P .. 'held:' .. wc, oid)
  return tid .. ',' .. n .. ',' .. redis.call('HGET', k .. ':p', tid)
end

-- A task becomes runnable: straight to the longest-waiting take, else at
-- the tail of the pending tasks (at the head when it comes back).
local function pool_add(oid, tid, at_head)
  local k = P .. oid
  local g = redis.call('LPOP', k .. ':q')
  if g then
    local c, s = entry_of(g)
    wake(c, 'i|' .. s .. '|' .. oid .. '|' .. pool_hand(oid, tid, c))
  elseif at_head then
    redis.call('LPUSH', k .. ':items', tid)
  else
    redis.call('RPUSH', k .. ':items', tid)
  end
end

-- The caller of tid hears the outcome (if it is still connected: otherwise
-- nobody would read it), and the task is forgotten.
local function pool_answer(oid, tid, outcome)
  local k = P .. oid
  local c, s = entry_of(tid)
  redis.call('HDEL', k .. ':p', tid)
  redis.call('HDEL', k .. ':n', tid)
  redis.call('HDEL', k .. ':x', tid)
  if redis.call('ZSCORE', P .. 'procs', c) then wake(c, 'i|' .. s .. '|' .. oid .. '|' .. outcome) end
end

-- Worker c is gone: each task it ran goes back to the head, unless it was
-- delivered its caller's maximum number of times: then the caller hears
-- 'D<deliveries>' (no poison loop). Tasks whose caller gave up are dropped.
local function pool_requeue(oid, c)
  local k = P .. oid
  local r = k .. ':r:' .. c
  local running = redis.call('SMEMBERS', r)
  redis.call('DEL', r)
  for _, tid in ipairs(running) do
    if redis.call('HEXISTS', k .. ':p', tid) == 1 then
      local n = tonumber(redis.call('HGET', k .. ':n', tid) or '0')
      local max = tonumber(redis.call('HGET', k .. ':x', tid) or '1')
      if n >= max then pool_answer(oid, tid, 'D' .. n) else pool_add(oid, tid, true) end
    else
      redis.call('HDEL', k .. ':n', tid)
      redis.call('HDEL', k .. ':x', tid)
    end
  end
end
`;
