/** Opening the journal the `fallback` option chose, in the directory that belongs to the primary store. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageDriver } from '../../driver/driver.js';
import type { Journal } from './journal.js';
import { MemoryJournal } from './memory-journal.js';
import type { JournalChoice } from './options.js';
import { SqliteJournal } from './sqlite-journal.js';

/** Opens the journal chosen by the `fallback` option (SQLite loads its native module only here). */
export function openJournal(choice: JournalChoice, primary: StorageDriver): Journal {
  if (choice.kind === 'memory') return new MemoryJournal();
  return SqliteJournal.open(choice.directory ?? defaultJournalDirectory(primary));
}

/**
 * One journal directory per primary store (keyed by its location), so a journal left by a process
 * is only ever replayed into the store it was written for. A driver that does not say where its
 * data lives shares one directory per driver name: give such a store `fallback: { directory }`.
 */
function defaultJournalDirectory(primary: StorageDriver): string {
  const name = primary.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const digest = createHash('sha256').update(primary.location ?? `unknown ${primary.name}`).digest('hex').slice(0, 16);
  return join(tmpdir(), 'sessionloom-journal', `${name}-${digest}`);
}
