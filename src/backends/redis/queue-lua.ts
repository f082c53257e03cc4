/**
 * The server side of the machine-scope queues (`queue:<name>`,
 * `jqueue:<name>` for a JoinableQueue, `squeue:<name>` for a SimpleQueue):
 * the hub's queue table (backends/hub/queue.ts) as Lua. Items are strings
 * (queue.ts encodes them).
 *
 * ## State
 *
 * | key / field    | meaning                                                          |
 * |----------------|------------------------------------------------------------------|
 * | `maxsize`      | 0: unbounded (set by the first script to touch the queue)        |
 * | `shut`         | '1' once shut down                                               |
 * | `unfinished`   | JoinableQueue: items put and not yet `taskDone`                  |
 * | `:items`       | the items, FIFO                                                  |
 * | `:q`           | gets waiting `<id>:<seq>`, FIFO                                  |
 * | `:pq`, `:pp`   | puts waiting for room, FIFO, and their items by wait             |
 * | `:j`           | `join` calls waiting for unfinished = 0                          |
 * | `:t:<id>`      | JoinableQueue: items connection `<id>` took and did not finish   |
 *
 * Invariants: gets wait only while `:items` is empty; puts wait only while
 * it holds `maxsize` items. A put hands its item straight to the
 * longest-waiting get (`i` message); a get that makes room admits the
 * longest-waiting put. A connection that expires: items handed to it and
 * not read, and (JoinableQueue) items it took and did not finish, go back
 * to the head (prelude's `reap`) — at-least-once for a JoinableQueue's
 * consumers; a plain Queue's item is the getter's once `get` returned.
 *
 * | script        | args (after prefix, id)        | answers                                                  |
 * |---------------|--------------------------------|----------------------------------------------------------|
 * | `put`         | maxsize, c, seq, item, try     | 1 put; 0 full (try); 2 waiting for room; -2 shut down; -1 maxsize mismatch |
 * | `get`         | maxsize, c, seq, try           | {1, item}; {0} empty (try); {2} waiting; {-2} shut down and empty; {-1} |
 * | `withdrawPut` | maxsize, c, seq                | 0 withdrawn (Full); 1 it had been admitted                |
 * | `withdrawGet` | maxsize, c, seq                | 0 withdrawn (Empty); 1 an item is on its way: take it     |
 * | `taskDone`    | maxsize, c                     | 1; -3 more taskDone than items put                        |
 * | `join`        | maxsize, c, seq                | 1 nothing unfinished; 0 waiting                           |
 * | `withdrawJoin`| maxsize, c, seq                | 0 withdrawn; 1 woken                                      |
 * | `shutdown`    | maxsize, immediate             | 1 (waiting gets and puts are told `x`)                    |
 * | `state`       | maxsize                        | {size, maxsize, unfinished, shut, getters}                |
 */
import { script } from './script.js';

const INIT = String.raw`
local k, oid = KEYS[1], ARGV[2]
local maxsize = tonumber(ARGV[3])
local have = redis.call('HGET', k, 'maxsize')
if not have then
  redis.call('HSET', k, 'maxsize', ARGV[3], 'shut', 0, 'unfinished', 0)
elseif have ~= ARGV[3] then
  return -1
end
local items = k .. ':items'
local joinable = string.sub(oid, 1, 7) == 'jqueue:'
`;

/** Wakes every `join` once nothing is unfinished. */
const JOINED = String.raw`
local function joined()
  for _, e in ipairs(redis.call('LRANGE', k .. ':j', 0, -1)) do
    local c, s = entry_of(e)
    wake(c, 'g|' .. s .. '|0|0|0')
  end
  redis.call('DEL', k .. ':j')
end
`;

