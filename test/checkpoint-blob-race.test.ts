/**
 * A prune that collects a blob between "is this content stored?" and the commit of the checkpoint
 * that relies on it must not leave the checkpoint pointing at nothing: the checkpoint re-uploads
 * what went missing, and a later rewind restores the file.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDriver, SessionStore, type WriteBatch } from '../src/index.js';
import { snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

/** A memory driver that runs retention right before the first commit that writes a checkpoint. */
class CollectingBeforeCheckpointDriver extends MemoryDriver {
  armed = false;
  collectedBlobs = 0;
  override async commit(batch: WriteBatch): Promise<void> {
    if (this.armed && batch.checkpoints?.length) {
      this.armed = false;
      this.collectedBlobs += (await this.collectCheckpoints()).blobs;
    }
    return super.commit(batch);
  }
}

describe('checkpoint blobs and retention', () => {
  it('re-uploads a blob collected between the check and the commit, so the rewind still restores it', async () => {
    const driver = new CollectingBeforeCheckpointDriver();
    const store = SessionStore.fromDriver(driver);
    const shared = 'the same content in two workspaces';

    // Session A stores the content, then goes away: its blob is now referenced by nothing.
    const firstRoot = temporaryDirectory('race-a');
    directories.push(firstRoot);
    writeTree(firstRoot, { 'notes.txt': shared });
    const first = await store.create();
    await store.append(first.id, { role: 'user', content: 'a' });
    await store.checkpoint(first.id, { workspace: firstRoot });
    await store.delete(first.id);

    // Session B has the same content: the store says it has the blob, then retention collects it
    // just before B's checkpoint record is committed.
    const root = temporaryDirectory('race-b');
    directories.push(root);
    writeTree(root, { 'notes.txt': shared });
    const second = await store.create();
    const [start] = await store.append(second.id, { role: 'user', content: 'b' });
    driver.armed = true;
    await store.checkpoint(second.id, { workspace: root });
    expect(driver.collectedBlobs).toBe(1);

    const before = snapshotWorkspace(root);
    writeFileSync(join(root, 'notes.txt'), 'the agent rewrote this');
    await store.append(second.id, { role: 'assistant', content: 'rewrote notes' });
    await store.rewind(second.id, { toMessage: start!.id, rewindFiles: true, workspace: root, force: true });
    expect(snapshotWorkspace(root)).toEqual(before);
    await store.close();
  });
});
