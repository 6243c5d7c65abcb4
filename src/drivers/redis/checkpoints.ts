/**
 * Reading and collecting file checkpoints and blobs on Redis (the writes are part of the commit
 * script). Collection walks the checkpoint index and the blob references a page at a time, each
 * page one atomic script, so no single step holds the server for the whole store.
 */
import type { CheckpointRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import {
  COLLECT_BLOBS_SCRIPT,
  COLLECT_CHECKPOINTS_SCRIPT,
  MISSING_BLOBS_SCRIPT,
  READ_CHECKPOINTS_SCRIPT,
} from './checkpoint-scripts.js';
import { asInteger, asOptionalString, asStringArray, type RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';

/** How many ids one script call handles: bounds both the ARGV size and the time a call holds the server. */
const PAGE_SIZE = 256;

export async function getBlob(connection: RedisConnection, keys: RedisKeys, hash: string): Promise<Uint8Array | undefined> {
  if (!ID_PATTERN.test(hash)) return undefined;
  const reply = await connection.callBuffer('GET', keys.blob(hash));
  if (reply === null || reply === undefined) return undefined;
  if (!Buffer.isBuffer(reply)) throw new Error(`RedisDriver: expected a binary reply for blob ${hash}, got ${typeof reply}.`);
  return Uint8Array.from(reply);
}

export async function missingBlobs(connection: RedisConnection, keys: RedisKeys, hashes: string[]): Promise<string[]> {
  const unique = [...new Set(hashes)];
  const missing: string[] = [];
  for (const page of pages(unique)) {
    const reply = await connection.evaluate(MISSING_BLOBS_SCRIPT, [keys.blobReferences], [keys.scriptPrefixes.blob, ...page]);
    missing.push(...asStringArray(reply).filter((hash): hash is string => hash !== undefined));
  }
  return missing;
}

export async function getCheckpoint(connection: RedisConnection, keys: RedisKeys, messageId: string): Promise<CheckpointRecord | undefined> {
  if (!ID_PATTERN.test(messageId)) return undefined;
  const [record] = await readCheckpoints(connection, keys, [messageId]);
  return record;
}

export async function listCheckpoints(connection: RedisConnection, keys: RedisKeys, sessionId: string): Promise<CheckpointRecord[]> {
  if (!ID_PATTERN.test(sessionId)) return [];
  // Scored by createdAt; equal scores come in id order, as the other drivers sort.
  const ids = asStringArray(await connection.call('ZRANGE', keys.sessionCheckpoints(sessionId), 0, -1)).filter(
    (id): id is string => id !== undefined,
  );
  const records: CheckpointRecord[] = [];
  for (const page of pages(ids)) {
    for (const record of await readCheckpoints(connection, keys, page)) {
      // An entry may outlive its record (expired with its segment) or name a checkpoint another session replaced.
      if (record !== undefined && record.sessionId === sessionId) records.push(record);
    }
  }
  return records;
}

export async function collectCheckpoints(connection: RedisConnection, keys: RedisKeys): Promise<{ checkpoints: number; blobs: number }> {
  const prefixes = keys.scriptPrefixes;
  let checkpoints = 0;
  for await (const page of scanFields(connection, keys.checkpointIndex)) {
    const reply = await connection.evaluate(
      COLLECT_CHECKPOINTS_SCRIPT,
      [keys.checkpointIndex, keys.unplacedCheckpoints, keys.blobReferences, keys.messageLocations],
      [prefixes.segment, prefixes.segmentCheckpoints, prefixes.sessionCheckpoints, ...page],
    );
    checkpoints += asInteger(reply);
  }
  // Only after every dead checkpoint released its blobs: a blob is deleted once its count is zero.
  let blobs = 0;
  for await (const page of scanFields(connection, keys.blobReferences)) {
    blobs += asInteger(await connection.evaluate(COLLECT_BLOBS_SCRIPT, [keys.blobReferences], [prefixes.blob, ...page]));
  }
  return { checkpoints, blobs };
}

async function readCheckpoints(connection: RedisConnection, keys: RedisKeys, messageIds: string[]): Promise<Array<CheckpointRecord | undefined>> {
  const reply = await connection.evaluate(
    READ_CHECKPOINTS_SCRIPT,
    [keys.checkpointIndex, keys.unplacedCheckpoints],
    [keys.scriptPrefixes.segmentCheckpoints, ...messageIds],
  );
  return asStringArray(reply).map((value, index) => (value === undefined ? undefined : decodeCheckpoint(value, messageIds[index] as string)));
}

function decodeCheckpoint(value: string, messageId: string): CheckpointRecord {
  try {
    return JSON.parse(value) as CheckpointRecord;
  } catch (error) {
    throw new Error(`RedisDriver: the checkpoint of message "${messageId}" is not valid JSON; it was changed outside sessionloom.`, { cause: error });
  }
}

/** The fields of a hash, a page at a time (HSCAN tolerates deletions between pages and may repeat a field, which the scripts allow). */
async function* scanFields(connection: RedisConnection, key: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const reply = await connection.call('HSCAN', key, cursor, 'COUNT', PAGE_SIZE);
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error('RedisDriver: unexpected HSCAN reply.');
    cursor = asOptionalString(reply[0]) ?? '0';
    const flat = asStringArray(reply[1]);
    const fields = flat.filter((_, index) => index % 2 === 0).filter((field): field is string => field !== undefined);
    if (fields.length > 0) yield fields;
  } while (cursor !== '0');
}

function pages<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += PAGE_SIZE) result.push(items.slice(start, start + PAGE_SIZE));
  return result;
}
