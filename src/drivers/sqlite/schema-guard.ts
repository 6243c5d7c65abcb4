/**
 * A newer version's upgrade of a file this process already has open. The schema version is checked
 * when a file is opened (migrations.ts), but a process of this version that is already running when
 * a newer one upgrades the file would go on reading and writing it as this version knows it, and
 * misread what the newer one writes, or write what the newer one would not read. So every migration
 * writes the file's schema version into its header (`user_version`), and the driver reads it whenever
 * `PRAGMA data_version` says another connection has committed since it last looked.
 *
 * Where: inside every batch's write transaction and every settle's (`checkWithin`), where both
 * pragmas cost ~0.35 µs, so no append, session write or settle goes into a newer schema; and before
 * other calls (`check`) at most once per CHECK_INTERVAL_MS, since outside a transaction each pragma
 * opens a read transaction of its own (measured ~4.8 µs, two or three times per append). A read, or
 * a deletion, in that interval after another process's upgrade may still take the file as this
 * version knows it.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';

/** How often a call outside a write transaction looks (a read, a lookup, a delete). */
const CHECK_INTERVAL_MS = 100;

export class SchemaGuard {
  private readonly dataVersion: SqliteStatementLike;
  private readonly userVersion: SqliteStatementLike;
  private seen: number;
  private lastLooked = 0;

  constructor(
    database: BetterSqliteDatabaseLike,
    private readonly known: number,
    private readonly location: string,
  ) {
    this.dataVersion = database.prepare('PRAGMA data_version').raw();
    this.userVersion = database.prepare('PRAGMA user_version').raw();
    this.seen = valueOf(this.dataVersion);
  }

  /** Before a call: throws if another connection has upgraded the file past this version (looked at most every CHECK_INTERVAL_MS). */
  check(): void {
    const now = Date.now();
    if (now - this.lastLooked < CHECK_INTERVAL_MS) return;
    this.lastLooked = now;
    this.checkWithin();
  }

  /** Inside a write transaction: throws if the file is at a schema this version does not know. */
  checkWithin(): void {
    const found = this.newerVersion();
    if (found === undefined) return;
    throw new Error(
      `SqliteDriver: the database "${this.location}" was upgraded to schema version ${found} by a newer sessionloom since this ` +
        `process opened it; this version only knows versions up to ${this.known}. Restart this process on the newer version ` +
        '(older code must not read or write a newer schema).',
    );
  }

  private newerVersion(): number | undefined {
    const changes = valueOf(this.dataVersion);
    if (changes === this.seen) return undefined;
    const found = valueOf(this.userVersion);
    if (found > this.known) return found;
    this.seen = changes;
    return undefined;
  }
}

/** The one value a pragma answers. */
const valueOf = (pragma: SqliteStatementLike): number => (pragma.get() as [number])[0];
