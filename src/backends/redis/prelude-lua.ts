/**
 * The Lua every machine-scope script starts with: the clock, wake
 * messages, and the transitions several scripts share — handing a lock on,
 * giving semaphore permits back, and reaping a connection whose lease ran
 * out. (Redis has no shared libraries for EVAL scripts; the prelude is
 * part of each script's text and SHA.)
 *
 * Wake messages, pushed on `wake:<id>` and read by that connection's
 * blocking loop (wake.ts):
 *
 * | message                               | meaning                                                       |
 * |---------------------------------------|---------------------------------------------------------------|
 * | `g|<seq>|<fence>|<died>|<wanted>`     | wait `<seq>` is granted (a lock with its fence; died: the last holder expired holding it; wanted: others wait) |
 * | `r|<object id>|<fence>`               | someone waits for the lock you hold (or keep) under `<fence>`: hand it on when you can |
 * | `i|<seq>|<queue id>|<item>`           | get `<seq>` is answered with this item (handed straight from a put) |
 * | `x|<seq>`                             | the queue `<seq>` waits on was shut down, or the barrier it waits at broke |
 * | `n|<seq>|<condition id>`              | wait `<seq>` on a Condition is notified                        |
 *
 * Time is the server's (`TIME`), in ms. Connections are numbers (`<id>`),
 * waits are `<id>:<seq>` with `<seq>` unique within the connection.
 */
import { POOL_PRELUDE } from './pool-prelude-lua.js';

