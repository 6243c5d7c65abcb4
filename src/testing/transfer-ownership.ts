/**
 * An import can never reach another user's data. Export streams name segments and messages by id,
 * and ids are not secrets: each test below is a hostile stream that tries to graft, plant or claim
 * another user's history, refused with an `ImportError` and changing nothing that user can see.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportError, SessionStore } from '../index.js';
import { decodeLine, encodeLine, type RecordKind } from '../transfer/format.js';
import type { SuiteContext } from './context.js';
import { assistantMessage, rejectionOf, uniqueId, userMessage } from './helpers.js';

interface Line {
  kind: RecordKind;
  data: Record<string, unknown>;
}

async function exportedLines(store: SessionStore, ids?: string[]): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const text of store.export(ids)) lines.push(decodeLine(text) as Line);
  return lines;
}

/** The records as a valid stream again: checksums and the end count recomputed. */
function encode(lines: Line[]): string[] {
  const body = lines.filter((line) => line.kind !== 'end');
  return [...body.map((line) => encodeLine(line.kind, line.data)), encodeLine('end', { records: body.length })];
}

async function expectRefused(store: SessionStore, lines: Line[], reason: RegExp): Promise<void> {
  const error = await rejectionOf(store.import(encode(lines)));
  expect(ImportError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(reason);
}

export function registerTransferOwnershipTests(context: SuiteContext): void {
  describe('import ownership', () => {
    const workspaces = mkdtempSync(join(tmpdir(), 'sessionloom-ownership-'));
    afterAll(() => rmSync(workspaces, { recursive: true, force: true }));

    /** User B's conversation, and user A's own (with a checkpoint), exported from a scoped view. */
    async function twoUsers() {
      const store = await context.open();
      const userA = uniqueId('user-a');
      const userB = uniqueId('user-b');
      const victim = await store.create({ userId: userB, id: uniqueId('victim') });
      const [secret] = await store.append(victim.id, [userMessage('my card number is 4242'), assistantMessage('noted')]);
      const victimRecord = (await store.records.driver.getSession(victim.id))!;
      const mine = await store.create({ userId: userA, id: uniqueId('mine') });
      const workspace = mkdtempSync(join(workspaces, 'workspace-'));
      writeFileSync(join(workspace, 'a.txt'), `planted by ${userA}`);
      await store.append(mine.id, userMessage('hello'));
      await store.checkpoint(mine.id, { workspace });
      const scoped = store.withScope({ userId: userA });
      const lines = await exportedLines(scoped, [mine.id]);
      return { store, scoped, userA, userB, victim, secret: secret!, victimHead: victimRecord.headSegmentId, mine, lines };
    }

    /** B's view is exactly as before, and B can still append. */
    async function expectVictimIntact(store: SessionStore, victimId: string, before: unknown): Promise<void> {
      expect(await store.getMessages(victimId)).toEqual(before);
      await expect(store.append(victimId, userMessage('still mine'))).resolves.toHaveLength(1);
    }

    it('refuses a session whose head is another user\'s segment (scoped and unscoped)', async () => {
      const { store, scoped, victim, victimHead, lines } = await twoUsers();
      const before = await store.getMessages(victim.id);
      const hijackId = uniqueId('hijack');
      const hijack = lines.map((line) => (line.kind === 'session' ? { ...line, data: { ...line.data, id: hijackId, headSegmentId: victimHead } } : line));
      const withoutOwnSegments = hijack.filter((line) => line.kind !== 'segment' && line.kind !== 'message' && line.kind !== 'checkpoint' && line.kind !== 'blob');
      await expectRefused(scoped, withoutOwnSegments, /another session's|another user/);
      // Unscoped too: two sessions never share a head segment.
      await expectRefused(store, withoutOwnSegments, /another session's/);
      expect(await store.get(hijackId)).toBeUndefined();
      await expectVictimIntact(store, victim.id, before);
    });

    it('refuses a new segment continuing another user\'s history', async () => {
      const { store, scoped, victim, victimHead, mine, lines } = await twoUsers();
      const before = await store.getMessages(victim.id);
      const graftId = uniqueId('graft');
      const segmentId = uniqueId('segment');
      const graft: Line[] = [
        lines[0]!,
        { kind: 'segment', data: { id: segmentId, sessionId: graftId, parentId: victimHead, baseSeq: 2, createdAt: 1 } },
        { kind: 'session', data: { ...lines.find((line) => line.kind === 'session')!.data, id: graftId, headSegmentId: segmentId, messageCount: 2 } },
      ];
      await expectRefused(scoped, graft, /another user's session/);
      await expectRefused(store, graft, /another user's session/);
      expect(await store.get(graftId)).toBeUndefined();
      expect(await store.getMessages(mine.id)).toHaveLength(1);
      await expectVictimIntact(store, victim.id, before);
    });

    it('refuses messages planted into another user\'s (or any existing) segment', async () => {
      const { store, scoped, victim, victimHead, lines } = await twoUsers();
      const before = await store.getMessages(victim.id);
      const victimSegment = (await store.records.driver.getSegment(victimHead))!;
      const plantedId = uniqueId('planted');
      const message = lines.find((line) => line.kind === 'message')!;
      const plant: Line[] = [
        lines[0]!,
        { kind: 'segment', data: { ...victimSegment } },
        { kind: 'message', data: { ...message.data, id: plantedId, segmentId: victimHead, seq: 3 } },
        ...lines.filter((line) => line.kind !== 'header'),
      ];
      await expectRefused(scoped, plant, /outside this store's scope|never writes into an existing segment/);
      await expectRefused(store, plant, /never writes into an existing segment/);
      expect(await store.records.driver.locateMessage(plantedId)).toBeUndefined();
      await expectVictimIntact(store, victim.id, before);
    });

    it('refuses an operation record naming another user\'s messages', async () => {
      const { store, scoped, secret, mine, lines } = await twoUsers();
      const sessionIndex = lines.findIndex((line) => line.kind === 'session');
      const renamed = uniqueId('mine-copy');
      const ownSegment = lines.find((line) => line.kind === 'segment' && line.data.sessionId === mine.id)!;
      const copy = lines
        .filter((line) => line.kind !== 'checkpoint' && line.kind !== 'blob')
        .map((line) => (line.kind === 'segment' && line === ownSegment ? { ...line, data: { ...line.data, sessionId: renamed, id: `${renamed}-seg` } } : line))
        .map((line) => (line.kind === 'message' ? { ...line, data: { ...line.data, id: uniqueId('copy-msg'), segmentId: `${renamed}-seg` } } : line))
        .map((line, index) => (index === sessionIndex ? { ...line, data: { ...line.data, id: renamed, headSegmentId: `${renamed}-seg` } } : line));
      copy.splice(sessionIndex, 0, { kind: 'operation', data: { sessionId: renamed, operationId: 'retry-me', messageIds: [secret.id], createdAt: 1 } });
      await expectRefused(scoped, copy, /not a message of session/);
      expect(await store.get(renamed)).toBeUndefined();
    });

    it('refuses a checkpoint keyed by another user\'s message', async () => {
      const { store, scoped, secret, victim, lines } = await twoUsers();
      const planted = lines.map((line) => (line.kind === 'checkpoint' ? { ...line, data: { ...line.data, messageId: secret.id } } : line));
      expect(planted.some((line) => line.kind === 'checkpoint')).toBe(true);
      await expectRefused(scoped, planted, /not on the history of session/);
      await expectRefused(store, planted, /not on the history of session/);
      expect(await (store.records.driver as unknown as { getCheckpoint(id: string): Promise<unknown> }).getCheckpoint(secret.id)).toBeUndefined();
      expect((await store.getMessages(victim.id)).length).toBe(2);
    });

    it('refuses message bodies nested deeper than a message may be, as append would', async () => {
      const { lines } = await twoUsers();
      // Into a store that lacks these segments, so only the body's depth stands in the way.
      const target = SessionStore.memory();
      const deepBody = '{"role":"user","content":[{"type":"text","text":"x","providerOptions":' + '{"a":'.repeat(1_000) + '1' + '}'.repeat(1_000) + '}]}';
      const poisoned = lines.map((line) => (line.kind === 'message' ? { ...line, data: { ...line.data, id: uniqueId('deep'), body: deepBody } } : line));
      await expectRefused(target, poisoned, /nested more than/);
      expect((await target.list()).sessions).toEqual([]);
      await expect(target.import(encode(lines))).resolves.toMatchObject({ sessions: { imported: 1 } });
    });

    it('checks the write pass too: a source that changes between its two reads creates nothing out of scope', async () => {
      const { store, scoped, userA, userB } = await twoUsers();
      const origin = SessionStore.memory();
      const claimedId = uniqueId('claimed');
      await origin.create({ id: claimedId, userId: userA, messages: [userMessage('hello')] });
      const honest = await exportedLines(origin);
      const forged = honest.map((line) => (line.kind === 'session' ? { ...line, data: { ...line.data, userId: userB } } : line));
      let reads = 0;
      const error = await rejectionOf(scoped.import(() => (reads++ === 0 ? encode(honest) : encode(forged))));
      expect(reads).toBe(2);
      expect(ImportError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/another user than this store's scope/);
      expect(await store.get(claimedId)).toBeUndefined();
      // The honest stream alone imports.
      await expect(scoped.import(encode(honest))).resolves.toMatchObject({ sessions: { imported: 1 } });
      expect((await store.get(claimedId))?.userId).toBe(userA);
    });
  });
}
