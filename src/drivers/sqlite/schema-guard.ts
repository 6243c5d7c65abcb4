/**
 * A newer version's upgrade of a file this process already has open. The schema version is checked
 * when a file is opened (migrations.ts), but a process of this version that is already running when
 * a newer one upgrades the file would go on reading and writing it as this version knows it, and
 * misread what the newer one writes (a pack header it does not know, a table it does not read). So
 * each driver call first asks `PRAGMA data_version`, which moves only when another connection has
 * committed (one pragma, no page read), and only then reads the file's `user_version` (set by every
 * migration since schema 14 to the file's schema version): a file upgraded past what this version
 * knows is refused from the next call on.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';

export class SchemaGuard {
  private readonly dataVersion: SqliteStatementLike;
  private readonly userVersion: SqliteStatementLike;
  private seen: number;

  constructor(
    database: BetterSqliteDatabaseLike,
    private readonly known: number,
    private readonly location: string,
  ) {
    this.dataVersion = database.prepare('PRAGMA data_version').raw();
    this.userVersion = database.prepare('PRAGMA user_version').raw();
    this.seen = valueOf(this.dataVersion);
  }

  /** Throws once another connection has upgraded the file past the schema this version knows. */
  check(): void {
    const found = this.newerVersion();
    if (found === undefined) return;
    throw new Error(
      `SqliteDriver: the database "${this.location}" was upgraded to schema version ${found} by a newer sessionloom since this ` +
        `process opened it; this version only knows versions up to ${this.known}. Restart this process on the newer version ` +
        '(older code must not read or write a newer schema).',
    );
  }

  /** Whether the file is still at a schema this version knows (closing asks before it settles). */
  current(): boolean {
    return this.newerVersion() === undefined;
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
