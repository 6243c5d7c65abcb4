/** A journal kept in an array, when asked for (`fallback: 'memory'`): it dies with the process. */
import { randomUUID } from 'node:crypto';
import type { Journal, JournalEntry, JournalPayload } from './journal.js';

export class MemoryJournal implements Journal {
  readonly id = randomUUID();
  readonly location = 'memory';
  private log: JournalEntry[] = [];
  private nextSeq = 1;

  append(payload: JournalPayload): void {
    this.log.push({ seq: this.nextSeq++, payload: structuredClone(payload), replayed: false });
  }

  entries(): JournalEntry[] {
    return structuredClone(this.log);
  }

  markReplayed(seq: number): void {
    for (const entry of this.log) if (entry.seq === seq) entry.replayed = true;
  }

  clear(): void {
    this.log = [];
  }

  size(): number {
    return this.log.filter((entry) => !entry.replayed).length;
  }

  close(): void {}
}
