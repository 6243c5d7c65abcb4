/**
 * The schema, as an ordered list of forward migrations. A database records the versions applied to
 * it in `<prefix>schema_migrations`; connecting applies the missing ones. Never edit a released
 * migration: add a new one, since existing databases already ran the old text.
 */
import { postgresDialect } from './dialect.js';
import { indexName, migrationLockKey, qualifiedIndexName, type TableNames } from './identifiers.js';
import type { PgPoolClientLike, PgPoolLike } from './pool.js';
import { indexExistingMessages } from './search.js';
import { searchableText } from './searchable.js';
import { withTransaction } from './transaction.js';

export interface Migration {
  version: number;
  /** Statements run one by one inside the migration transaction (so none may BEGIN or COMMIT). */
  up(names: TableNames): string[];
  /** Work SQL alone cannot do (indexing existing rows), run after `up` in the same transaction. */
  backfill?(client: PgPoolClientLike, names: TableNames): Promise<void>;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    up: (names) => {
      const index = (suffix: string): string => indexName(names, suffix);
      return [
        // `record` is the whole SessionRecord as JSON text, the only column read back; the other
        // columns exist to be filtered and ordered on. Ids compare in "C" collation: byte order,
        // which for ids (ASCII) is the order JavaScript's `<` gives, whatever the database's locale.
        // Times are double precision so any JavaScript number orders and compares as it does in JS.
        `CREATE TABLE ${names.sessions} (
          id text COLLATE "C" PRIMARY KEY,
          user_id text COLLATE "C",
          agent_id text COLLATE "C",
          workspace_id text COLLATE "C",
          parent_id text COLLATE "C",
          state text NOT NULL,
          created_at double precision NOT NULL,
          updated_at double precision NOT NULL,
          last_active_at double precision NOT NULL,
          suspend_at double precision NOT NULL,
          expires_at double precision NOT NULL,
          version bigint NOT NULL,
          metadata jsonb NOT NULL,
          tags text[] NOT NULL,
          surfaces text[] NOT NULL,
          record text NOT NULL
        )`,
        // Each ordering index ends with id so keyset pages, (column, id) tie-break included, need no sort.
        `CREATE INDEX ${index('sessions_updated')} ON ${names.sessions} (updated_at, id)`,
        `CREATE INDEX ${index('sessions_created')} ON ${names.sessions} (created_at, id)`,
        `CREATE INDEX ${index('sessions_active_at')} ON ${names.sessions} (last_active_at, id)`,
        `CREATE INDEX ${index('sessions_user')} ON ${names.sessions} (user_id, updated_at, id)`,
        `CREATE INDEX ${index('sessions_parent')} ON ${names.sessions} (parent_id, created_at, id)`,
        // The sweep's two questions, each only over the sessions it can change.
        `CREATE INDEX ${index('sessions_suspending')} ON ${names.sessions} (suspend_at) WHERE state = 'active'`,
        `CREATE INDEX ${index('sessions_expiring')} ON ${names.sessions} (expires_at) WHERE state = 'suspended'`,
        // Containment (`@>`) filters on metadata and tags.
        `CREATE INDEX ${index('sessions_metadata')} ON ${names.sessions} USING gin (metadata jsonb_path_ops)`,
        `CREATE INDEX ${index('sessions_tags')} ON ${names.sessions} USING gin (tags)`,

        // `ordinal` keeps creation order among segments created in the same millisecond.
        `CREATE TABLE ${names.segments} (
          id text COLLATE "C" PRIMARY KEY,
          session_id text COLLATE "C" NOT NULL,
          parent_id text COLLATE "C",
          base_seq bigint NOT NULL,
          created_at double precision NOT NULL,
          ordinal bigint GENERATED ALWAYS AS IDENTITY
        )`,
        `CREATE INDEX ${index('segments_session')} ON ${names.segments} (session_id, created_at, ordinal)`,
        `CREATE INDEX ${index('segments_parent')} ON ${names.segments} (parent_id, created_at, ordinal)`,

        // Keyed by position, so a page is one range scan of the primary key and an append one
        // index insertion, whatever the length of the history.
        `CREATE TABLE ${names.messages} (
          segment_id text COLLATE "C" NOT NULL,
          seq bigint NOT NULL,
          id text COLLATE "C" NOT NULL,
          created_at double precision NOT NULL,
          run_id text COLLATE "C",
          body text NOT NULL,
          PRIMARY KEY (segment_id, seq)
        )`,
        `CREATE UNIQUE INDEX ${index('messages_id')} ON ${names.messages} (id)`,

        `CREATE TABLE ${names.operations} (
          session_id text COLLATE "C" NOT NULL,
          operation_id text COLLATE "C" NOT NULL,
          message_ids text[] NOT NULL,
          created_at double precision NOT NULL,
          PRIMARY KEY (session_id, operation_id)
        )`,
      ];
    },
  },
  {
    version: 2,
    up: (names) => {
      const index = (suffix: string): string => indexName(names, suffix);
      return [
        // Runs: `record` is the whole RunRecord as JSON text; the columns find a session's runs in order.
        `CREATE TABLE ${names.runs} (
          id text COLLATE "C" PRIMARY KEY,
          session_id text COLLATE "C" NOT NULL,
          started_at double precision NOT NULL,
          record text NOT NULL
        )`,
        `CREATE INDEX ${index('runs_session')} ON ${names.runs} (session_id, started_at, id)`,
        // A run's event log, keyed by position: replay is one range scan.
        `CREATE TABLE ${names.runEvents} (
          run_id text COLLATE "C" NOT NULL,
          seq bigint NOT NULL,
          type text NOT NULL,
          at double precision NOT NULL,
          data text NOT NULL,
          PRIMARY KEY (run_id, seq)
        )`,
      ];
    },
  },
  {
    version: 3,
    up: (names) => [
      // File checkpoint content, addressed by SHA-256 (hex): the same bytes are stored once, whatever
      // the number of checkpoints and sessions that use them.
      `CREATE TABLE ${names.blobs} (
        hash text COLLATE "C" PRIMARY KEY,
        bytes bytea NOT NULL
      )`,
      // One checkpoint per message (taken before the turn that followed it). blob_hashes is what
      // retention reads to know which blobs are still used.
      `CREATE TABLE ${names.checkpoints} (
        message_id text COLLATE "C" PRIMARY KEY,
        session_id text COLLATE "C" NOT NULL,
        created_at double precision NOT NULL,
        manifest text NOT NULL,
        blob_hashes text[] NOT NULL
      )`,
      // Ends with message_id so a session's checkpoints come out in listing order without a sort.
      `CREATE INDEX ${indexName(names, 'checkpoints_session')} ON ${names.checkpoints} (session_id, created_at, message_id)`,
    ],
  },
  {
    version: 4,
    up: (names) => [
      // Full-text search (search.ts): the terms of each message as a tsvector, gone with the
      // message row (the foreign key), whatever deletes it.
      `CREATE TABLE ${names.messageSearch} (
        segment_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        document tsvector NOT NULL,
        PRIMARY KEY (segment_id, seq),
        FOREIGN KEY (segment_id, seq) REFERENCES ${names.messages} (segment_id, seq) ON DELETE CASCADE
      )`,
      `CREATE INDEX ${indexName(names, 'message_search_terms')} ON ${names.messageSearch} USING gin (document)`,
    ],
    backfill: (client, names) => indexExistingMessages(client, names, postgresDialect(names)),
  },
  {
    version: 5,
    up: (names) => [
      // Titles filtered by prefix: list-sessions.ts asks for a range (title >= prefix AND title <
      // the next prefix), which a b-tree in "C" collation (code point order) answers.
      `ALTER TABLE ${names.sessions} ADD COLUMN title text COLLATE "C"`,
      `CREATE INDEX ${indexName(names, 'sessions_title')} ON ${names.sessions} (title)`,
    ],
    backfill: (client, names) => copyTitlesToColumn(client, names),
  },
  {
    version: 6,
    up: (names) => [
      // The sessions with runs in flight or waiting for approval (liveRuns), which the approvals
      // inbox lists without reading every session. NULL for none, and the indexes are partial, so
      // they hold only those few sessions: one in creation order, one per user (a user-bound store's).
      `ALTER TABLE ${names.sessions} ADD COLUMN live_runs integer`,
      `CREATE INDEX ${indexName(names, 'sessions_live')} ON ${names.sessions} (created_at, id) WHERE live_runs IS NOT NULL`,
      `CREATE INDEX ${indexName(names, 'sessions_user_live')} ON ${names.sessions} (user_id, created_at, id) WHERE live_runs IS NOT NULL`,
    ],
    backfill: (client, names) => countLiveRunsInColumn(client, names),
  },
  {
    version: 7,
    up: (names) => [
      // A session without a user is never listed by user, yet each of its appends added an entry
      // here (an append changes updated_at, so the update is not HOT). Partial now: a list by user
      // says user_id = $1, which (a strict operator) implies the condition, so it still uses it.
      `DROP INDEX ${qualifiedIndexName(names, 'sessions_user')}`,
      `CREATE INDEX ${indexName(names, 'sessions_user')} ON ${names.sessions} (user_id, updated_at, id) WHERE user_id IS NOT NULL`,
    ],
  },
];

