/**
 * The `CheckpointStorage` capability on the memory, SQLite, file and PostgreSQL drivers, below the core: blobs
 * deduplicated by hash, checkpoints replaced by message id, both written in the same atomic batch
 * as session changes, and collected once their message is gone. Plus the SQLite migration to
 * schema version 3 on a database written by the previous version.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { CheckpointCapableDriver, CheckpointRecord, SessionRecord } from '../src/driver/driver.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { RedisDriver } from '../src/drivers/redis/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { migrate, migrations } from '../src/drivers/sqlite/migrations.js';
import { sessionParameters } from '../src/drivers/sqlite/rows.js';
import { MemoryDriver, WriteConflict } from '../src/index.js';
import { PostgresPrefixes } from './fixtures/postgres-tables.js';
import { temporaryDirectory } from './fixtures/workspace.js';

const directory = temporaryDirectory('checkpoint-storage');
const postgresUrl = inject('postgresUrl');
const redisUrl = inject('redisUrl');
const postgresPrefixes = new PostgresPrefixes('checkpoint_storage');
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (postgresUrl !== undefined) await postgresPrefixes.dropAll(postgresUrl);
});

const randomName = () => Math.random().toString(36).slice(2);
const drivers: Array<{ name: string; open: () => CheckpointCapableDriver | Promise<CheckpointCapableDriver> }> = [
  { name: 'memory', open: () => new MemoryDriver() },
  { name: 'sqlite', open: () => new SqliteDriver({ path: join(directory, `${randomName()}.db`) }) },
  { name: 'file', open: () => new FileDriver({ directory: join(directory, randomName()) }) },
  // Skipped only where no PostgreSQL server is installed (CI fails the run instead, in test/global-setup.ts).
  ...(postgresUrl === undefined
    ? []
    : [{ name: 'postgres', open: () => PostgresDriver.connect({ connectionString: postgresUrl, tablePrefix: postgresPrefixes.next() }) }]),
  // Skipped only where no Redis server is installed; each driver gets keys of its own.
  ...(redisUrl === undefined ? [] : [{ name: 'redis', open: () => RedisDriver.connect({ url: redisUrl, keyPrefix: `checkpoint-storage-${randomUUID()}:` }) }]),
];

const bytesOf = (text: string) => new TextEncoder().encode(text);
const hashOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function session(id: string, version: number): SessionRecord {
  return {
    id,
    state: 'active',
    metadata: {},
    tags: [],
    attachedSurfaces: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    messageCount: 1,
    version,
    createdAt: 1,
    updatedAt: 1,
    lastActiveAt: 1,
    ttlMs: 3_600_000,
    headSegmentId: `${id}-segment`,
    suspendAt: 10,
    expiresAt: 20,
  };
}

function checkpoint(messageId: string, sessionId: string, blobHashes: string[], createdAt = 1): CheckpointRecord {
  return { messageId, sessionId, createdAt, manifest: JSON.stringify({ for: messageId, blobHashes }), blobHashes };
}

describe.each(drivers)('checkpoint storage on $name', ({ open }) => {
  it('stores a blob once per hash, answers which are missing, and returns the bytes exactly', async () => {
    const driver = await open();
    const binary = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
    const text = bytesOf('hello');
    await driver.commit({ blobs: [{ hash: hashOf(binary), bytes: binary }, { hash: hashOf(text), bytes: text }] });
    // The same hash again with other bytes is left as it is (same hash, same bytes by contract).
    await driver.commit({ blobs: [{ hash: hashOf(text), bytes: bytesOf('other') }] });
    expect(await driver.getBlob(hashOf(binary))).toEqual(binary);
    expect(Buffer.from((await driver.getBlob(hashOf(text)))!).toString()).toBe('hello');
    expect(await driver.getBlob('0'.repeat(64))).toBeUndefined();
    const absent = hashOf(bytesOf('absent'));
    expect(await driver.missingBlobs([hashOf(text), absent, absent, hashOf(binary)])).toEqual([absent]);
    expect(await driver.missingBlobs([])).toEqual([]);
    await driver.close();
  });

  it('puts checkpoints by message id (replacing), lists a session\'s oldest first', async () => {
    const driver = await open();
    await driver.commit({ checkpoints: [checkpoint('m2', 's1', ['b'], 20), checkpoint('m1', 's1', ['a'], 10), checkpoint('m3', 's2', [], 5)] });
    await driver.commit({ checkpoints: [{ ...checkpoint('m2', 's1', ['b'], 20), manifest: 'replaced' }] });
    expect((await driver.getCheckpoint('m2'))?.manifest).toBe('replaced');
    expect(await driver.getCheckpoint('m1')).toEqual(checkpoint('m1', 's1', ['a'], 10));
    expect(await driver.getCheckpoint('nope')).toBeUndefined();
    expect((await driver.listCheckpoints('s1')).map((record) => record.messageId)).toEqual(['m1', 'm2']);
    expect(await driver.listCheckpoints('nobody')).toEqual([]);
    await driver.close();
  });

  it('writes blobs and checkpoints in the same all-or-nothing batch as the session change', async () => {
    const driver = await open();
    await driver.commit({ sessions: [{ record: session('s1', 1), expectedVersion: 0 }] });
    const content = bytesOf('turn content');
    const stale = driver.commit({
      sessions: [{ record: session('s1', 3), expectedVersion: 2 }],
      blobs: [{ hash: hashOf(content), bytes: content }],
      checkpoints: [checkpoint('m1', 's1', [hashOf(content)])],
    });
    await expect(stale).rejects.toSatisfy((error: unknown) => WriteConflict.is(error));
    expect(await driver.getCheckpoint('m1')).toBeUndefined();
    expect(await driver.missingBlobs([hashOf(content)])).toEqual([hashOf(content)]);
    await driver.close();
  });

  it('collects checkpoints whose message is gone, then blobs no checkpoint uses', async () => {
    const driver = await open();
    const [shared, onlyOld, orphan] = ['shared', 'only-old', 'orphan'].map(bytesOf) as [Uint8Array, Uint8Array, Uint8Array];
    await driver.commit({
      sessions: [{ record: session('s1', 1), expectedVersion: 0 }],
      segments: [{ id: 'seg', sessionId: 's1', baseSeq: 0, createdAt: 1 }],
      messages: [
        { id: 'keep', segmentId: 'seg', seq: 1, createdAt: 1, body: '{}' },
        { id: 'drop', segmentId: 'seg', seq: 2, createdAt: 1, body: '{}' },
      ],
      blobs: [shared, onlyOld, orphan].map((bytes) => ({ hash: hashOf(bytes), bytes })),
      checkpoints: [checkpoint('keep', 's1', [hashOf(shared)]), checkpoint('drop', 's1', [hashOf(shared), hashOf(onlyOld)])],
    });
    expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 0, blobs: 1 });
    expect(await driver.getBlob(hashOf(orphan))).toBeUndefined();
    await driver.deleteMessagesAfter('seg', 1);
    expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 1, blobs: 1 });
    expect(await driver.getCheckpoint('drop')).toBeUndefined();
    expect(await driver.getCheckpoint('keep')).toBeDefined();
    expect(await driver.getBlob(hashOf(shared))).toEqual(shared);
    expect(await driver.getBlob(hashOf(onlyOld))).toBeUndefined();
    expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 0, blobs: 0 });
    await driver.close();
  });
});

describe('SQLite schema version 3', () => {
  it('upgrades a version 2 database in place, keeping its sessions', async () => {
    const path = join(directory, 'version-2.db');
    const raw = new Database(path);
    migrate(raw, { migrations: migrations.filter((migration) => migration.version <= 2) });
    // A session written by the previous version, with the row layout it used.
    const { expectedVersion: _expectedVersion, ...row } = sessionParameters(session('old', 1), 0);
    raw
      .prepare(
        `INSERT INTO sessions (id, user_id, agent_id, workspace_id, parent_id, state, created_at, updated_at, last_active_at, suspend_at, expires_at, version, metadata, tags, surfaces, record)
         VALUES (@id, @userId, @agentId, @workspaceId, @parentId, @state, @createdAt, @updatedAt, @lastActiveAt, @suspendAt, @expiresAt, @version, @metadata, @tags, @surfaces, @record)`,
      )
      .run(row);
    raw.close();
    await new SqliteDriver({ path }).close();
    const check = new Database(path);
    // Upgraded through every migration (3 added checkpoints; later ones, e.g. search, follow it).
    expect(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: Math.max(...migrations.map((migration) => migration.version)) });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('blobs', 'checkpoints') ORDER BY name").all()).toEqual([
      { name: 'blobs' },
      { name: 'checkpoints' },
    ]);
    check.close();
    const after = new SqliteDriver({ path });
    expect((await after.getSession('old'))?.id).toBe('old');
    await after.close();
  });
});
