/**
 * File checkpoints in the file store. Blobs are files `blobs/<xx>/<hash>` holding the bytes and
 * nothing else, written once and never changed (same hash, same bytes). A checkpoint is a record
 * file `checkpoints/<message id>.json`, replaced whole and atomically like a session, carrying the
 * id of the commit that wrote it (the journal's commit point may be that file). `index/checkpoints.jsonl`
 * lists which checkpoints each session wrote, for `listCheckpoints`.
 *
 * Blob names come only from hashes checked against `BLOB_HASH_PATTERN` (layout.ts), and blob files
 * are opened without following symlinks.
 */
import { lstatSync } from 'node:fs';
import type { CheckpointRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { FileCorruptionError, parseObjectLine } from './corruption.js';
import { readBytesIfPresent, readTextIfPresent } from './durable-write.js';
import { IndexLog } from './index-log.js';
import type { StoreLayout } from './layout.js';

const FORMAT = 1;

export function formatCheckpointFile(checkpoint: CheckpointRecord, commitId: string): string {
  const { messageId, sessionId, createdAt, manifest, blobHashes } = checkpoint;
  return `${JSON.stringify({ format: FORMAT, commitId, checkpoint: { messageId, sessionId, createdAt, manifest, blobHashes } })}\n`;
}

export function formatCheckpointIndexLine(checkpoint: CheckpointRecord): string {
  return `${JSON.stringify({ m: checkpoint.messageId, s: checkpoint.sessionId })}\n`;
}

export class CheckpointFiles {
  private readonly bySession = new Map<string, string[]>();
  private readonly index: IndexLog<{ messageId: string; sessionId: string }>;

  constructor(
    private readonly layout: StoreLayout,
    warn: (message: string) => void,
  ) {
    this.index = new IndexLog(
      layout.checkpointIndexFile,
      {
        parse: ({ m, s }) =>
          typeof m === 'string' && typeof s === 'string' && ID_PATTERN.test(m) && ID_PATTERN.test(s) ? { messageId: m, sessionId: s } : undefined,
        apply: ({ messageId, sessionId }) => {
          const messageIds = this.bySession.get(sessionId);
          if (!messageIds) this.bySession.set(sessionId, [messageId]);
          else if (!messageIds.includes(messageId)) messageIds.push(messageId);
        },
        reset: () => this.bySession.clear(),
      },
      warn,
    );
  }

  /** The checkpoint record, or undefined; throws `FileCorruptionError` for a file that is not one. */
  async read(messageId: string): Promise<CheckpointRecord | undefined> {
    const path = this.layout.checkpointFile(messageId);
    const text = readTextIfPresent(path);
    if (text === undefined) return undefined;
    const content = text.endsWith('\n') ? parseObjectLine(text.slice(0, -1), path, 1) : undefined;
    const checkpoint = content?.checkpoint as CheckpointRecord | undefined;
    const valid =
      content?.format === FORMAT &&
      typeof checkpoint === 'object' &&
      checkpoint !== null &&
      checkpoint.messageId === messageId &&
      typeof checkpoint.sessionId === 'string' &&
      typeof checkpoint.createdAt === 'number' &&
      typeof checkpoint.manifest === 'string' &&
      Array.isArray(checkpoint.blobHashes) &&
      checkpoint.blobHashes.every((hash) => typeof hash === 'string');
    if (!valid) throw new FileCorruptionError({ file: path, line: 1, reason: 'not a checkpoint record of this store' });
    return checkpoint;
  }

  /** Message ids of the checkpoints recorded for the session (some may since be collected or rewritten by another). */
  async messageIds(sessionId: string): Promise<string[]> {
    await this.index.refresh();
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** True when the blob is stored. Published blobs are complete: they are renamed into place only once written. */
  hasBlob(hash: string): boolean {
    const stats = lstatSync(this.layout.blobFile(hash), { throwIfNoEntry: false });
    return stats?.isFile() === true;
  }

  /** The blob's bytes, or undefined. */
  readBlob(hash: string): Uint8Array | undefined {
    const bytes = readBytesIfPresent(this.layout.blobFile(hash));
    return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
}
