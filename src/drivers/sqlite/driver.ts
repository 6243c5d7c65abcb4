/**
 * The SQLite storage driver (better-sqlite3). One file holds every session; several processes may
 * open it at once: WAL lets readers run beside the writer, and each commit takes the write lock with
 * `BEGIN IMMEDIATE`, waiting up to `busyTimeoutMs` for another process to finish.
 *
 * better-sqlite3 is synchronous, so every method does its work before its promise settles; a wait for
 * the lock blocks the event loop for at most `busyTimeoutMs`. Commits of sessions written at once in
 * one process share a transaction and its fsync (group-commit.ts); the search index catches up in
 * batches (search.ts), and settled messages are packed and deflated, 128 to a row with their ids,
 * times and runs (message-packs.ts), in the same batches (settle.ts), so a page's packed part is read
 * from the packs alone (pack-reads.ts): a settled file holds 363 B per message (172 without the
 * index) of the bench's 459 B of JSON, 521 (315) of varied prose's 488 B (705 and 820 unpacked).
 */
import Database from 'better-sqlite3';
import {
  WriteConflict,
  type CheckpointRecord,
  type CheckpointStorage,
  type MessageRecord,
  type OperationRecord,
  type RunEventRecord,
  type RunRecord,
  type SegmentRecord,
  type SessionQuery,
  type SessionRecord,
  type StorageDriver,
  type WriteBatch,
  type DriverCapabilities,
  type MessageSearchHit,
  type MessageSearchQuery,
  POLLED_CAPABILITIES,
} from '../../driver/driver.js';
import { compile } from '../sql/compile.js';
import { listSessionsStatement } from '../sql/list-sessions.js';
import { searchHitFromRow, type SearchRow } from '../sql/search.js';
import {
  blobFromRow,
  blobValues,
  checkpointFromRow,
  checkpointValues,
  operationFromRow,
  operationValues,
  runEventFromRow,
  runEventValues,
  runFromRow,
  runValues,
  segmentFromRow,
  segmentValues,
  type CheckpointRow,
  type OperationRow,
  type RunEventRow,
  type SegmentRow,
} from '../sql/rows.js';
import {
  configureConnection,
  defaultBusyTimeoutMs,
  openingError,
  type BetterSqliteDatabaseLike,
  type SqliteDurability,
  type SqliteStatementLike,
  type SqliteTransactionLike,
  retryWhileBusy,
} from './database.js';
import { sqliteDialect as dialect } from './dialect.js';
import { GroupCommit } from './group-commit.js';
import { groupTransaction } from './group-transaction.js';
import { fillPackedBodies } from './message-packs.js';
import { messageTransactions, type MessageTransactions } from './message-transactions.js';
import { insertBatchMessages } from './message-writes.js';
import { withRecentHits } from './recent-messages.js';
import { latestSchemaVersion, migrate } from './migrations.js';
import { messageFromCells, sessionFromRow, sessionParameters, type SessionRow } from './rows.js';
import { SearchIndexCatchUp, sqliteSearchStatement } from './search.js';
import { applySearchIndexSetting, fileKeepsSearchIndex } from './search-setting.js';
import { SchemaGuard } from './schema-guard.js';
import { Settle } from './settle.js';
import { prepareStatements, type Statements } from './statements.js';

export type { BetterSqliteDatabaseLike } from './database.js';

export interface SqliteDriverOptions {
  /** The database file, or `:memory:`. Only used for messages when `database` is given. */
  path: string;
  /** `durable` (default): a commit is on disk, power loss included, before it returns. `relaxed`: survives a crash of the process, not of the machine. */
  durability?: SqliteDurability;
  /** How long a write waits for another connection's write lock before failing (default 10,000 ms). */
  busyTimeoutMs?: number;
  /** An already-open better-sqlite3 database to use instead of opening `path`; the caller keeps ownership and closes it. */
  database?: BetterSqliteDatabaseLike;
  /**
   * Whether the file keeps a full-text index (a setting of the file, shared by every process: see
   * search-setting.ts). Absent: the file's setting (a new file keeps it). Given and different: the
   * file is switched. Without it searches scan (bounded), and a settled message takes about half
   * the bytes (the postings).
   */
  searchIndex?: boolean;
}