export const PRELUDE = String.raw`
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function wake(id, msg)
  redis.call('RPUSH', P .. 'wake:' .. id, msg)
end
local function entry_of(e)
  return string.match(e, '^(%d+):(%d+)$')
end

-- A lock (hash: owner, seq, fence, died, asked) goes to wait c:s. Invariant
-- kept: 'asked' is 1 iff the owner knows someone waits (here: the queue is
-- not empty), so a release goes to Redis exactly when someone needs it.
local function lock_grant(oid, c, s, q)
  local k = P .. oid
  local fence = redis.call('HINCRBY', k, 'fence', 1)
  local wanted = 0
  if redis.call('LLEN', q) > 0 then wanted = 1 end
  redis.call('HSET', k, 'owner', c, 'seq', s, 'died', 0, 'asked', wanted)
  redis.call('SADD', P .. 'held:' .. c, oid)
  return fence, wanted
end

-- The owner let go (died = 0) or expired (died = 1): the head waiter gets the
-- lock at once (FIFO hand-off), or it is left free, remembering a death.
local function lock_pass(oid, died)
  local k = P .. oid
  local q = k .. ':q'
  local head = redis.call('LPOP', q)
  if head then
    local c, s = entry_of(head)
    local fence, wanted = lock_grant(oid, c, s, q)
    wake(c, 'g|' .. s .. '|' .. fence .. '|' .. died .. '|' .. wanted)
  else
    redis.call('HSET', k, 'owner', '', 'seq', '', 'died', died, 'asked', 0)
  end
end

-- n permits of a semaphore come back: waiters first, in arrival order.
local function sem_give(oid, n)
  local k = P .. oid
  local q = k .. ':q'
  local value = tonumber(redis.call('HGET', k, 'value')) + n
  while value > 0 do
    local head = redis.call('LPOP', q)
    if not head then break end
    local c, s = entry_of(head)
    value = value - 1
    redis.call('HINCRBY', k .. ':h', c, 1)
    redis.call('SADD', P .. 'held:' .. c, oid)
    wake(c, 'g|' .. s .. '|0|0|0')
  end
  redis.call('HSET', k, 'value', value)
end

-- Connection c no longer counts up to n permits it took; returns how many.
local function sem_drop_holder(oid, c, n)
  local h = P .. oid .. ':h'
  local held = tonumber(redis.call('HGET', h, c) or '0')
  local take = math.min(held, n)
  if held - take <= 0 then
    redis.call('HDEL', h, c)
    redis.call('SREM', P .. 'held:' .. c, oid)
  else
    redis.call('HINCRBY', h, c, -take)
  end
  return take
end

-- A JoinableQueue's consumer c took item: it is c's until its taskDone.
local function queue_taken(oid, c, item)
  if string.sub(oid, 1, 7) == 'jqueue:' then
    redis.call('RPUSH', P .. oid .. ':t:' .. c, item)
    redis.call('SADD', P .. 'held:' .. c, oid)
  end
end

-- An item enters a queue: straight to the longest-waiting get, else at the
-- tail (at the head when it comes back from a dead consumer).
local function queue_add(oid, item, at_head)
  local k = P .. oid
  local g = redis.call('LPOP', k .. ':q')
  if g then
    local c, s = entry_of(g)
    queue_taken(oid, c, item)
    wake(c, 'i|' .. s .. '|' .. oid .. '|' .. item)
  elseif at_head then
    redis.call('LPUSH', k .. ':items', item)
  else
    redis.call('RPUSH', k .. ':items', item)
  end
end

-- A get made room: the longest-waiting put's item goes in, and that put returns.
local function queue_admit(oid)
  local k = P .. oid
  local p = redis.call('LPOP', k .. ':pq')
  if p then
    local c, s = entry_of(p)
    local item = redis.call('HGET', k .. ':pp', p)
    redis.call('HDEL', k .. ':pp', p)
    if string.sub(oid, 1, 7) == 'jqueue:' then redis.call('HINCRBY', k, 'unfinished', 1) end
    queue_add(oid, item, false)
    wake(c, 'g|' .. s .. '|0|0|0')
  end
end

-- Up to n waiters of a Condition are notified, longest waiting first (n < 0: all).
local function cond_notify(oid, n)
  local q = P .. oid .. ':q'
  local woken = 0
  while n < 0 or woken < n do
    local head = redis.call('LPOP', q)
    if not head then break end
    local c, s = entry_of(head)
    wake(c, 'n|' .. s .. '|' .. oid)
    woken = woken + 1
  end
  return woken
end

-- A Barrier breaks: every party waiting at it is told, and later waits
-- fail until a reset.
local function barrier_break(oid)
  local k = P .. oid
  for _, e in ipairs(redis.call('LRANGE', k .. ':q', 0, -1)) do
    local c, s = entry_of(e)
    wake(c, 'x|' .. s)
  end
  redis.call('DEL', k .. ':q')
  redis.call('HSET', k, 'broken', 1)
end

${POOL_PRELUDE}

-- Connection c is gone (lease expired, or it left): its waits leave their
-- queues first (so nothing is handed to it below; a party waiting at a
-- Barrier breaks it instead), then its locks pass on
-- with died = 1, its permits come back (up to the initial value), items
-- handed to it and not yet read go back to the head of their queue, and
-- the JoinableQueue items it took and did not finish go back to the head,
-- and Condition notifications it had not read go to the next waiter.
-- 'Not read' covers the messages its wake loop had moved to 'inflight:<c>'
-- and not yet acknowledged as delivered (wake.ts); a lock granted by such a
-- message passes on without 'died' (c never took it) unless it carried one.
local function reap(c)
  local prefix = c .. ':'
  for _, oid in ipairs(redis.call('SMEMBERS', P .. 'waits:' .. c)) do
    if string.sub(oid, 1, 8) == 'barrier:' then
      for _, e in ipairs(redis.call('LRANGE', P .. oid .. ':q', 0, -1)) do
        if string.sub(e, 1, #prefix) == prefix then
          barrier_break(oid)
          break
        end
      end
    end
    for _, suffix in ipairs({':q', ':pq', ':j'}) do
      local q = P .. oid .. suffix
      for _, e in ipairs(redis.call('LRANGE', q, 0, -1)) do
        if string.sub(e, 1, #prefix) == prefix then
          redis.call('LREM', q, 0, e)
          if suffix == ':pq' then redis.call('HDEL', P .. oid .. ':pp', e) end
        end
      end
    end
  end
  -- Unread: the messages being delivered (moved to 'inflight:<c>' and not yet
  -- acknowledged, wake.ts), then those still waiting on 'wake:<c>'.
  local unread = redis.call('LRANGE', P .. 'inflight:' .. c, 0, -1)
  for _, m in ipairs(redis.call('LRANGE', P .. 'wake:' .. c, 0, -1)) do unread[#unread + 1] = m end
  -- Lock grants never delivered: wait seq -> the died flag the grant carried.
  local untaken = {}
  for i = #unread, 1, -1 do
    local oid, item = string.match(unread[i], '^i|%d+|([^|]+)|(.*)$')
    -- (a pool's tasks come back through ':r:<c>' below, and its answers are dropped with the caller)
    if oid and string.sub(oid, 1, 7) ~= 'jqueue:' and string.sub(oid, 1, 5) ~= 'pool:' then queue_add(oid, item, true) end
    local cond = string.match(unread[i], '^n|%d+|(.+)$')
    if cond then cond_notify(cond, 1) end
    local gs, gdied = string.match(unread[i], '^g|(%d+)|%d+|(%d)|')
    if gs then untaken[gs] = tonumber(gdied) end
  end
  for _, oid in ipairs(redis.call('SMEMBERS', P .. 'held:' .. c)) do
    local kind = string.match(oid, '^(%a+):')
    if kind == 'lock' or kind == 'rlock' then
      -- A grant c never read was never taken: the next owner sees a death only if it inherited one.
      if redis.call('HGET', P .. oid, 'owner') == c then lock_pass(oid, untaken[redis.call('HGET', P .. oid, 'seq')] or 1) end
    elseif kind == 'sem' or kind == 'bsem' then
      local k = P .. oid
      local n = sem_drop_holder(oid, c, math.huge)
      local room = tonumber(redis.call('HGET', k, 'initial')) - tonumber(redis.call('HGET', k, 'value'))
      n = math.min(n, math.max(room, 0))
      if n > 0 then sem_give(oid, n) end
    elseif kind == 'pool' then
      pool_requeue(oid, c)
    elseif kind == 'jqueue' then
      local t = P .. oid .. ':t:' .. c
      local taken = redis.call('LRANGE', t, 0, -1)
      redis.call('DEL', t)
      if redis.call('LLEN', P .. oid .. ':q') > 0 then
        for i = 1, #taken do queue_add(oid, taken[i], false) end
      else
        for i = #taken, 1, -1 do redis.call('LPUSH', P .. oid .. ':items', taken[i]) end
      end
    end
  end
  redis.call('DEL', P .. 'waits:' .. c, P .. 'held:' .. c, P .. 'wake:' .. c, P .. 'inflight:' .. c)
  redis.call('ZREM', P .. 'procs', c)
end
`;
