/**
 * The Lua scripts (the commit's is in commit-script.ts). Redis runs each one atomically.
 *
 * Inputs arrive only as KEYS and ARGV: ARGV[1] is a JSON header holding keys (built in JavaScript
 * from validated ids), ids and numbers written as strings (a Lua number prints with 14 digits);
 * the records themselves follow as further ARGV values that the scripts store without parsing.
 * Where a script must follow a reference it finds in Redis (a segment's parent, the segment of a
 * message location), it re-checks the id against the id pattern before appending it to a prefix.
 * KEYS[1] is always a key of the store, so a cluster routes the script to the store's node (a
 * `{hash tag}` in `keyPrefix` puts every key of the store on one node).
 */
import { luaScript } from './connection.js';

/** Helpers shared by several scripts. `String.raw` keeps `\n` an escape for Lua rather than a newline. */
export const HELPERS = String.raw`
local function valid_id(id)
  return type(id) == 'string' and #id <= 200 and string.find(id, '^[A-Za-z0-9][A-Za-z0-9._:@%-]*$') ~= nil
end

local function split_lines(text)
  local lines = {}
  for line in string.gmatch(text, '[^\n]+') do lines[#lines + 1] = line end
  return lines
end

-- A location counts while its segment exists: segments expire with the last session reaching them.
local function location_alive(value, segment_prefix)
  local segment_id = string.match(value, '^([^\n]+)\n')
  if not valid_id(segment_id) then return false end
  return redis.call('EXISTS', segment_prefix .. segment_id) == 1
end

-- Drops every index entry of a session whose record is gone (expired); false when the record is there.
local function forget_session(memberships, deadlines, id)
  local membership = redis.call('HGET', memberships, id)
  if membership then
    local keys = split_lines(membership)
    if redis.call('EXISTS', keys[1]) == 1 then return false end
    for i = 2, #keys do redis.call('ZREM', keys[i], id) end
    redis.call('HDEL', memberships, id)
  end
  redis.call('ZREM', deadlines, id)
  return true
end

-- Deletes the messages of a segment with a score from 'min' (a ZRANGEBYSCORE bound), and the
-- locations pointing at them, in slices so that no reply holds a whole history.
local function delete_messages(messages_key, locations, segment_id, min)
  local removed = 0
  local owner = segment_id .. '\n'
  while true do
    local members = redis.call('ZRANGEBYSCORE', messages_key, min, '+inf', 'LIMIT', 0, 256)
    if #members == 0 then return removed end
    for _, member in ipairs(members) do
      local id = string.match(member, '^([^\n]+)\n')
      local location = id and redis.call('HGET', locations, id)
      if location and string.sub(location, 1, #owner) == owner then redis.call('HDEL', locations, id) end
    end
    redis.call('ZREM', messages_key, unpack(members))
    removed = removed + #members
  end
end
`;

/**
 * One page of a sorted set in (score, member) order, strictly after a keyset position, found
 * without an offset: the members tied on the cursor's score are binary-searched by rank, comparing
 * bytes (Lua's own string comparison follows the server's locale, Redis's member order does not).
 * KEYS[1]: the sorted set. ARGV: 'asc' | 'desc', count, cursor score ('' for the start), cursor member.
 * Returns a flat list: member, score, member, score, ...
 */
export const PAGE_SCRIPT = luaScript(
  'page',
  String.raw`
local key, ascending, count = KEYS[1], ARGV[1] == 'asc', tonumber(ARGV[2])
local function bytes_less(left, right)
  local length = math.min(#left, #right)
  for i = 1, length do
    local a, b = string.byte(left, i), string.byte(right, i)
    if a ~= b then return a < b end
  end
  return #left < #right
end
local position
if ARGV[3] == '' then
  if ascending then position = 0 else position = redis.call('ZCARD', key) end
else
  local score, member = ARGV[3], ARGV[4]
  -- Ranks [low, high) hold the members whose score equals the cursor's, in byte order.
  local low = redis.call('ZCOUNT', key, '-inf', '(' .. score)
  local high = redis.call('ZCOUNT', key, '-inf', score)
  while low < high do
    local middle = math.floor((low + high) / 2)
    local probe = redis.call('ZRANGE', key, middle, middle)[1]
    local before
    if ascending then before = not bytes_less(member, probe) else before = bytes_less(probe, member) end
    if before then low = middle + 1 else high = middle end
  end
  position = low
end
if ascending then
  return redis.call('ZRANGE', key, position, position + count - 1, 'WITHSCORES')
end
if position == 0 then return {} end
local slice = redis.call('ZRANGE', key, math.max(0, position - count), position - 1, 'WITHSCORES')
local reversed = {}
for i = #slice - 1, 1, -2 do
  reversed[#reversed + 1] = slice[i]
  reversed[#reversed + 1] = slice[i + 1]
end
return reversed
`,
);

/** The location of a message while its segment exists. KEYS[1]: locations; ARGV: message id, segment key prefix. */
export const LOCATE_SCRIPT = luaScript(
  'locate',
  HELPERS +
    String.raw`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value and location_alive(value, ARGV[2]) then return value end
return false
`,
);

/**
 * Readers found index entries whose record is gone: drop them, unless the record is back.
 * KEYS[1]: the memberships hash. ARGV[1]: the deadlines key; then triples (session id, record key, index key walked).
 */
export const FORGET_SCRIPT = luaScript(
  'forget',
  HELPERS +
    String.raw`
local removed = 0
for i = 2, #ARGV, 3 do
  local id, record_key, index_key = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('EXISTS', record_key) == 0 then
    forget_session(KEYS[1], ARGV[1], id)
    redis.call('ZREM', index_key, id)
    removed = removed + 1
  end
end
return removed
`,
);

/** KEYS: segment messages, locations. ARGV: segment id, lowest score to delete (a ZRANGEBYSCORE bound). */
export const DELETE_MESSAGES_SCRIPT = luaScript(
  'delete-messages',
  HELPERS +
    String.raw`
return delete_messages(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
`,
);

/**
 * KEYS: segment, segment messages, owner's segment list, parent's continuation list, locations.
 * ARGV: segment id, '1' when the segment has a parent.
 */
export const DELETE_SEGMENT_SCRIPT = luaScript(
  'delete-segment',
  HELPERS +
    String.raw`
local removed = delete_messages(KEYS[2], KEYS[5], ARGV[1], '-inf')
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('LREM', KEYS[3], 0, ARGV[1])
if ARGV[2] == '1' then redis.call('LREM', KEYS[4], 0, ARGV[1]) end
return removed
`,
);
