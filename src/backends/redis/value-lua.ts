/**
 * The server side of a machine-scope `Value` (`value:<name>`): one typed
 * number in a hash.
 *
 * | field  | meaning                                                             |
 * |--------|---------------------------------------------------------------------|
 * | `type` | the type name (`int32`, `float64`, …; set by the first script to touch it) |
 * | `v`    | the number, in decimal: integers exact, floats as `%.17g` (round-trips), `inf`/`-inf`/`nan` |
 *
 * Integers of up to 32 bits and floats are added here, wrapping like the C
 * type (`float32` rounded through `struct`); Lua's numbers are doubles, so
 * the 64-bit types are added by the client with `cas` (value.ts).
 *
 * | script | args (after prefix, id) | answers                                                      |
 * |--------|-------------------------|--------------------------------------------------------------|
 * | `get`  | type, initial           | the value; -1 the name holds another type                    |
 * | `set`  | type, initial, v        | the value stored                                             |
 * | `add`  | type, initial, delta    | the new value                                                |
 * | `cas`  | type, initial, expected, replacement | the value found (replaced if it equalled `expected`; NaN equals NaN) |
 */
import { script } from './script.js';

const INIT = String.raw`
local k, t = KEYS[1], ARGV[3]
local have = redis.call('HGET', k, 'type')
if not have then
  redis.call('HSET', k, 'type', t, 'v', ARGV[4])
elseif have ~= t then
  return -1
end
local INT = {int8 = {8, true}, uint8 = {8, false}, int16 = {16, true}, uint16 = {16, false}, int32 = {32, true}, uint32 = {32, false}}
local function fmt(x)
  local int = INT[t]
  if int then
    local m = 2 ^ int[1]
    x = x % m
    if int[2] and x >= m / 2 then x = x - m end
    return string.format('%.0f', x)
  end
  if t == 'float32' then x = struct.unpack('<f', struct.pack('<f', x)) end
  return string.format('%.17g', x)
end
`;

export const VALUE_GET = script('value.get', INIT + String.raw`
return redis.call('HGET', k, 'v')
`);

export const VALUE_SET = script('value.set', INIT + String.raw`
redis.call('HSET', k, 'v', ARGV[5])
return ARGV[5]
`);

export const VALUE_ADD = script('value.add', INIT + String.raw`
local v = fmt(tonumber(redis.call('HGET', k, 'v')) + tonumber(ARGV[5]))
redis.call('HSET', k, 'v', v)
return v
`);

export const VALUE_CAS = script('value.cas', INIT + String.raw`
local found = redis.call('HGET', k, 'v')
local same
if t == 'bigint64' or t == 'biguint64' then
  same = found == ARGV[5]
else
  -- Compared as numbers (0.1 is stored as %.17g); NaN matches NaN, so a CAS loop on a NaN ends.
  local a, b = tonumber(found), tonumber(ARGV[5])
  same = a == b or (a ~= a and b ~= b)
end
if same then redis.call('HSET', k, 'v', ARGV[6]) end
return found
`);