export const QUEUE_PUT = script('queue.put', INIT + String.raw`
local c, s, item = ARGV[4], ARGV[5], ARGV[6]
if redis.call('HGET', k, 'shut') == '1' then return -2 end
if maxsize > 0 and redis.call('LLEN', items) >= maxsize then
  if ARGV[7] == '1' then return 0 end
  redis.call('RPUSH', k .. ':pq', c .. ':' .. s)
  redis.call('HSET', k .. ':pp', c .. ':' .. s, item)
  redis.call('SADD', P .. 'waits:' .. c, oid)
  return 2
end
if joinable then redis.call('HINCRBY', k, 'unfinished', 1) end
queue_add(oid, item, false)
return 1
`);

export const QUEUE_GET = script('queue.get', INIT + String.raw`
local c, s = ARGV[4], ARGV[5]
local item = redis.call('LPOP', items)
if item then
  queue_taken(oid, c, item)
  queue_admit(oid)
  return {1, item}
end
if redis.call('HGET', k, 'shut') == '1' then return {-2} end
if ARGV[6] == '1' then return {0} end
redis.call('RPUSH', k .. ':q', c .. ':' .. s)
redis.call('SADD', P .. 'waits:' .. c, oid)
return {2}
`);

export const QUEUE_WITHDRAW_PUT = script('queue.withdrawPut', INIT + String.raw`
local e = ARGV[4] .. ':' .. ARGV[5]
if redis.call('LREM', k .. ':pq', 1, e) == 1 then
  redis.call('HDEL', k .. ':pp', e)
  return 0
end
return 1
`);

export const QUEUE_WITHDRAW_GET = script('queue.withdrawGet', INIT + String.raw`
if redis.call('LREM', k .. ':q', 1, ARGV[4] .. ':' .. ARGV[5]) == 1 then return 0 end
return 1
`);

export const QUEUE_TASK_DONE = script('queue.taskDone', INIT + JOINED + String.raw`
local c = ARGV[4]
local unfinished = tonumber(redis.call('HGET', k, 'unfinished'))
if unfinished <= 0 then return -3 end
unfinished = redis.call('HINCRBY', k, 'unfinished', -1)
local t = k .. ':t:' .. c
if redis.call('LPOP', t) and redis.call('LLEN', t) == 0 then redis.call('SREM', P .. 'held:' .. c, oid) end
if unfinished == 0 then joined() end
return 1
`);

export const QUEUE_JOIN = script('queue.join', INIT + String.raw`
if tonumber(redis.call('HGET', k, 'unfinished')) == 0 then return 1 end
redis.call('RPUSH', k .. ':j', ARGV[4] .. ':' .. ARGV[5])
redis.call('SADD', P .. 'waits:' .. ARGV[4], oid)
return 0
`);

export const QUEUE_WITHDRAW_JOIN = script('queue.withdrawJoin', INIT + String.raw`
if redis.call('LREM', k .. ':j', 1, ARGV[4] .. ':' .. ARGV[5]) == 1 then return 0 end
return 1
`);

export const QUEUE_SHUTDOWN = script('queue.shutdown', INIT + JOINED + String.raw`
redis.call('HSET', k, 'shut', 1)
if ARGV[4] == '1' then
  local n = redis.call('LLEN', items)
  redis.call('DEL', items)
  if joinable and n > 0 then
    local left = math.max(0, tonumber(redis.call('HGET', k, 'unfinished')) - n)
    redis.call('HSET', k, 'unfinished', left)
    if left == 0 then joined() end
  end
end
for _, suffix in ipairs({':q', ':pq'}) do
  for _, e in ipairs(redis.call('LRANGE', k .. suffix, 0, -1)) do
    local c, s = entry_of(e)
    wake(c, 'x|' .. s)
  end
end
redis.call('DEL', k .. ':q', k .. ':pq', k .. ':pp')
return 1
`);

export const QUEUE_STATE = script('queue.state', INIT + String.raw`
return {redis.call('LLEN', items), maxsize, tonumber(redis.call('HGET', k, 'unfinished')), tonumber(redis.call('HGET', k, 'shut')), redis.call('LLEN', k .. ':q')}
`);