/** Dynamic list and search queries prepared and kept; their shapes repeat (same fields, same number of tags or spans). */
const listStatementCacheSize = 64;

export class SqliteDriver implements StorageDriver, CheckpointStorage {
  readonly name = 'sqlite';
  readonly capabilities: DriverCapabilities;

  private readonly database: BetterSqliteDatabaseLike;
  private readonly ownsDatabase: boolean;
  private readonly path: string;
  private readonly statements: Statements;
  private readonly listStatements = new Map<string, SqliteStatementLike>();
  private readonly commitTransaction: SqliteTransactionLike<[WriteBatch], void>;
  /** Reads and deletes of messages, with their packs (message-transactions.ts). */
  private readonly messages: MessageTransactions;
  private readonly settle: Settle;
  private readonly collectCheckpointsTransaction: SqliteTransactionLike<[], { checkpoints: number; blobs: number }>;
  private readonly searchIndex: SearchIndexCatchUp;
  private readonly groupCommit: GroupCommit;
  /** The file's setting when this driver opened it (search-setting.ts: another process may switch it). */
  private readonly keepsSearchIndex: boolean;
  private closed = false;
  private readonly schemaGuard: SchemaGuard;

  constructor(options: SqliteDriverOptions) {
    if (options.searchIndex !== undefined && typeof options.searchIndex !== 'boolean') {
      throw new Error(`SqliteDriver: searchIndex must be true, false or absent, got ${String(options.searchIndex)}.`);
    }
    this.path = options.path;
    this.ownsDatabase = options.database === undefined;
    let database = options.database;
    const busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs;
    try {
      database ??= new Database(options.path);
      configureConnection(database, {
        durability: options.durability ?? 'durable',
        busyTimeoutMs,
      });
      // A migration is one transaction that re-reads the version under the write lock, so a retry
      // after an immediate SQLITE_BUSY cannot apply a step twice.
      const opened = database;
      retryWhileBusy(() => migrate(opened, { location: options.path }), busyTimeoutMs);
      this.keepsSearchIndex = retryWhileBusy(() => applySearchIndexSetting(opened, options.searchIndex), busyTimeoutMs);
      this.statements = prepareStatements(database);
      this.schemaGuard = new SchemaGuard(database, latestSchemaVersion(), options.path);
    } catch (error) {
      if (this.ownsDatabase) database?.close();
      throw openingError(options.path, error);
    }
    this.database = database;
    this.capabilities = Object.freeze({ ...POLLED_CAPABILITIES, search: this.keepsSearchIndex });
    this.commitTransaction = this.database.transaction((batch: WriteBatch) => this.applyBatch(batch));
    this.messages = messageTransactions(this.database, this.statements);
    this.searchIndex = new SearchIndexCatchUp(this.database, this.statements);
    this.settle = new Settle(this.database, this.statements, this.schemaGuard);
    this.groupCommit = new GroupCommit(
      (batch) => this.commitTransaction.immediate(batch),
      groupTransaction(this.database, (batch) => this.applyBatch(batch), this.commitTransaction),
      (batch) => this.settle.afterCommit(batch.messages?.length ?? 0),
    );
    this.collectCheckpointsTransaction = this.database.transaction(() => {
      const checkpoints = this.statements.deleteOrphanCheckpoints.run().changes;
      const blobs = this.statements.deleteUnusedBlobs.run().changes;
      return { checkpoints, blobs };
    });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const statements = this.activeStatements();
    const row = statements.selectSession.get(id) as SessionRow | undefined;
    if (row === undefined) return undefined;
    this.groupCommit.noteRead(id);
    return sessionFromRow(row);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    this.activeStatements();
    const built = compile(listSessionsStatement(dialect, query), dialect);
    const rows = this.listStatement(built.text).all(...built.values) as SessionRow[];
    return rows.map(sessionFromRow);
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    const statements = this.activeStatements();
    const row = statements.selectSegment.get(id) as SegmentRow | undefined;
    return row === undefined ? undefined : segmentFromRow(row);
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    const statements = this.activeStatements();
    const rows = (
      'sessionId' in where
        ? statements.selectSegmentsBySession.all(where.sessionId)
        : statements.selectSegmentsByParent.all(where.parentId)
    ) as SegmentRow[];
    return rows.map(segmentFromRow);
  }

