/**
 * Checkpoint storage details of the file and PostgreSQL drivers that the shared tests cannot see:
 * where the file store puts blobs and checkpoints, that it builds no path from a hash that is not
 * one, that a commit interrupted by a crash leaves no checkpoint without its blobs (rolled back
 * before its commit point, finished after it), and the PostgreSQL upgrade to schema version 3.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { CheckpointRecord } from '../src/driver/driver.js';
import { formatCheckpointFile } from '../src/drivers/file/checkpoint-files.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { StoreLayout } from '../src/drivers/file/layout.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { migrate, migrations } from '../src/drivers/postgres/migrations.js';
import { InvalidArgumentError } from '../src/index.js';
import { PostgresPrefixes } from './fixtures/postgres-tables.js';

const parent = mkdtempSync(join(tmpdir(), 'sessionloom-checkpoint-drivers-'));
const postgresUrl = inject('postgresUrl');
const postgresPrefixes = new PostgresPrefixes('checkpoint_drivers');
afterAll(async () => {
  rmSync(parent, { recursive: true, force: true });
  if (postgresUrl !== undefined) await postgresPrefixes.dropAll(postgresUrl);
});

const bytesOf = (text: string) => new TextEncoder().encode(text);
const hashOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
let storeCount = 0;

function openFileStore(warnings: string[] = []): { driver: FileDriver; layout: StoreLayout; directory: string } {
  storeCount += 1;
  const directory = join(parent, `store-${storeCount}`);
  const driver = new FileDriver({ directory, onWarning: (message) => warnings.push(message) });
  return { driver, layout: new StoreLayout(directory), directory };
}

function checkpoint(messageId: string, blobHashes: string[]): CheckpointRecord {
  return { messageId, sessionId: 'session-1', createdAt: 5, manifest: '{"files":[]}', blobHashes };
}

/** Every file under `directory`, relative to it. */
function filesUnder(directory: string): string[] {
  return (readdirSync(directory, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

describe('file store checkpoints on disk', () => {
  it('keeps blobs as blobs/<first two hex>/<hash>, written once, and checkpoints as one file per message', async () => {
    const { driver, layout, directory } = openFileStore();
    const content = bytesOf('file content');
    const hash = hashOf(content);
    await driver.commit({ blobs: [{ hash, bytes: content }, { hash, bytes: content }], checkpoints: [checkpoint('Message-1', [hash])] });
    expect(readFileSync(join(directory, 'blobs', hash.slice(0, 2), hash))).toEqual(Buffer.from(content));
    expect(existsSync(layout.checkpointFile('Message-1'))).toBe(true);
    expect(filesUnder(join(directory, 'blobs'))).toEqual([join(hash.slice(0, 2), hash)]);
    expect(readFileSync(layout.journalFile, 'utf8')).toBe('');
    const written = statSync(layout.blobFile(hash)).ino;
    await driver.commit({ blobs: [{ hash, bytes: content }], checkpoints: [checkpoint('Message-2', [hash])] });
    expect(statSync(layout.blobFile(hash)).ino).toBe(written);
    expect((await driver.listCheckpoints('session-1')).map((record) => record.messageId)).toEqual(['Message-1', 'Message-2']);
    // A second driver on the directory finds them through the index.
    const other = new FileDriver({ directory });
    expect(await other.getCheckpoint('Message-2')).toEqual(checkpoint('Message-2', [hash]));
    expect(await other.getBlob(hash)).toEqual(content);
  });

  it('builds no path from a hash that is not a lower-case hex SHA-256, and writes nothing for a batch holding one', async () => {
    const { driver, directory } = openFileStore();
    const hostile = ['../../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, '', 'a'.repeat(65)];
    for (const hash of hostile) {
      await expect(driver.getBlob(hash)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(driver.missingBlobs([hash])).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(driver.commit({ blobs: [{ hash, bytes: bytesOf('x') }], checkpoints: [checkpoint('message-1', [])] })).rejects.toSatisfy(
        InvalidArgumentError.isInstance,
      );
    }
    await expect(driver.getCheckpoint('../escape')).rejects.toSatisfy(InvalidArgumentError.isInstance);
    expect(filesUnder(join(directory, 'blobs'))).toEqual([]);
    expect(filesUnder(join(directory, 'checkpoints'))).toEqual([]);
  });

  it('rolls back a commit interrupted before its commit point: neither the staged blob nor the checkpoint remains', async () => {
    const warnings: string[] = [];
    const { driver, layout, directory } = openFileStore(warnings);
    const content = bytesOf('staged, never committed');
    const hash = hashOf(content);
    const staged = join(directory, 'blobs', hash.slice(0, 2), '.tmp-interrupted');
    mkdirSync(join(directory, 'blobs', hash.slice(0, 2)), { recursive: true });
    writeFileSync(staged, content);
    const checkpointPath = relative(directory, layout.checkpointFile('message-1'));
    writeFileSync(
      layout.journalFile,
      `P\n${JSON.stringify({
        commitId: 'interrupted',
        appended: [],
        created: [],
        puts: [{ path: checkpointPath, content: formatCheckpointFile(checkpoint('message-1', [hash]), 'interrupted') }],
        removals: [],
        blobs: [{ staged: relative(directory, staged), path: relative(directory, layout.blobFile(hash)) }],
        commitPoint: { kind: 'flip' },
      })}\n`,
    );
    expect(await driver.missingBlobs([hash])).toEqual([hash]);
    await driver.collectCheckpoints(); // recovers first, like every commit
    expect(existsSync(staged)).toBe(false);
    expect(await driver.getBlob(hash)).toBeUndefined();
    expect(await driver.getCheckpoint('message-1')).toBeUndefined();
    expect(warnings.some((warning) => warning.includes('rolled back commit interrupted'))).toBe(true);
  });

  it('finishes a commit interrupted after its commit point: the staged blob is renamed into place, then the checkpoint published', async () => {
    const warnings: string[] = [];
    const { driver, layout, directory } = openFileStore(warnings);
    const content = bytesOf('staged and committed');
    const hash = hashOf(content);
    const staged = join(directory, 'blobs', hash.slice(0, 2), '.tmp-committed');
    mkdirSync(join(directory, 'blobs', hash.slice(0, 2)), { recursive: true });
    writeFileSync(staged, content);
    writeFileSync(
      layout.journalFile,
      `C\n${JSON.stringify({
        commitId: 'committed',
        appended: [],
        created: [],
        puts: [{ path: relative(directory, layout.checkpointFile('message-1')), content: formatCheckpointFile(checkpoint('message-1', [hash]), 'committed') }],
        removals: [],
        blobs: [{ staged: relative(directory, staged), path: relative(directory, layout.blobFile(hash)) }],
        commitPoint: { kind: 'flip' },
      })}\n`,
    );
    await driver.commit({ checkpoints: [checkpoint('message-2', [])] });
    expect(existsSync(staged)).toBe(false);
    expect(await driver.getBlob(hash)).toEqual(content);
    expect(await driver.getCheckpoint('message-1')).toEqual(checkpoint('message-1', [hash]));
    expect(warnings.some((warning) => warning.includes('finished commit committed'))).toBe(true);
  });

  it('neither writes nor collects through a shard directory that is a symlink out of the store', async () => {
    const { driver, directory } = openFileStore();
    const outside = mkdtempSync(join(parent, 'outside-'));
    const content = bytesOf('would escape');
    const hash = hashOf(content);
    // Named like a blob of that shard, so only the symlink check keeps collection away from it.
    const victimName = `${hash.slice(0, 2)}${'0'.repeat(62)}`;
    const victim = join(outside, victimName);
    writeFileSync(victim, 'victim');
    symlinkSync(outside, join(directory, 'blobs', hash.slice(0, 2)));
    await expect(driver.commit({ blobs: [{ hash, bytes: content }] })).rejects.toThrow(/not a directory/);
    expect(readdirSync(outside)).toEqual([victimName]);
    await driver.collectCheckpoints();
    expect(existsSync(victim)).toBe(true);
  });
});

if (postgresUrl === undefined) {
  describe.skip('PostgreSQL schema version 3 (SKIPPED: no PostgreSQL server; apt-get install -y postgresql, or set SESSIONLOOM_TEST_POSTGRES_URL)', () => {
    it('needs a PostgreSQL server', () => {});
  });
} else {
  describe('PostgreSQL schema version 3', () => {
    it('upgrades tables made by version 2 in place, keeping their rows, and stores checkpoints after', async () => {
      const tablePrefix = postgresPrefixes.next();
      const names = tableNames('public', tablePrefix);
      const pool = new pg.Pool({ connectionString: postgresUrl });
      try {
        await migrate(pool, names, { migrations: migrations.filter((migration) => migration.version <= 2) });
        await pool.query(`INSERT INTO ${names.segments} (id, session_id, base_seq, created_at) VALUES ($1, $2, 0, 1)`, ['segment-1', 'session-1']);
        const driver = await PostgresDriver.connect({ connectionString: postgresUrl, tablePrefix });
        const versions = await pool.query(`SELECT version FROM ${names.migrations} ORDER BY version`);
        // Every later migration runs too (3 added checkpoints; later ones, e.g. search, follow it).
        expect(versions.rows.map((row: { version: number }) => row.version)).toEqual(migrations.map((migration) => migration.version));
        expect((await driver.getSegment('segment-1'))?.sessionId).toBe('session-1');
        const content = Uint8Array.from({ length: 300 }, (_, index) => (index * 7) % 256);
        await driver.commit({ blobs: [{ hash: hashOf(content), bytes: content }], checkpoints: [checkpoint('message-1', [hashOf(content)])] });
        expect(await driver.getBlob(hashOf(content))).toEqual(content);
        expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 1, blobs: 1 });
        await driver.close();
      } finally {
        await pool.end();
      }
    });
  });
}