const BACKFILL_PAGE = 1000;

/**
 * Each titled session's title into the new column, in its searchable form (searchable.ts), read from
 * the record in JavaScript: `record::jsonb` would refuse a lone surrogate that JSON text may escape.
 */
function copyTitlesToColumn(client: PgPoolClientLike, names: TableNames): Promise<void> {
  return fillColumnFromRecords(client, names, { column: 'title', type: 'text' }, (record) =>
    typeof record.title === 'string' ? searchableText(record.title) : undefined,
  );
}

/**
 * Each session's count of live runs into the new column, read from the record like the titles. Only
 * records whose text holds the key are parsed: JSON.stringify writes it exactly so.
 */
function countLiveRunsInColumn(client: PgPoolClientLike, names: TableNames): Promise<void> {
  return fillColumnFromRecords(client, names, { column: 'live_runs', type: 'integer', containing: '"liveRuns":[' }, (record) =>
    Array.isArray(record.liveRuns) && record.liveRuns.length > 0 ? record.liveRuns.length : undefined,
  );
}

/**
 * A new session column filled, page by page in id order, with what `valueOf` takes from each record
 * (left NULL where it answers undefined). `column` and `type` are the callers' literals; the values are bound.
 */
async function fillColumnFromRecords(
  client: PgPoolClientLike,
  names: TableNames,
  target: { column: 'title' | 'live_runs'; type: 'text' | 'integer'; containing?: string },
  valueOf: (record: Record<string, unknown>) => string | number | undefined,
): Promise<void> {
  const containing = target.containing === undefined ? '' : ' AND strpos(record, $2::text) > 0';
  let after = '';
  for (;;) {
    const page = await client.query(
      `SELECT id, record FROM ${names.sessions} WHERE id > $1::text${containing} ORDER BY id LIMIT ${BACKFILL_PAGE}`,
      target.containing === undefined ? [after] : [after, target.containing],
    );
    const rows = page.rows as Array<{ id: string; record: string }>;
    const filled = rows.flatMap((row) => {
      const found = valueOf(JSON.parse(row.record) as Record<string, unknown>);
      return found === undefined ? [] : [{ id: row.id, value: found }];
    });
    if (filled.length > 0) {
      await client.query(
        `UPDATE ${names.sessions} AS s SET ${target.column} = t.value FROM unnest($1::text[], $2::${target.type}[]) AS t (id, value) WHERE s.id = t.id`,
        [filled.map((row) => row.id), filled.map((row) => row.value)],
      );
    }
    const last = rows[rows.length - 1];
    if (rows.length < BACKFILL_PAGE || !last) return;
    after = last.id;
  }
}

