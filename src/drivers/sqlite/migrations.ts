/**
 * The schema, as an ordered list of forward migrations. A database records the versions applied to
 * it in `schema_migrations`; opening applies the missing ones. Never edit a released migration:
 * add a new one, since existing files already ran the old text.
 */
import type { BetterSqliteDatabaseLike } from './database.js';
import { packsSchema } from './packs-schema.js';
import { recentMessagesSchema } from './recent-messages.js';

export interface Migration {
  version: number;
  /** SQL run with `exec`, inside the migration transaction (so it must not BEGIN or COMMIT itself). */
  up: string;
  /** Work SQL alone cannot do (indexing existing rows), run after `up` in the same transaction. */
  backfill?: (database: BetterSqliteDatabaseLike) => void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      -- Scalar columns exist to be filtered and ordered on; 'record' holds the rest of the
      -- SessionRecord, and metadata, tags and surfaces are kept once, in their own columns,
      -- because queries look inside them with json_each.
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        user_id TEXT,
        agent_id TEXT,
        workspace_id TEXT,
        parent_id TEXT,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_active_at INTEGER NOT NULL,
        suspend_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        tags TEXT NOT NULL,
        surfaces TEXT NOT NULL,
        record TEXT NOT NULL
      );
      -- Each ordering index ends with id so keyset pages, (column, id) tie-break included, need no sort.
      CREATE INDEX sessions_by_updated ON sessions (updated_at, id);
      CREATE INDEX sessions_by_created ON sessions (created_at, id);
      CREATE INDEX sessions_by_last_active ON sessions (last_active_at, id);
      CREATE INDEX sessions_by_user_updated ON sessions (user_id, updated_at, id);
      CREATE INDEX sessions_by_parent ON sessions (parent_id, created_at, id);
      -- The sweep's two questions, each only over the sessions it can change. Partial indexes keep
      -- them small, and an append to an active session does not touch the expiry one at all.
      -- The planner uses them only when the query says state = 'active' / 'suspended' literally.
      CREATE INDEX sessions_suspending ON sessions (suspend_at) WHERE state = 'active';
      CREATE INDEX sessions_expiring ON sessions (expires_at) WHERE state = 'suspended';

      CREATE TABLE segments (
        id TEXT PRIMARY KEY NOT NULL,
        session_id TEXT NOT NULL,
        parent_id TEXT,
        base_seq INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- created_at is in both so listing in creation order reads the index in order.
      CREATE INDEX segments_by_session ON segments (session_id, created_at);
      CREATE INDEX segments_by_parent ON segments (parent_id, created_at);

      -- Keyed by position so a page is one range scan; WITHOUT ROWID stores rows in that order.
      CREATE TABLE messages (
        segment_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        run_id TEXT,
        body TEXT NOT NULL,
        PRIMARY KEY (segment_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE operations (
        session_id TEXT NOT NULL,
        operation_id TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, operation_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    up: `
      -- Runs: 'record' holds the whole RunRecord; the columns exist to find a session's runs in order.
      CREATE TABLE runs (
        id TEXT PRIMARY KEY NOT NULL,
        session_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX runs_by_session ON runs (session_id, started_at, id);

      -- A run's event log, in order: replay is one range scan.
      CREATE TABLE run_events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    up: `
      -- File checkpoint content, addressed by SHA-256 (hex): the same bytes are stored once, whatever
      -- the number of checkpoints and sessions that use them.
      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY NOT NULL,
        bytes BLOB NOT NULL
      ) WITHOUT ROWID;

      -- One checkpoint per message (taken before the turn that followed it). blob_hashes (a JSON
      -- array) is what retention reads to know which blobs are still used.
      CREATE TABLE checkpoints (
        message_id TEXT PRIMARY KEY NOT NULL,
        session_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        manifest TEXT NOT NULL,
        blob_hashes TEXT NOT NULL
      );
      CREATE INDEX checkpoints_by_session ON checkpoints (session_id, created_at, message_id);
    `,
  },
  {
    version: 4,
    up: `
      -- Full-text search (search.ts). The index is contentless: it keeps the terms' postings, not
      -- a second copy of the text (snippets are cut from the message itself), and each entry's
      -- message position (segment_id, seq) as unindexed values, so a match leads to its message
      -- without another index. The text indexed is the terms search-text.ts makes, separated by
      -- spaces; the ascii tokenizer keeps every non-ASCII character inside a term, so it only
      -- splits on those spaces and every store agrees on what a term is. Needs SQLite 3.47 or
      -- later (contentless_unindexed), which better-sqlite3 11.6 and later bundle.
      CREATE VIRTUAL TABLE message_search USING fts5(
        terms, segment_id UNINDEXED, seq UNINDEXED,
        content = '', contentless_delete = 1, contentless_unindexed = 1, tokenize = 'ascii'
      );
      -- Each message's entry in the index (NULL: nothing to index), so the entry goes with the row,
      -- in the same statement, whatever deletes it.
      ALTER TABLE messages ADD COLUMN search_row INTEGER;
      CREATE TRIGGER message_search_forget AFTER DELETE ON messages WHEN old.search_row IS NOT NULL BEGIN
        DELETE FROM message_search WHERE rowid = old.search_row;
      END;
    `,
    // Its backfill indexed the messages already stored; migration 8 rebuilds the index from every
    // message (and migrations always run to the latest together), so it is no longer needed.
  },
  {
    version: 5,
    up: `
      -- The index catches up in batches instead of in each append's transaction (search.ts says
      -- why): search_row NULL now means "waiting to be indexed", 0 "nothing to index" (what NULL
      -- meant before, for every row migration 4 left NULL), and above 0 the entry's id. The
      -- partial index holds only the rows waiting, so finding them reads no more than that.
      DROP TRIGGER message_search_forget;
      UPDATE messages SET search_row = 0 WHERE search_row IS NULL;
      CREATE INDEX messages_awaiting_index ON messages (segment_id) WHERE search_row IS NULL;
      CREATE TRIGGER message_search_forget AFTER DELETE ON messages WHEN old.search_row > 0 BEGIN
        DELETE FROM message_search WHERE rowid = old.search_row;
      END;
    `,
  },
  {
    version: 6,
    up: `
      -- Titles filtered by prefix: list-sessions.ts asks for a range (title >= prefix AND title <
      -- the next prefix), which this index answers. The title stays in 'record' too, where it is read.
      ALTER TABLE sessions ADD COLUMN title TEXT;
      UPDATE sessions SET title = json_extract(record, '$.title') WHERE json_type(record, '$.title') = 'text';
      CREATE INDEX sessions_by_title ON sessions (title);
    `,
  },
  {
    version: 7,
    up: `
      -- The sessions with runs in flight or waiting for approval (liveRuns), which the approvals
      -- inbox lists without reading every session. NULL for none, and the indexes are partial, so
      -- they hold only those few sessions and an idle session's writes never touch them: one in
      -- creation order (the store's listing), one per user (a user-bound store's).
      ALTER TABLE sessions ADD COLUMN live_runs INTEGER;
      UPDATE sessions SET live_runs = json_array_length(record, '$.liveRuns')
        WHERE json_type(record, '$.liveRuns') = 'array' AND json_array_length(record, '$.liveRuns') > 0;
      CREATE INDEX sessions_with_live_runs ON sessions (created_at, id) WHERE live_runs IS NOT NULL;
      CREATE INDEX sessions_with_live_runs_by_user ON sessions (user_id, created_at, id) WHERE live_runs IS NOT NULL;
    `,
  },
  {
    version: 8,
    up: `
      -- Bytes (issue 18; figures in message-statements.ts and the README): segments get an integer
      -- key, and a message row is keyed by its position, number * 2^32 + seq, in a rowid table:
      -- no segment id in the row or in the id index, and pages that a rowid table fills where the
      -- WITHOUT ROWID b-tree left them about 20% empty. Insertion order is kept (number = the old rowid).
      CREATE TABLE segments_keyed (
        number INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        parent_id TEXT,
        base_seq INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      INSERT INTO segments_keyed (number, id, session_id, parent_id, base_seq, created_at)
        SELECT rowid, id, session_id, parent_id, base_seq, created_at FROM segments ORDER BY rowid;

      -- indexed: NULL waiting for the search index, 0 nothing to index, 1 in message_search under
      -- rowid = position. Every message waits at first: the index is rebuilt by the catch-up (search.ts).
      CREATE TABLE messages_keyed (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        run_id TEXT,
        body TEXT NOT NULL,
        indexed INTEGER
      );
      INSERT INTO messages_keyed (position, id, created_at, run_id, body)
        SELECT segment.number * 4294967296 + message.seq, message.id, message.created_at, message.run_id, message.body
        FROM messages AS message JOIN segments_keyed AS segment ON segment.id = message.segment_id
        WHERE message.seq BETWEEN 0 AND 4294967295
        ORDER BY segment.number, message.seq;
    `,
    // Every message must have moved (the driver never wrote one without its segment, or with a seq
    // outside 0..2^32-1): if one did not, the migration fails, the transaction rolls back, and the
    // file is left as it was, rather than losing the message.
    backfill: (database) => {
      const count = (table: string) => (database.prepare(`SELECT count(*) AS rows FROM ${table}`).get() as { rows: number }).rows;
      const left = count('messages') - count('messages_keyed');
      if (left !== 0) {
        throw new Error(
          `SqliteDriver: schema 8 keys messages by segment number and seq, but ${left} message(s) have no segment or a seq outside 0..2^32-1; the file is left unchanged.`,
        );
      }
      database.exec(replaceMessageTables);
    },
  },
  {
    version: 9,
    up: `
      -- A session without a user (most sessions of a single-user app) is never listed by user, yet
      -- each of its appends rewrote its entry here: one page more in every commit (of about ten).
      -- Partial now: a list by user says user_id = ?, which implies the condition, so it still
      -- reads this index (SQLite uses a partial index whose WHERE is "c IS NOT NULL" for any
      -- comparison on c).
      DROP INDEX sessions_by_user_updated;
      CREATE INDEX sessions_by_user_updated ON sessions (user_id, updated_at, id) WHERE user_id IS NOT NULL;
    `,
  },
  {
    version: 10,
    up: `
      -- The search backlog (search.ts): one row per segment with messages waiting for the index,
      -- from the lowest position waiting, instead of a mark on each message row found by a partial
      -- index (an index page more in every append's commit, and every message row written a second
      -- time once indexed). Messages still waiting carry over; the messages.indexed column is no
      -- longer read or written (dropping it would rewrite the table).
      CREATE TABLE search_backlog (
        segment_number INTEGER PRIMARY KEY,
        from_position INTEGER NOT NULL
      );
      INSERT INTO search_backlog (segment_number, from_position)
        SELECT position >> 32, min(position) FROM messages WHERE indexed IS NULL GROUP BY position >> 32;
      DROP INDEX messages_awaiting_index;
      -- A message is in the index when its position is below its segment's backlog (or it has none).
      -- One without searchable text has no entry either: deleting an absent rowid changes nothing (tested).
      DROP TRIGGER message_search_forget;
      CREATE TRIGGER message_search_forget AFTER DELETE ON messages
        WHEN NOT EXISTS (SELECT 1 FROM search_backlog WHERE segment_number = old.position >> 32 AND from_position <= old.position)
      BEGIN
        DELETE FROM message_search WHERE rowid = old.position;
      END;
    `,
  },
  {
    version: 11,
    up: `
      -- Settings that belong to the file, not to a process (several may share it): one row. search_index
      -- 1 keeps the full-text index (search-setting.ts says what 0 does and how a file is switched).
      CREATE TABLE store_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        search_index INTEGER NOT NULL CHECK (search_index IN (0, 1))
      );
      INSERT INTO store_settings (id, search_index) VALUES (1, 1);
    `,
  },
  // Settled messages packed and deflated (issue 18, bytes): the schema and why, in packs-schema.ts.
  { version: 12, up: packsSchema },
  // Appends land in arrival order and move in batches (issue 18, many writers): recent-messages.ts.
  { version: 13, up: recentMessagesSchema },
  // Packs written from now on carry their messages' ids, times and runs (pack-reads.ts): no table
  // changes, but a version older code refuses, as it cannot read such a pack's header.
  { version: 14, up: '' },
];

/** Migration 8, once every message is copied: the keyed tables replace the old ones, and the search index is rebuilt. */
const replaceMessageTables = `
      DROP TRIGGER message_search_forget;
      DROP TABLE messages;
      DROP TABLE segments;
      ALTER TABLE segments_keyed RENAME TO segments;
      ALTER TABLE messages_keyed RENAME TO messages;
      CREATE INDEX segments_by_session ON segments (session_id, created_at);
      CREATE INDEX segments_by_parent ON segments (parent_id, created_at);
      CREATE INDEX messages_awaiting_index ON messages (indexed) WHERE indexed IS NULL;

      -- The index keeps postings only: no content, no column beside them (the rowid leads to the
      -- message). detail stays full: detail=column or none would take the postings from 168 to 155
      -- or 54 B per message, but they drop term frequencies, and BM25 then scores every match
      -- alike (measured: a message holding the words three times no longer ranks above one holding
      -- them once, which the conformance suite requires).
      -- Emptied first: dropping an index with contentless_unindexed leaves its content table behind
      -- (and defensive mode forbids dropping that in this transaction), so it stays as one empty page.
      INSERT INTO message_search (message_search) VALUES ('delete-all');
      DROP TABLE message_search;
      CREATE VIRTUAL TABLE message_search USING fts5(
        terms, content = '', contentless_delete = 1, tokenize = 'ascii'
      );
      CREATE TRIGGER message_search_forget AFTER DELETE ON messages WHEN old.indexed = 1 BEGIN
        DELETE FROM message_search WHERE rowid = old.position;
      END;
`;

export const latestSchemaVersion = (list: readonly Migration[] = migrations): number =>
  list.reduce((latest, migration) => Math.max(latest, migration.version), 0);

/** The highest version recorded in the database, 0 for a new (or non-sessionloom) file. */
export function readSchemaVersion(database: BetterSqliteDatabaseLike): number {
  const table = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (table === undefined) return 0;
  const row = database.prepare('SELECT max(version) AS version FROM schema_migrations').get() as
    | { version: number | null }
    | undefined;
  return row?.version ?? 0;
}

function refuseNewerSchema(found: number, known: number, location: string): never {
  throw new Error(
    `SqliteDriver: the database${location === '' ? '' : ` "${location}"`} has schema version ${found}, but this version of sessionloom ` +
      `only knows versions up to ${known}. Upgrade sessionloom to open it (older code must not write to a newer schema).`,
  );
}

/**
 * Bring the database to the latest schema. The up-to-date case is a plain read, so opening does not
 * wait on other writers; otherwise everything runs in one `BEGIN IMMEDIATE` transaction that re-reads
 * the version once it holds the write lock, so processes opening a new file together migrate it once.
 */
export function migrate(
  database: BetterSqliteDatabaseLike,
  options: { migrations?: readonly Migration[]; location?: string; now?: () => number } = {},
): void {
  const list = [...(options.migrations ?? migrations)].sort((left, right) => left.version - right.version);
  list.forEach((migration, index) => {
    const previous = list[index - 1]?.version ?? 0;
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new Error(`SqliteDriver: migration versions must be distinct positive integers (found ${migration.version}).`);
    }
  });
  const known = latestSchemaVersion(list);
  const location = options.location ?? '';
  const now = options.now ?? Date.now;

  const current = readSchemaVersion(database);
  if (current > known) refuseNewerSchema(current, known, location);
  if (current === known) return;

  database
    .transaction(() => {
      database.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
      );
      const locked = readSchemaVersion(database);
      if (locked > known) refuseNewerSchema(locked, known, location);
      const record = database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
      for (const migration of list) {
        if (migration.version <= locked) continue;
        database.exec(migration.up);
        migration.backfill?.(database);
        record.run(migration.version, now());
      }
      // Also in the file's header, where a process of this version already running sees it
      // (schema-guard.ts). The version is an integer checked above, not input.
      database.pragma(`user_version = ${known}`);
    })
    .immediate();
}
