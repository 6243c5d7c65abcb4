/**
 * The Lua for file checkpoints and blobs (layout and expiry: see driver.ts and keys.ts). The commit
 * script includes CHECKPOINT_WRITES, so blobs and checkpoints are written in the same atomic step as
 * the rest of a batch; the other scripts read and collect. Inputs travel as KEYS and ARGV only.
 */
import { luaScript } from './connection.js';
import { HELPERS } from './scripts.js';

/**
 * Checkpoint helpers. An index entry is `<segmentId or empty>\n<sessionId>\n<hashes>`: enough to
 * find the record, the session's list and the blobs to release without decoding the record's JSON.
 */
export const CHECKPOINT_HELPERS = String.raw`
local function parse_checkpoint_entry(entry)
  return string.match(entry, '^([^\n]*)\n([^\n]*)\n(.*)$')
end

-- A checkpoint is kept with its message's segment (same deadline); without one, in the unplaced hash.
local function checkpoint_home(segment_id, segment_checkpoints_prefix, unplaced)
  if valid_id(segment_id) then return segment_checkpoints_prefix .. segment_id end
  return unplaced
end

local function count_references(references, hashes, step)
  for hash in string.gmatch(hashes, '%S+') do redis.call('HINCRBY', references, hash, step) end
end

-- Gives 'to' the deadline of 'from' (nothing when 'from' has none): keys written later than the
-- commit that set a deadline still expire with the keys they belong to.
local function copy_expiry(from, to)
  local remaining = redis.call('PTTL', from)
  if remaining > 0 then redis.call('PEXPIRE', to, remaining) end
end

-- Removes a checkpoint's record, index entry and list entry, and releases its blobs.
local function drop_checkpoint(index, unplaced, references, prefixes, id)
  local entry = redis.call('HGET', index, id)
  if not entry then return false end
  local segment_id, session_id, hashes = parse_checkpoint_entry(entry)
  redis.call('HDEL', checkpoint_home(segment_id, prefixes.segmentCheckpoints, unplaced), id)
  if valid_id(session_id) then redis.call('ZREM', prefixes.sessionCheckpoints .. session_id, id) end
  count_references(references, hashes or '', -1)
  redis.call('HDEL', index, id)
  return true
end
`;

/**
 * The commit's blob and checkpoint writes, run after every condition of the batch held. Uses the
 * commit's header `h`, its `locations` and ARGV. Rows: h.blobs {hash, key, value index};
 * h.checkpoints {messageId, sessionId, segment id from the batch or '', hashes, value index,
 * session list key, createdAt, session record key}.
 */
export const CHECKPOINT_WRITES = String.raw`
local checkpoint_prefixes = {segmentCheckpoints = h.prefixes.segmentCheckpoints, sessionCheckpoints = h.prefixes.sessionCheckpoints}
for _, blob in ipairs(h.blobs) do
  -- NX: a stored hash keeps its bytes (same hash, same content). HINCRBY 0 registers the blob for collection.
  redis.call('SET', blob[2], ARGV[blob[3]], 'NX')
  redis.call('HINCRBY', h.blobReferences, blob[1], 0)
end
for _, point in ipairs(h.checkpoints) do
  local id, segment_id = point[1], point[3]
  if segment_id == '' then
    local location = redis.call('HGET', locations, id)
    if location and location_alive(location, h.prefixes.segment) then segment_id = string.match(location, '^([^\n]+)\n') end
  end
  drop_checkpoint(h.checkpointIndex, h.unplacedCheckpoints, h.blobReferences, checkpoint_prefixes, id)
  local home = checkpoint_home(segment_id, h.prefixes.segmentCheckpoints, h.unplacedCheckpoints)
  redis.call('HSET', home, id, ARGV[point[5]])
  if home ~= h.unplacedCheckpoints then copy_expiry(h.prefixes.segment .. segment_id, home) end
  redis.call('HSET', h.checkpointIndex, id, segment_id .. '\n' .. point[2] .. '\n' .. point[4])
  count_references(h.blobReferences, point[4], 1)
  redis.call('ZADD', point[6], point[7], id)
  copy_expiry(point[8], point[6])
end
`;

/** KEYS: checkpoint index, unplaced checkpoints. ARGV: segment checkpoints prefix, then message ids. One record (or nil) per id. */
export const READ_CHECKPOINTS_SCRIPT = luaScript(
  'read-checkpoints',
  HELPERS +
    CHECKPOINT_HELPERS +
    String.raw`
local records = {}
for i = 2, #ARGV do
  local entry = redis.call('HGET', KEYS[1], ARGV[i])
  local record = false
  if entry then
    local segment_id = parse_checkpoint_entry(entry)
    record = redis.call('HGET', checkpoint_home(segment_id, ARGV[1], KEYS[2]), ARGV[i])
  end
  records[#records + 1] = record
end
return records
`,
);

/** KEYS[1]: blob references (routes the script to the store's node). ARGV: blob key prefix, then hashes. Returns the hashes not stored. */
export const MISSING_BLOBS_SCRIPT = luaScript(
  'missing-blobs',
  HELPERS +
    String.raw`
local missing = {}
for i = 2, #ARGV do
  if not valid_id(ARGV[i]) or redis.call('EXISTS', ARGV[1] .. ARGV[i]) == 0 then missing[#missing + 1] = ARGV[i] end
end
return missing
`,
);

/**
 * Drops the given checkpoints whose message is gone (deleted, or expired with its segment).
 * KEYS: checkpoint index, unplaced checkpoints, blob references, message locations.
 * ARGV: segment key prefix, segment checkpoints prefix, session checkpoints prefix, then message ids.
 */
export const COLLECT_CHECKPOINTS_SCRIPT = luaScript(
  'collect-checkpoints',
  HELPERS +
    CHECKPOINT_HELPERS +
    String.raw`
local prefixes = {segmentCheckpoints = ARGV[2], sessionCheckpoints = ARGV[3]}
local removed = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    local segment_id = parse_checkpoint_entry(entry)
    local location = redis.call('HGET', KEYS[4], id)
    local alive = location and location_alive(location, ARGV[1])
      and redis.call('HEXISTS', checkpoint_home(segment_id, ARGV[2], KEYS[2]), id) == 1
    if not alive then
      drop_checkpoint(KEYS[1], KEYS[2], KEYS[3], prefixes, id)
      removed = removed + 1
    end
  end
end
return removed
`,
);

/** Deletes the given blobs if no checkpoint uses them. KEYS[1]: blob references. ARGV: blob key prefix, then hashes. Returns how many blobs went. */
export const COLLECT_BLOBS_SCRIPT = luaScript(
  'collect-blobs',
  HELPERS +
    String.raw`
local removed = 0
for i = 2, #ARGV do
  local count = redis.call('HGET', KEYS[1], ARGV[i])
  if count and tonumber(count) <= 0 then
    if valid_id(ARGV[i]) then removed = removed + redis.call('DEL', ARGV[1] .. ARGV[i]) end
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return removed
`,
);