export const latestSchemaVersion = (list: readonly Migration[] = migrations): number =>
  list.reduce((latest, migration) => Math.max(latest, migration.version), 0);

type Queryable = Pick<PgPoolLike, 'query'>;

/** The highest version recorded, 0 when the migrations table does not exist yet. */
export async function readSchemaVersion(database: Queryable, names: TableNames): Promise<number> {
  const present = await database.query('SELECT to_regclass($1) IS NOT NULL AS present', [names.migrations]);
  if ((present.rows[0] as { present: boolean } | undefined)?.present !== true) return 0;
  const result = await database.query(`SELECT max(version) AS version FROM ${names.migrations}`);
  const version = (result.rows[0] as { version: unknown } | undefined)?.version;
  return version === null || version === undefined ? 0 : Number(version);
}

function refuseNewerSchema(found: number, known: number, names: TableNames): never {
  throw new Error(
    `PostgresDriver: the tables ${names.schemaName}.${names.prefix}* have schema version ${found}, but this version of ` +
      `sessionloom only knows versions up to ${known}. Upgrade sessionloom to use them (older code must not write to a newer schema).`,
  );
}

function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    const previous = list[index - 1]?.version ?? 0;
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new Error(`PostgresDriver: migration versions must be distinct positive integers (found ${migration.version}).`);
    }
  });
}

/**
 * Bring the tables to the latest schema. The up-to-date case is two reads and takes no lock.
 * Otherwise everything runs in one transaction that first takes a transaction-scoped advisory lock
 * (keyed by schema + prefix) and re-reads the version under it: of many processes starting at once,
 * the first migrates and the others, once the lock is theirs, find nothing left to do. DDL is
 * transactional in PostgreSQL, so a migration that fails leaves no half-made tables.
 */
export async function migrate(
  pool: PgPoolLike,
  names: TableNames,
  options: { migrations?: readonly Migration[]; now?: () => number } = {},
): Promise<void> {
  const list = [...(options.migrations ?? migrations)].sort((left, right) => left.version - right.version);
  checkMigrationList(list);
  const known = latestSchemaVersion(list);
  const now = options.now ?? Date.now;

  const current = await readSchemaVersion(pool, names);
  if (current > known) refuseNewerSchema(current, known, names);
  if (current === known) return;

  await withTransaction(pool, (client) => applyMigrations(client, names, list, known, now));
}

async function applyMigrations(
  client: PgPoolClientLike,
  names: TableNames,
  list: readonly Migration[],
  known: number,
  now: () => number,
): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(names)]);
  // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database, which a user
  // confined to an existing schema may lack: only create it when it is missing.
  const schema = await client.query('SELECT to_regnamespace($1) IS NOT NULL AS present', [names.schema]);
  if ((schema.rows[0] as { present: boolean } | undefined)?.present !== true) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
  }
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${names.migrations} (version integer PRIMARY KEY, applied_at double precision NOT NULL)`,
  );
  const locked = await readSchemaVersion(client, names);
  if (locked > known) refuseNewerSchema(locked, known, names);
  for (const migration of list) {
    if (migration.version <= locked) continue;
    for (const statement of migration.up(names)) await client.query(statement);
    await migration.backfill?.(client, names);
    await client.query(`INSERT INTO ${names.migrations} (version, applied_at) VALUES ($1, $2)`, [migration.version, now()]);
  }
}
