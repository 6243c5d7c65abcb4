/**
 * The commit script: how every session, segment, message, operation, run, blob and checkpoint is written (retention's
 * deletions have their own scripts in scripts.ts). Redis runs it atomically, and it
 * checks every condition of the batch before its first write, so a failed condition leaves nothing
 * behind and a passing batch is applied whole. Its input is built by commit.ts (see scripts.ts for
 * how inputs travel).
 */
import { luaScript } from './connection.js';
import { CHECKPOINT_HELPERS, CHECKPOINT_WRITES } from './checkpoint-scripts.js';
import { HELPERS } from './scripts.js';

/**
 * The commit. KEYS[1]: the message locations hash. ARGV[1]: the header built by commit.ts;
 * ARGV[n]: the values it points at. Returns {'ok'} or the first failed condition:
 * {'version', sessionId, actualVersion or ''}, {'duplicate-message', id},
 * {'duplicate-operation', sessionId, operationId}, {'damaged', key}.
 */
export const COMMIT_SCRIPT = luaScript(
  'commit',
  HELPERS +
    CHECKPOINT_HELPERS +
    String.raw`
local h = cjson.decode(ARGV[1])
local locations = KEYS[1]

-- Every condition first.
for _, check in ipairs(h.versions) do
  local key, id, expected = check[1], check[2], check[3]
  local stored = redis.call('GET', key)
  local actual = nil
  if stored then
    actual = string.match(stored, '^(%d+)\n')
    if not actual then return {'damaged', key} end
  end
  local holds
  if expected == '0' then holds = (actual == nil) else holds = (actual == expected) end
  if not holds then return {'version', id, actual or ''} end
end
local new_messages = {}
for _, message in ipairs(h.messages) do
  local id = message[1]
  if new_messages[id] then return {'duplicate-message', id} end
  new_messages[id] = true
  local location = redis.call('HGET', locations, id)
  if location and location_alive(location, h.prefixes.segment) then return {'duplicate-message', id} end
end
local new_operations = {}
for _, operation in ipairs(h.operations) do
  local slot = operation[1] .. '\n' .. operation[2]
  if new_operations[slot] or redis.call('HEXISTS', operation[1], operation[2]) == 1 then
    return {'duplicate-operation', operation[4], operation[2]}
  end
  new_operations[slot] = true
end

-- Then the writes. Deletes come before puts, so a batch may delete and re-create an id.
for _, removal in ipairs(h.deletes) do
  local id = removal[1]
  local membership = redis.call('HGET', h.memberships, id)
  if membership then
    local keys = split_lines(membership)
    for i = 2, #keys do redis.call('ZREM', keys[i], id) end
    redis.call('HDEL', h.memberships, id)
  end
  redis.call('ZREM', h.deadlines, id)
  for _, run_id in ipairs(redis.call('HKEYS', removal[4])) do
    if redis.call('HGET', h.runLocations, run_id) == id then redis.call('HDEL', h.runLocations, run_id) end
  end
  redis.call('DEL', removal[2], removal[3], removal[4], removal[5], removal[6])
end

for _, write in ipairs(h.sessions) do
  local id, record_key = write[1], write[2]
  -- KEEPTTL: a store without ttlSeconds never strips the expiry a store with it gave these keys.
  redis.call('SET', record_key, ARGV[write[3]], 'KEEPTTL')
  local wanted = {}
  local lines = {record_key}
  for _, entry in ipairs(write[4]) do
    wanted[entry[1]] = true
    lines[#lines + 1] = entry[1]
    redis.call('ZADD', entry[1], entry[2], id)
  end
  local previous = redis.call('HGET', h.memberships, id)
  if previous then
    local keys = split_lines(previous)
    for i = 2, #keys do
      if not wanted[keys[i]] then redis.call('ZREM', keys[i], id) end
    end
  end
  redis.call('HSET', h.memberships, id, table.concat(lines, '\n'))
end

for _, segment in ipairs(h.segments) do
  redis.call('SET', segment[2], ARGV[segment[3]])
  redis.call('RPUSH', segment[4], segment[1])
  if segment[5] ~= '' then redis.call('RPUSH', segment[5], segment[1]) end
end

for _, message in ipairs(h.messages) do
  redis.call('ZADD', message[2], message[3], ARGV[message[4]])
  redis.call('HSET', locations, message[1], message[5])
end

for _, operation in ipairs(h.operations) do
  redis.call('HSET', operation[1], operation[2], ARGV[operation[3]])
end

for _, run in ipairs(h.runs) do
  redis.call('HSET', run[3], run[1], ARGV[run[6]])
  redis.call('ZADD', run[4], run[5], run[1])
  redis.call('HSET', h.runLocations, run[1], run[2])
end

for _, event in ipairs(h.runEvents) do
  redis.call('ZREMRANGEBYLEX', event[1], event[2], event[3])
  redis.call('ZADD', event[1], 0, ARGV[event[4]])
end
` +
    CHECKPOINT_WRITES +
    String.raw`

if h.ttlMs ~= '' then
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  -- One absolute deadline for every key refreshed here: they can only expire together.
  local deadline = string.format('%.0f', now + tonumber(h.ttlMs))
  for _, session in ipairs(h.refresh) do
    for i = 2, #session do redis.call('PEXPIREAT', session[i], deadline) end
    -- The session's segments and every ancestor segment its paths reach (history shared with the
    -- session it was forked from), with their messages and their lists of continuations.
    local visited = {}
    for _, segment_id in ipairs(redis.call('LRANGE', session[4], 0, -1)) do
      local current = segment_id
      while valid_id(current) and not visited[current] do
        visited[current] = true
        local key = h.prefixes.segment .. current
        redis.call('PEXPIREAT', key, deadline)
        redis.call('PEXPIREAT', h.prefixes.segmentMessages .. current, deadline)
        redis.call('PEXPIREAT', h.prefixes.segmentChildren .. current, deadline)
        -- Checkpoints belong to the segment's messages, so they live exactly as long.
        redis.call('PEXPIREAT', h.prefixes.segmentCheckpoints .. current, deadline)
        local raw = redis.call('GET', key)
        current = raw and cjson.decode(raw).parentId or nil
      end
    end
    redis.call('ZADD', h.deadlines, deadline, session[1])
  end

  -- Garbage left by expiry, a bounded amount per commit: index entries of expired sessions...
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', h.deadlines, '-inf', now, 'LIMIT', 0, 16)) do
    if not forget_session(h.memberships, h.deadlines, id) then redis.call('ZREM', h.deadlines, id) end
  end
  -- ...and message and run locations whose segment or session is gone (a scan that cycles forever).
  local step = redis.call('HSCAN', locations, redis.call('GET', h.messageCursor) or '0', 'COUNT', 32)
  redis.call('SET', h.messageCursor, step[1])
  for i = 1, #step[2], 2 do
    if not location_alive(step[2][i + 1], h.prefixes.segment) then redis.call('HDEL', locations, step[2][i]) end
  end
  step = redis.call('HSCAN', h.runLocations, redis.call('GET', h.runCursor) or '0', 'COUNT', 32)
  redis.call('SET', h.runCursor, step[1])
  for i = 1, #step[2], 2 do
    local session_id = step[2][i + 1]
    if not valid_id(session_id) or redis.call('HEXISTS', h.prefixes.sessionRuns .. session_id, step[2][i]) == 0 then
      redis.call('HDEL', h.runLocations, step[2][i])
    end
  end
end
return {'ok'}
`,
);
