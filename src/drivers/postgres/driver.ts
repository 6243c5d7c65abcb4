/**
 * The PostgreSQL storage driver (node-postgres). Any number of processes may share one database:
 * every commit is one transaction that locks the sessions it changes, and the schema migrates once
 * under an advisory lock however many processes start together.
 *
 * Failures that mean "the server is away" (refused or dropped connections, shutdowns, timeouts)
 * reject with `StoreUnavailableError` carrying the pg error as `cause`; the pool replaces broken
 * connections, so the same driver works again once the server is back.
 */
import type {
  CheckpointRecord,
  CheckpointStorage,
  MessageRecord,
  MessageSearchHit,
  MessageSearchQuery,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionQuery,
  SessionRecord,
  StorageDriver,
  WriteBatch,
} from '../../driver/driver.js';
import { ALL_CAPABILITIES, type DriverCapabilities } from '../../driver/driver.js';
import { compile } from '../sql/compile.js';
import type { SqlDialect } from '../sql/dialect.js';
import { listSessionsStatement } from '../sql/list-sessions.js';
import { searchHitFromRow, type SearchRow } from '../sql/search.js';
import {
  blobFromRow,
  checkpointFromRow,
  messageFromRow,
  operationFromRow,
  runEventFromRow,
  runFromRow,
  segmentFromRow,
  type CheckpointRow,
  type MessageRow,
  type OperationRow,
  type RunEventRow,
  type SegmentRow,
} from '../sql/rows.js';
import { collectCheckpoints, writeCheckpoints } from './checkpoints.js';
import { applyBatch } from './commit.js';
import { postgresDialect } from './dialect.js';
import { driverError } from './errors.js';
import type { TableNames } from './identifiers.js';
import { migrate } from './migrations.js';
import { parseOptions, type PostgresDriverOptions } from './options.js';
import { createOwnedPool, type OwnedPool, type PgPoolLike } from './pool.js';
import { PostgresRunSignals, runSignalChannel } from './run-signals.js';
import { sessionFromRow, type SessionRow } from './rows.js';
import { postgresSearchStatement } from './search.js';
import { buildStatements, type Statements } from './statements.js';
import { withTransaction } from './transaction.js';

export type { PostgresDriverOptions } from './options.js';
export type { PgPoolClientLike, PgPoolLike, PgQueryResultLike } from './pool.js';

export class PostgresDriver implements StorageDriver, CheckpointStorage {
  readonly name = 'postgres';
  readonly capabilities: DriverCapabilities = Object.freeze({ ...ALL_CAPABILITIES, search: true });

  private readonly pool: PgPoolLike;
  private readonly ownedPool: OwnedPool | undefined;
  private readonly names: TableNames;
  private readonly dialect: SqlDialect;
  private readonly statements: Statements;
  private readonly signals: PostgresRunSignals;
  private closed = false;

  private constructor(pool: PgPoolLike, ownedPool: OwnedPool | undefined, names: TableNames) {
    this.pool = pool;
    this.ownedPool = ownedPool;
    this.names = names;
    this.dialect = postgresDialect(names);
    this.statements = buildStatements(this.dialect, names);
    this.signals = new PostgresRunSignals(pool, runSignalChannel(names.schemaName, names.prefix));
  }

  /** Connects and brings the tables to the current schema (creating them the first time). */
  static async connect(options: PostgresDriverOptions): Promise<PostgresDriver> {
    const settings = parseOptions(options);
    let pool: PgPoolLike;
    let ownedPool: OwnedPool | undefined;
    if ('pool' in settings.source) {
      pool = settings.source.pool;
    } else {
      pool = ownedPool = await createOwnedPool({
        connectionString: settings.source.connectionString,
        connectionTimeoutMs: settings.connectionTimeoutMs,
        statementTimeoutMs: settings.statementTimeoutMs,
      });
    }
    try {
      await migrate(pool, settings.names);
    } catch (error) {
      await ownedPool?.end().catch(() => {});
      throw driverError(error, 'connect');
    }
    return new PostgresDriver(pool, ownedPool, settings.names);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.run('getSession', async () => {
      const result = await this.pool.query(this.statements.selectSession, [id]);
      const row = result.rows[0] as SessionRow | undefined;
      return row === undefined ? undefined : sessionFromRow(row);
    });
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    return this.run('listSessions', async () => {
      const built = compile(listSessionsStatement(this.dialect, query), this.dialect);
      const result = await this.pool.query(built.text, built.values);
      return (result.rows as SessionRow[]).map(sessionFromRow);
    });
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    return this.run('getSegment', async () => {
      const result = await this.pool.query(this.statements.selectSegment, [id]);
      const row = result.rows[0] as SegmentRow | undefined;
      return row === undefined ? undefined : segmentFromRow(row);
    });
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    return this.run('listSegments', async () => {
      const result =
        'sessionId' in where
          ? await this.pool.query(this.statements.selectSegmentsBySession, [where.sessionId])
          : await this.pool.query(this.statements.selectSegmentsByParent, [where.parentId]);
      return (result.rows as SegmentRow[]).map(segmentFromRow);
    });
  }

