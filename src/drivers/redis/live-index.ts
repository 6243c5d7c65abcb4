/**
 * The `index:live:*` sets (indexes.ts) for sessions written before they existed. The commit script
 * keeps them from then on; a session that already listed live runs (a run waiting for approval
 * across the upgrade) would be missing until its next write. So the first `hasLiveRuns: true`
 * listing of a driver catches them up once per key prefix: it walks every session by creation, in
 * pages, and a script adds each one whose stored record lists live runs, reading the record inside
 * the script, so it agrees with any commit before or after it. A marker key then says it is done;
 * processes racing to do it do the same idempotent work.
 */
import { luaScript, asOptionalString, asStringArray, type RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import { HELPERS } from './scripts.js';

const PAGE = 500;
const ORDER_FIELDS = ['createdAt', 'updatedAt', 'lastActiveAt'] as const;

/**
 * KEYS[1]: the memberships hash. ARGV[1..3]: the live index keys by createdAt, updatedAt,
 * lastActiveAt; ARGV[4]: the session key prefix; then session ids. A session without a membership
 * line has no record the commit script wrote, and is left alone.
 */
const CATCH_UP_SCRIPT = luaScript(
  'live-index-catch-up',
  HELPERS +
    String.raw`
local memberships = KEYS[1]
local live = {ARGV[1], ARGV[2], ARGV[3]}
local fields = {'createdAt', 'updatedAt', 'lastActiveAt'}
for i = 5, #ARGV do
  local id = ARGV[i]
  local stored = valid_id(id) and redis.call('GET', ARGV[4] .. id)
  local body = stored and string.match(stored, '^%d+\n(.*)$')
  local membership = body and redis.call('HGET', memberships, id)
  if membership then
    local record = cjson.decode(body)
    if type(record.liveRuns) == 'table' and #record.liveRuns > 0 then
      local lines = split_lines(membership)
      local present = {}
      for _, key in ipairs(lines) do present[key] = true end
      for j, key in ipairs(live) do
        -- %.17g writes the double exactly, as the commit script's scores (JavaScript's String) do.
        redis.call('ZADD', key, string.format('%.17g', record[fields[j]]), id)
        if not present[key] then lines[#lines + 1] = key end
      end
      redis.call('HSET', memberships, id, table.concat(lines, '\n'))
    end
  end
end
return #ARGV - 4
`,
);

export async function catchUpLiveIndex(connection: RedisConnection, keys: RedisKeys): Promise<void> {
  if (asOptionalString(await connection.call('GET', keys.liveIndexBuilt)) !== undefined) return;
  const liveKeys = ORDER_FIELDS.map((field) => keys.indexLive(field));
  for (let start = 0; ; start += PAGE) {
    // By rank: a session created meanwhile was written by a commit that indexed it already.
    const ids = asStringArray(await connection.call('ZRANGE', keys.indexAll('createdAt'), start, start + PAGE - 1)).filter(
      (id): id is string => id !== undefined,
    );
    if (ids.length > 0) await connection.evaluate(CATCH_UP_SCRIPT, [keys.indexMemberships], [...liveKeys, keys.sessionKeyPrefix, ...ids]);
    if (ids.length < PAGE) break;
  }
  await connection.call('SET', keys.liveIndexBuilt, '1');
}
