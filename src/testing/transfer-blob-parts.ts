/**
 * Blobs too large for one line of an export (src/transfer/blob-parts.ts): they go out as
 * consecutive `blob-part` records and come back whole, in both directions; a stream whose parts are
 * missing, out of order, interrupted or altered is refused with its line, and nothing is imported.
 * The parts are made small here (`blobPartBytes`) so a few hundred KiB stand for the hundreds of
 * MiB a raised `maxFileBytes` lets a checkpoint keep.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportError, SessionStore } from '../index.js';
import { encodeLine } from '../transfer/format.js';
import type { SuiteContext } from './context.js';
import { rejectionOf, uniqueId, userMessage } from './helpers.js';

const PART_BYTES = 64 * 1024;
const FILE_BYTES = 5 * PART_BYTES + 123;

interface Line {
  kind: string;
  data: Record<string, unknown>;
}

const parse = (line: string) => JSON.parse(line) as Line;

/** A session whose checkpoint holds one large, random (so new to any store) file. */
async function sessionWithLargeFile(store: SessionStore, workspaces: string) {
  const workspace = mkdtempSync(join(workspaces, 'workspace-'));
  const contents = randomBytes(FILE_BYTES);
  writeFileSync(join(workspace, 'large.bin'), contents);
  const session = await store.create({ id: uniqueId('large-blob') });
  const [first] = await store.append(session.id, userMessage('Keep this file'));
  await store.checkpoint(session.id, { workspace });
  writeFileSync(join(workspace, 'large.bin'), 'replaced');
  // The turn's own change, recorded as such: a rewind then restores the file without a conflict.
  await store.finishCheckpoint(session.id, { workspace });
  await store.append(session.id, userMessage('Replaced it'));
  return { sessionId: session.id, firstMessageId: first!.id, workspace, contents };
}

async function exportedInParts(store: SessionStore, sessionId: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of store.export([sessionId], { blobPartBytes: PART_BYTES })) lines.push(line);
  return lines;
}

export function registerTransferBlobPartTests(context: SuiteContext): void {
  describe('export and import: blobs in parts', () => {
    const workspaces = mkdtempSync(join(tmpdir(), 'sessionloom-blob-parts-'));
    afterAll(() => rmSync(workspaces, { recursive: true, force: true }));

    it('exports a blob larger than a part as consecutive parts, and brings it back whole in both directions', async () => {
      const source = await context.open();
      const made = await sessionWithLargeFile(source, workspaces);
      const lines = await exportedInParts(source, made.sessionId);
      const parts = lines.map(parse).filter((line) => line.kind === 'blob-part');
      expect(parts.map((line) => [line.data.part, line.data.parts])).toEqual([0, 1, 2, 3, 4, 5].map((part) => [part, 6]));
      expect(lines.map(parse).filter((line) => line.kind === 'blob')).toEqual([]);
      for (const line of lines) expect(line.length).toBeLessThan(PART_BYTES * 2);

      // This store to memory: the imported store rewinds the file to its bytes.
      const memory = SessionStore.memory();
      expect(await memory.import(lines)).toMatchObject({ sessions: { imported: 1, existing: 0 }, checkpoints: 1, blobs: 1 });
      await memory.rewind(made.sessionId, { toMessage: made.firstMessageId, rewindFiles: true, workspace: made.workspace });
      expect(readFileSync(join(made.workspace, 'large.bin')).equals(made.contents)).toBe(true);

      // Memory to this store, then files rewound by this store.
      const other = await sessionWithLargeFile(memory, workspaces);
      const target = await context.open();
      expect(await target.import(await exportedInParts(memory, other.sessionId))).toMatchObject({ checkpoints: 1, blobs: 1 });
      await target.rewind(other.sessionId, { toMessage: other.firstMessageId, rewindFiles: true, workspace: other.workspace });
      expect(readFileSync(join(other.workspace, 'large.bin')).equals(other.contents)).toBe(true);
      await memory.close();
    });

    it('refuses parts missing, out of order, interrupted or altered, with the line, and imports nothing', async () => {
      const origin = SessionStore.memory();
      const made = await sessionWithLargeFile(origin, workspaces);
      const lines = await exportedInParts(origin, made.sessionId);
      const first = lines.findIndex((line) => parse(line).kind === 'blob-part');
      const checkpoint = lines.findIndex((line) => parse(line).kind === 'checkpoint');
      const without = (index: number) => lines.filter((_, at) => at !== index);
      const swapped = [...lines];
      [swapped[first + 1], swapped[first + 2]] = [swapped[first + 2]!, swapped[first + 1]!];
      const interrupted = [...lines.slice(0, first + 2), lines[checkpoint]!, ...lines.slice(first + 2).filter((line) => line !== lines[checkpoint])];
      // Checksum recomputed, so only the whole blob's hash can catch the change.
      const part = parse(lines[first + 3]!).data;
      const changed = Buffer.from(part.base64 as string, 'base64');
      changed[0] = changed[0]! ^ 0xff;
      const altered = lines.map((line, index) => (index === first + 3 ? encodeLine('blob-part', { ...part, base64: changed.toString('base64') }) : line));
      const damaged: Array<[string, string[], number, string]> = [
        ['a missing first part', without(first), first + 1, 'without the parts before it'],
        ['a missing middle part', without(first + 2), first + 3, 'where part 2 of 6 was next'],
        ['parts out of order', swapped, first + 2, 'where part 1 of 6 was next'],
        ['another record between parts', interrupted, first + 3, 'ends after 2 of its 6 parts'],
        ['a part altered', altered, first + 6, 'does not hash to its name'],
      ];
      const target = await context.open();
      for (const [label, stream, line, reason] of damaged) {
        const error = await rejectionOf(target.import(stream));
        expect(ImportError.isInstance(error), `${label}: ${String(error)}`).toBe(true);
        expect((error as ImportError).line, label).toBe(line);
        expect((error as ImportError).message, label).toContain(reason);
        expect((error as ImportError).applied, label).toBe(false);
      }
      expect(await target.get(made.sessionId)).toBeUndefined();
      await origin.close();
    });
  });
}