  async readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]> {
    return this.run('readMessages', async () => {
      const statement =
        range.order === 'desc' ? this.statements.selectMessagesDescending : this.statements.selectMessagesAscending;
      const result = await this.pool.query(statement, [
        segmentId,
        this.dialect.seqBound(range.fromSeq),
        this.dialect.seqBound(range.toSeq),
        this.dialect.limit(range.limit),
      ]);
      return (result.rows as MessageRow[]).map(messageFromRow);
    });
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    return this.run('locateMessage', async () => {
      const result = await this.pool.query(this.statements.selectMessageLocation, [messageId]);
      const row = result.rows[0] as { segment_id: string; seq: unknown } | undefined;
      return row === undefined ? undefined : { segmentId: row.segment_id, seq: Number(row.seq) };
    });
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    return this.run('listOperations', async () => {
      const result = await this.pool.query(this.statements.selectOperationsBySession, [sessionId]);
      return (result.rows as OperationRow[]).map((row) => operationFromRow(row, this.dialect));
    });
  }

  async searchMessages(query: MessageSearchQuery): Promise<MessageSearchHit[]> {
    return this.run('searchMessages', async () => {
      const built = compile(postgresSearchStatement(this.dialect, this.names, query), this.dialect);
      const result = await this.pool.query(built.text, built.values);
      return (result.rows as SearchRow[]).map(searchHitFromRow);
    });
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    return this.run('getOperation', async () => {
      const result = await this.pool.query(this.statements.selectOperation, [sessionId, operationId]);
      const row = result.rows[0] as OperationRow | undefined;
      return row === undefined ? undefined : operationFromRow(row, this.dialect);
    });
  }

  async commit(batch: WriteBatch): Promise<void> {
    return this.run('commit', () =>
      withTransaction(this.pool, async (client) => {
        await applyBatch(client, this.statements, batch);
        await writeCheckpoints(client, this.statements, this.names, batch);
      }),
    );
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    return this.run('deleteMessagesAfter', async () => {
      const result = await this.pool.query(this.statements.deleteMessagesAfter, [segmentId, this.dialect.seqBound(afterSeq)]);
      return result.rowCount ?? 0;
    });
  }

  async deleteSegment(segmentId: string): Promise<number> {
    return this.run('deleteSegment', async () => {
      const result = await this.pool.query(this.statements.deleteSegment, [segmentId]);
      return Number((result.rows[0] as { removed: unknown } | undefined)?.removed ?? 0);
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.run('getRun', async () => {
      const result = await this.pool.query(this.statements.selectRun, [id]);
      const row = result.rows[0] as { record: string } | undefined;
      return row === undefined ? undefined : runFromRow(row);
    });
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    return this.run('listRuns', async () => {
      const result = await this.pool.query(this.statements.selectRunsBySession, [sessionId]);
      return (result.rows as Array<{ record: string }>).map(runFromRow);
    });
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    return this.run('readRunEvents', async () => {
      const result = await this.pool.query(this.statements.selectRunEvents, [
        runId,
        this.dialect.seqBound(range.afterSeq),
        this.dialect.limit(range.limit),
      ]);
      return (result.rows as RunEventRow[]).map(runEventFromRow);
    });
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    return this.run('getBlob', async () => {
      const result = await this.pool.query(this.statements.selectBlob, [hash]);
      const row = result.rows[0] as { bytes: Buffer } | undefined;
      return row === undefined ? undefined : blobFromRow(row);
    });
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    return this.run('missingBlobs', async () => {
      const result = await this.pool.query(this.statements.selectMissingBlobs, [this.dialect.textListParameter(hashes)]);
      return (result.rows as Array<{ hash: string }>).map((row) => row.hash);
    });
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    return this.run('getCheckpoint', async () => {
      const result = await this.pool.query(this.statements.selectCheckpoint, [messageId]);
      const row = result.rows[0] as CheckpointRow | undefined;
      return row === undefined ? undefined : checkpointFromRow(row, this.dialect);
    });
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    return this.run('listCheckpoints', async () => {
      const result = await this.pool.query(this.statements.selectCheckpointsBySession, [sessionId]);
      return (result.rows as CheckpointRow[]).map((row) => checkpointFromRow(row, this.dialect));
    });
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    return this.run('collectCheckpoints', () =>
      withTransaction(this.pool, (client) => collectCheckpoints(client, this.statements, this.names)),
    );
  }

  /** Ends the pool the driver made; a pool passed in stays open for its owner. Idempotent. */
  /** LISTEN/NOTIFY: see run-signals.ts. */
  async signalRun(runId: string): Promise<void> {
    return this.run('signalRun', () => this.signals.signal(runId));
  }

  async watchRun(runId: string, onSignal: () => void): Promise<() => Promise<void>> {
    return this.run('watchRun', () => this.signals.watch(runId, onSignal));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.signals.close();
    await this.ownedPool?.end();
  }

  /** Runs one call: a clear error once closed, and unavailability errors as `StoreUnavailableError`. */
  private async run<Result>(call: string, work: () => Promise<Result>): Promise<Result> {
    if (this.closed) throw new Error(`PostgresDriver: the driver is closed (${call}).`);
    try {
      return await work();
    } catch (error) {
      throw driverError(error, call);
    }
  }
}