  async readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]> {
    this.activeStatements();
    const rows = this.messages.read(range.order, segmentId, range.fromSeq, range.toSeq, dialect.limit(range.limit));
    return rows.map((cells) => messageFromCells(segmentId, cells));
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    const statements = this.activeStatements();
    const row = statements.selectMessageLocation.get({ id: messageId }) as { segment_id: string; seq: number } | undefined;
    return row === undefined ? undefined : { segmentId: row.segment_id, seq: row.seq };
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    const rows = this.activeStatements().selectOperationsBySession.all(sessionId) as OperationRow[];
    return rows.map((row) => operationFromRow(row, dialect));
  }

  /** Undefined when the file does not keep the index (now: another process may have switched it off); the core then scans. */
  async searchMessages(query: MessageSearchQuery): Promise<MessageSearchHit[] | undefined> {
    this.activeStatements();
    const built = compile(sqliteSearchStatement(query), dialect);
    const statement = this.listStatement(built.text);
    const rows = this.searchIndex.search(() => {
      const hits = withRecentHits(this.statements, statement.all(...built.values) as SearchRow[]);
      // In the search's snapshot: a hit's key is its message's position.
      fillPackedBodies(this.statements, hits, (hit) => hit.message_key ?? 0, (hit) => hit.body, (hit, body) => (hit.body = body));
      return hits;
    });
    return rows?.map(searchHitFromRow);
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    const statements = this.activeStatements();
    const row = statements.selectOperation.get(sessionId, operationId) as OperationRow | undefined;
    return row === undefined ? undefined : operationFromRow(row, dialect);
  }

  async commit(batch: WriteBatch): Promise<void> {
    this.activeStatements();
    // Alone, it commits now; with other writers about, it joins their transaction (group-commit.ts).
    await this.groupCommit.commit(batch);
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    this.activeStatements();
    return this.messages.deleteAfter.immediate(segmentId, afterSeq);
  }

  async deleteSegment(segmentId: string): Promise<number> {
    this.activeStatements();
    return this.messages.deleteSegment.immediate(segmentId);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.activeStatements().selectRun.get(id) as { record: string } | undefined;
    return row === undefined ? undefined : runFromRow(row);
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    const rows = this.activeStatements().selectRunsBySession.all(sessionId) as Array<{ record: string }>;
    return rows.map(runFromRow);
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    const rows = this.activeStatements().selectRunEvents.all(runId, range.afterSeq, dialect.limit(range.limit)) as RunEventRow[];
    return rows.map(runEventFromRow);
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const row = this.activeStatements().selectBlob.get(hash) as { bytes: Buffer } | undefined;
    return row === undefined ? undefined : blobFromRow(row);
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const rows = this.activeStatements().selectMissingBlobs.all(dialect.textListParameter(hashes)) as Array<{ hash: string }>;
    return rows.map((row) => row.hash);
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    const row = this.activeStatements().selectCheckpoint.get(messageId) as CheckpointRow | undefined;
    return row === undefined ? undefined : checkpointFromRow(row, dialect);
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    const rows = this.activeStatements().selectCheckpointsBySession.all(sessionId) as CheckpointRow[];
    return rows.map((row) => checkpointFromRow(row, dialect));
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    this.activeStatements();
    return this.collectCheckpointsTransaction.immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commits waiting for their group are committed, not dropped.
    this.groupCommit.flush();
    this.settle.beforeClose();
    this.closed = true;
    this.listStatements.clear();
    if (this.ownsDatabase) this.database.close();
  }

  /** The prepared statements, or a clear error once the driver is closed (better-sqlite3's own is obscure). */
  private activeStatements(): Statements {
    if (this.closed) throw new Error(`SqliteDriver: the database "${this.path}" is closed.`);
    this.schemaGuard.check();
    return this.statements;
  }

  private listStatement(sql: string): SqliteStatementLike {
    const cached = this.listStatements.get(sql);
    if (cached !== undefined) return cached;
    const statement = this.database.prepare(sql);
    if (this.listStatements.size >= listStatementCacheSize) {
      // Maps iterate in insertion order: drop the oldest shape.
      const oldest = this.listStatements.keys().next();
      if (oldest.done !== true) this.listStatements.delete(oldest.value);
    }
    this.listStatements.set(sql, statement);
    return statement;
  }

  /** The body of `commit`, run inside `BEGIN IMMEDIATE`: throwing rolls back everything it wrote. */
  private applyBatch(batch: WriteBatch): void {
    this.schemaGuard.checkWithin();
    // Every version condition is checked before the first message or operation is written, so a
    // conflict is reported as such even when the batch would also have hit a duplicate. An update
    // of an existing session is its own check (UPDATE ... WHERE version = expected), read only when
    // it matched nothing: an append then pays for no read before its write.
    for (const check of batch.checks ?? []) this.expectVersion(check.id, check.version);
    // A batch that deletes sessions is checked whole first: its versions name the rows before the deletes.
    const checkedFirst = (batch.deleteSessions?.length ?? 0) > 0;
    for (const write of batch.sessions ?? []) {
      if (checkedFirst || write.expectedVersion === 0) this.expectVersion(write.record.id, write.expectedVersion);
    }
    for (const removal of batch.deleteSessions ?? []) this.expectVersion(removal.id, removal.expectedVersion);

    const statements = this.statements;
    // Deletes before puts, as the memory driver does, so a batch may delete and re-create an id.
    for (const { id } of batch.deleteSessions ?? []) {
      statements.deleteSessions.run(id);
      statements.deleteSessionOperations.run(id);
      statements.deleteSessionRunEvents.run(id);
      statements.deleteSessionRuns.run(id);
    }
    for (const { record, expectedVersion } of batch.sessions ?? []) {
      const parameters = sessionParameters(record, expectedVersion);
      if (expectedVersion > 0) {
        if (statements.updateSession.run(parameters).changes === 1) continue;
        // Another version (a conflict), or the same one with an indexed column changed (written whole below).
        if (!checkedFirst) this.expectVersion(record.id, expectedVersion);
      }
      if (statements.putSession.run(parameters).changes !== 1) {
        throw new Error(`SqliteDriver: session "${record.id}" changed inside a write transaction.`);
      }
    }
    for (const segment of batch.segments ?? []) statements.insertSegments.run(...segmentValues(segment));
    // Left for the search index to catch up with (search.ts): a search catches up before it reads.
    insertBatchMessages(statements, batch.messages ?? [], this.notesSearchBacklog, this.settle.noteSegment);
    for (const operation of batch.operations ?? []) this.insertOperation(operation);
    for (const run of batch.runs ?? []) statements.putRuns.run(...runValues(run));
    for (const event of batch.runEvents ?? []) statements.putRunEvents.run(...runEventValues(event));
    for (const blob of batch.blobs ?? []) statements.insertBlobs.run(...blobValues(blob));
    for (const checkpoint of batch.checkpoints ?? []) statements.putCheckpoints.run(...checkpointValues(checkpoint));
  }

  /**
   * Whether an append notes the search backlog, asked inside its transaction: always when this
   * process opened the file with the index (no read on the common path; search-setting.ts says why
   * a stray note is harmless), else whenever the file says on now.
   */
  private readonly notesSearchBacklog = (): boolean =>
    this.keepsSearchIndex || fileKeepsSearchIndex(this.statements.selectSearchIndexSetting);

  private expectVersion(sessionId: string, expectedVersion: number): void {
    const row = this.statements.selectSessionVersion.get(sessionId) as { version: number } | undefined;
    const actualVersion = row?.version;
    const matches = expectedVersion === 0 ? actualVersion === undefined : actualVersion === expectedVersion;
    if (!matches) throw new WriteConflict({ kind: 'version', sessionId, actualVersion });
  }

  private insertOperation(operation: OperationRecord): void {
    try {
      this.statements.insertOperations.run(...operationValues(operation));
    } catch (error) {
      if (this.statements.selectOperation.get(operation.sessionId, operation.operationId) !== undefined) {
        throw new WriteConflict({
          kind: 'duplicate-operation',
          sessionId: operation.sessionId,
          operationId: operation.operationId,
        });
      }
      throw error;
    }
  }
}
