/**
 * The `index:live:*` sets (indexes.ts) for sessions written before they existed. The commit script
 * keeps them from then on; a session that already listed live runs (a run waiting for approval
 * across the upgrade) would be missing until its next write. So the first `hasLiveRuns: true`
 * listing of a driver catches them up once per key prefix: it walks every session by creation, in
 * pages, reads their records, and a script adds each one that lists live runs if its record is
 * still at the version read (else the commit that changed it indexed it), so it agrees with any
 * commit before or after it. A marker key then says it is done;
 * processes racing to do it do the same idempotent work.
 */
import { ID_PATTERN } from '../../common/ids.js';
import { hasLiveRuns } from '../../driver/query-match.js';
import { luaScript, asOptionalString, asStringArray, type RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import { decodeSession } from './records.js';
import { HELPERS } from './scripts.js';

const PAGE = 500;
const ORDER_FIELDS = ['createdAt', 'updatedAt', 'lastActiveAt'] as const;

/**
 * KEYS[1]: the memberships hash. ARGV[1..3]: the live index keys by createdAt, updatedAt,
 * lastActiveAt; ARGV[4]: the session key prefix; then, five per session: id, the version its record
 * was read at, its three scores. A record changed since it was read was indexed by that commit, and
 * a session without a membership line has no record the commit script wrote: both are left alone.
 */
const CATCH_UP_SCRIPT = luaScript(
  'live-index-catch-up',
  HELPERS +
    String.raw`
local memberships = KEYS[1]
local live = {ARGV[1], ARGV[2], ARGV[3]}
for i = 5, #ARGV, 5 do
  local id, version = ARGV[i], ARGV[i + 1]
  local stored = valid_id(id) and redis.call('GET', ARGV[4] .. id)
  local membership = stored and string.match(stored, '^(%d+)\n') == version and redis.call('HGET', memberships, id)
  if membership then
    local lines = split_lines(membership)
    local present = {}
    for _, key in ipairs(lines) do present[key] = true end
    for j, key in ipairs(live) do
      redis.call('ZADD', key, ARGV[i + 1 + j], id)
      if not present[key] then lines[#lines + 1] = key end
    end
    redis.call('HSET', memberships, id, table.concat(lines, '\n'))
  end
end
return 'ok'
`,
);

export async function catchUpLiveIndex(connection: RedisConnection, keys: RedisKeys): Promise<void> {
  if (asOptionalString(await connection.call('GET', keys.liveIndexBuilt)) !== undefined) return;
  const liveKeys = ORDER_FIELDS.map((field) => keys.indexLive(field));
  for (let start = 0; ; start += PAGE) {
    // By rank: a session created meanwhile was written by a commit that indexed it already.
    const ids = asStringArray(await connection.call('ZRANGE', keys.indexAll('createdAt'), start, start + PAGE - 1)).filter(
      (id): id is string => id !== undefined && ID_PATTERN.test(id),
    );
    const found = ids.length === 0 ? [] : await liveSessions(connection, keys, ids);
    if (found.length > 0) await connection.evaluate(CATCH_UP_SCRIPT, [keys.indexMemberships], [...liveKeys, keys.sessionKeyPrefix, ...found]);
    if (ids.length < PAGE) break;
  }
  await connection.call('SET', keys.liveIndexBuilt, '1');
}

/** The script's arguments for each of the sessions whose record lists live runs: id, version read, scores. */
async function liveSessions(connection: RedisConnection, keys: RedisKeys, ids: string[]): Promise<string[]> {
  const recordKeys = ids.map((id) => keys.session(id));
  const values = asStringArray(await connection.call('MGET', ...recordKeys));
  return ids.flatMap((id, index) => {
    const value = values[index];
    if (value === undefined) return [];
    const record = decodeSession(value, recordKeys[index]!);
    if (!hasLiveRuns(record)) return [];
    return [id, value.slice(0, value.indexOf('\n')), ...ORDER_FIELDS.map((field) => String(record[field]))];
  });
}
