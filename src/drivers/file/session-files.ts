/**
 * Session records: one small JSON file per session, `sessions/<id>.json`, always replaced whole
 * and atomically (see DurableWriter.replace), so a reader sees one version or the next. The file
 * carries the id of the commit that wrote it, which is how recovery tells whether an interrupted
 * commit reached its commit point.
 *
 * `read` always reads the file: the version in it is the compare-and-set token, and a cached copy
 * validated by timestamps could be stale on a file system with coarse timestamps. `list` reads
 * every session file, but re-parses only those whose inode, size or mtime changed since the last
 * listing (a replace always makes a new inode), so listing 10,000 sessions costs 10,000 `lstat`s.
 * Listings normally come from the session index instead (session-index.ts); `list` is what that
 * index is checked against and rebuilt from.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { sep } from 'node:path';
import type { SessionRecord } from '../../driver/driver.js';
import { FileCorruptionError, parseObjectLine } from './corruption.js';
import { isMissing, readTextIfPresent } from './durable-write.js';
import { decodeFileName } from './file-names.js';
import type { StoreLayout } from './layout.js';

const FORMAT = 1;

export interface StoredSession {
  record: SessionRecord;
  commitId: string;
}

interface ListEntry {
  sessionId: string;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Undefined when the file is damaged (already warned about). */
  stored: StoredSession | undefined;
}

export class SessionFiles {
  private readonly listCache = new Map<string, ListEntry>();

  constructor(
    private readonly layout: StoreLayout,
    private readonly warn: (message: string) => void,
  ) {}

  /** The file content for a record written by commit `commitId`. */
  serialize(record: SessionRecord, commitId: string): string {
    return `${JSON.stringify({ format: FORMAT, commitId, record })}\n`;
  }

  async read(sessionId: string): Promise<SessionRecord | undefined> {
    return (await this.readStored(sessionId))?.record;
  }

  /** The record and the commit that wrote it, read from disk now; a damaged file throws naming it. */
  async readStored(sessionId: string): Promise<StoredSession | undefined> {
    const path = this.layout.sessionFile(sessionId);
    const text = readTextIfPresent(path);
    return text === undefined ? undefined : parseSessionFile(text, path, sessionId);
  }

  /** Every readable session record. The records are shared with the cache: callers must not change them. */
  async list(): Promise<SessionRecord[]> {
    return (await this.listStored()).map((stored) => stored.record);
  }

  /** Every readable session record with the commit that wrote it (what the session index is checked against). */
  async listStored(): Promise<StoredSession[]> {
    const directory = this.layout.sessionsDirectory;
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const candidates = names.filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    const present = new Set(candidates);
    for (const name of this.listCache.keys()) if (!present.has(name)) this.listCache.delete(name);
    const records: StoredSession[] = [];
    for (const name of candidates) {
      const stored = await this.listEntry(directory, name);
      if (stored) records.push(stored);
    }
    return records;
  }

  private async listEntry(directory: string, name: string): Promise<StoredSession | undefined> {
    const cached = this.listCache.get(name);
    // A cached name was decoded when first seen: decoding every name on every listing was a quarter of its cost.
    const sessionId = cached ? cached.sessionId : decodeFileName(name.slice(0, -'.json'.length));
    if (sessionId === undefined) return undefined; // not a file this driver wrote
    // `directory` is the layout's resolved path and `name` came from readdir: nothing to normalise.
    const status = lstatSync(directory + sep + name, { throwIfNoEntry: false });
    if (status === undefined || !status.isFile()) return undefined; // deleted since readdir, or not a file
    if (cached && cached.ino === status.ino && cached.size === status.size && cached.mtimeMs === status.mtimeMs) return cached.stored;
    let stored: StoredSession | undefined;
    try {
      stored = await this.readStored(sessionId);
    } catch (error) {
      if (!(error instanceof FileCorruptionError)) throw error;
      // One damaged session must not hide all the others from a listing.
      this.warn(`${error.message} It is left out of listings.`);
    }
    this.listCache.set(name, { sessionId, ino: status.ino, size: status.size, mtimeMs: status.mtimeMs, stored });
    return stored;
  }
}

function parseSessionFile(text: string, path: string, sessionId: string): StoredSession {
  if (!text.endsWith('\n')) {
    // Files are replaced whole by rename, so a cut-short file was damaged outside the store.
    throw new FileCorruptionError({ file: path, line: 1, reason: 'the record is cut short' });
  }
  const content = parseObjectLine(text.slice(0, -1), path, 1);
  const record = content.record as SessionRecord | undefined;
  const valid =
    content.format === FORMAT &&
    typeof content.commitId === 'string' &&
    typeof record === 'object' &&
    record !== null &&
    record.id === sessionId &&
    typeof record.headSegmentId === 'string' &&
    Number.isSafeInteger(record.version) &&
    Number.isSafeInteger(record.messageCount);
  if (!valid) throw new FileCorruptionError({ file: path, line: 1, reason: 'not a session record of this store' });
  return { record, commitId: content.commitId as string };
}
