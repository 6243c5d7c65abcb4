/**
 * `searchMessages` (capability `search`): the index follows every commit and deletion, all or
 * nothing with the batch; filters, spans, order and paging as the contract says.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessageRecord, MessageSearchHit, MessageSearchQuery, SessionRecord, StorageDriver } from '../../driver/driver.js';
import type { DriverSuiteContext, TestControls } from './context.js';
import { createSession, messageRecord, segmentRecord, uniqueId } from './records.js';

type SearchDriver = StorageDriver & Required<Pick<StorageDriver, 'searchMessages'>>;

function searchDriver(context: DriverSuiteContext, test: TestControls): SearchDriver {
  const driver = context.driver();
  if (driver.capabilities.search !== true) test.skip(`${driver.name} does not declare capabilities.search`);
  return driver as SearchDriver;
}

/** A term no other test writes (search-text.ts makes terms of letters and digits, lower case). */
function uniqueTerm(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

function says(text: string): string {
  return JSON.stringify({ role: 'user', content: text });
}

function query(terms: string[], overrides: Partial<MessageSearchQuery> = {}): MessageSearchQuery {
  return { terms, lastTermIsPrefix: false, offset: 0, limit: 50, ...overrides };
}

/** The hits: a driver that declares `search` and keeps its index answers them (undefined is for an index not kept). */
async function hitsOf(driver: SearchDriver, search: MessageSearchQuery): Promise<MessageSearchHit[]> {
  const hits = await driver.searchMessages(search);
  if (hits === undefined) throw new Error(`${driver.name} declares capabilities.search but answered undefined (no index kept).`);
  return hits;
}

async function foundIds(driver: SearchDriver, search: MessageSearchQuery): Promise<string[]> {
  return (await hitsOf(driver, search)).map((hit) => hit.message.id);
}

/** Commits `texts` as the session's next messages, its head moved past them (as the core writes an append). */
async function append(driver: StorageDriver, session: SessionRecord, texts: string[], overrides: Array<Partial<MessageRecord>> = []): Promise<{ session: SessionRecord; messages: MessageRecord[] }> {
  const messages = texts.map((text, index) =>
    messageRecord(session.headSegmentId, session.messageCount + index + 1, { body: says(text), ...overrides[index] }),
  );
  const next = { ...session, messageCount: session.messageCount + texts.length, version: session.version + 1 };
  await driver.commit({ sessions: [{ record: next, expectedVersion: session.version }], messages });
  return { session: next, messages };
}

export function registerSearchIndexTests(context: DriverSuiteContext): void {
  describe('searchMessages', () => {
    it('finds a committed message with its owner and a positive score; every term is needed, the last may be a prefix', async (test) => {
      const driver = searchDriver(context, test);
      const [term, other] = [uniqueTerm(), uniqueTerm()];
      const { session } = await createSession(driver);
      const { messages: [both, one] } = await append(driver, session, [`${term} and ${other}`, `only ${term}`]);
      const [hit] = await hitsOf(driver, query([term, other]));
      expect(hit?.message).toStrictEqual(both);
      expect(hit?.sessionId).toBe(session.id);
      expect(hit?.score).toBeGreaterThan(0);
      expect(await foundIds(driver, query([term, other.slice(0, 8)], { lastTermIsPrefix: true }))).toEqual([both!.id]);
      expect(await foundIds(driver, query([term, other.slice(0, 8)]))).toEqual([]);
      expect(new Set(await foundIds(driver, query([term])))).toEqual(new Set([both!.id, one!.id]));
    });

    it('indexes nothing of a batch that failed, and forgets messages deleted as a tail or with their segment', async (test) => {
      const driver = searchDriver(context, test);
      const term = uniqueTerm();
      const { session } = await createSession(driver);
      const lost = messageRecord(session.headSegmentId, 1, { body: says(term) });
      const stale = { ...session, messageCount: 1, version: 9 };
      await expect(driver.commit({ messages: [lost], sessions: [{ record: stale, expectedVersion: 5 }] })).rejects.toThrow();
      expect(await foundIds(driver, query([term]))).toEqual([]);

      const { session: moved, messages: [kept, tail] } = await append(driver, session, [`${term} kept`, `${term} tail`]);
      const branch = segmentRecord(session.id, { parentId: moved.headSegmentId, baseSeq: 2 });
      const onBranch = messageRecord(branch.id, 3, { body: says(`${term} branch`) });
      await driver.commit({ segments: [branch], messages: [onBranch] });
      expect(new Set(await foundIds(driver, query([term])))).toEqual(new Set([kept!.id, tail!.id, onBranch.id]));
      await driver.deleteMessagesAfter(session.headSegmentId, 1);
      await driver.deleteSegment(branch.id);
      expect(await foundIds(driver, query([term]))).toEqual([kept!.id]);
    });

    it('without spans, finds only messages of existing sessions, of the user and agent asked for', async (test) => {
      const driver = searchDriver(context, test);
      const term = uniqueTerm();
      const [userId, agentId] = [uniqueId('user'), uniqueId('agent')];
      const mine = await append(driver, (await createSession(driver, { userId, agentId })).session, [term]);
      const theirs = await append(driver, (await createSession(driver, { userId: uniqueId('user') })).session, [term]);
      const gone = await append(driver, (await createSession(driver)).session, [term]);
      await driver.commit({ deleteSessions: [{ id: gone.session.id, expectedVersion: gone.session.version }] });
      const [inMine, inTheirs, inGone] = [mine.messages[0]!, theirs.messages[0]!, gone.messages[0]!];
      expect(new Set(await foundIds(driver, query([term])))).toEqual(new Set([inMine.id, inTheirs.id]));
      expect(await foundIds(driver, query([term], { userId }))).toEqual([inMine.id]);
      expect(await foundIds(driver, query([term], { agentId }))).toEqual([inMine.id]);
      expect(await foundIds(driver, query([term], { userId, agentId: uniqueId('agent') }))).toEqual([]);
      // With spans, a message is found whoever wrote it, its session deleted or not.
      const within = [{ segmentId: gone.session.headSegmentId, fromSeq: 1, toSeq: 1 }];
      expect(await hitsOf(driver, query([term], { within }))).toMatchObject([{ message: inGone, sessionId: gone.session.id }]);
    });

    it('with spans, finds only messages inside them', async (test) => {
      const driver = searchDriver(context, test);
      const term = uniqueTerm();
      const { messages } = await append(driver, (await createSession(driver)).session, [term, term, term, term]);
      await append(driver, (await createSession(driver)).session, [term]);
      const segmentId = messages[0]!.segmentId;
      const within = [
        { segmentId, fromSeq: 2, toSeq: 3 },
        { segmentId: uniqueId('segment'), fromSeq: 1, toSeq: Number.MAX_SAFE_INTEGER },
      ];
      expect(new Set(await foundIds(driver, query([term], { within })))).toEqual(new Set([messages[1]!.id, messages[2]!.id]));
      expect(await foundIds(driver, query([term], { within: [{ segmentId, fromSeq: 1, toSeq: Number.MAX_SAFE_INTEGER }] }))).toHaveLength(4);
      expect(await foundIds(driver, query([term], { within: [] }))).toEqual([]);
    });

    it('orders best first, ties by segment then position (both descending), and pages by offset and limit', async (test) => {
      const driver = searchDriver(context, test);
      const term = uniqueTerm();
      const { session } = await createSession(driver);
      const texts = [`${term} pad pad pad`, `${term} ${term} ${term} pad`, `${term} pad pad pad`, `${term} pad pad pad`];
      const { session: moved, messages } = await append(driver, session, texts);
      const [first, best, third, fourth] = messages as [MessageRecord, MessageRecord, MessageRecord, MessageRecord];
      // A segment whose id sorts after the head's: its equal match comes before theirs.
      const later = segmentRecord(session.id, { id: `${moved.headSegmentId}-later`, parentId: moved.headSegmentId, baseSeq: 4 });
      const onLater = messageRecord(later.id, 5, { body: says(`${term} pad pad pad`) });
      await driver.commit({ segments: [later], messages: [onLater] });
      const ordered = await foundIds(driver, query([term]));
      expect(ordered).toEqual([best.id, onLater.id, fourth.id, third.id, first.id]);
      expect(await foundIds(driver, query([term], { offset: 1, limit: 2 }))).toEqual(ordered.slice(1, 3));
      expect(await foundIds(driver, query([term], { offset: 5 }))).toEqual([]);
    });
  });
}
