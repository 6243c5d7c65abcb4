/**
 * compact(): the path becomes a summary and the kept tail in one write, nothing is deleted
 * (`history` reads every message through every compaction), fork and rewind work across it, and
 * bad input changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { COMPACTION_SUMMARY_PREFIX, InvalidArgumentError, SessionConflictError, SessionExpiredError, SessionStore } from '../index.js';
import type { StoredMessage } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, conversation, expectUnchanged, idsOf, mustGet, rejectionOf, sessionWithMessages, snapshot, uniqueId, withoutIdentity } from './helpers.js';
import { compactedSession, plain, tenTokensEach, toolTurn } from './token-windows.js';

/** What a message says, without the id a copy gets. */
function bodies(messages: readonly StoredMessage[]): Array<Record<string, unknown>> {
  return messages.map(withoutIdentity);
}

export function registerCompactionTests(context: SuiteContext): void {
  describe('compact', () => {
    it('makes the path one summary message followed by the kept tail', async () => {
      const store = await context.open();
      const { session, messages, result } = await compactedSession(store, 8, 3);
      expect(result.compacted).toBe(true);
      const path = await store.getMessages(session.id);
      expect(path).toHaveLength(4);
      const [summary, ...tail] = path;
      expect(summary).toMatchObject({ id: result.compaction?.messageId, role: 'user', content: `${COMPACTION_SUMMARY_PREFIX}The first 5 messages.` });
      expect(summary?.metadata).toEqual({
        sessionloom: { compaction: { from: at(messages, 0).id, to: at(messages, 4).id, count: 5, tokens: 10, kept: 3 } },
      });
      // The kept tail is the same messages (times and bodies), under new ids.
      expect(bodies(tail)).toEqual(bodies(messages.slice(5)));
      expect(tail.map((message) => message.createdAt)).toEqual(messages.slice(5).map((message) => message.createdAt));
      expect(result.compaction).toMatchObject({ from: at(messages, 0).id, to: at(messages, 4).id, count: 5, kept: 3 });
      expect(result.session).toEqual(await mustGet(store, session.id));
      expect(result.session.version).toBe(session.version + 1);
      expect(await store.transcript(session.id)).toEqual(plain(path));
    });

    it('keeps every message readable through history, byte-identical, across two compactions', async () => {
      const store = await context.open();
      const { session, messages } = await compactedSession(store, 6, 2);
      const second = await store.append(session.id, conversation('second', 4));
      await store.compact(session.id, { summary: 'Everything so far.', keep: { lastMessages: 1 }, countTokens: tenTokensEach });
      const third = await store.append(session.id, conversation('third', 2));
      const history = [...messages, ...second, ...third];
      expect(await store.history(session.id)).toEqual(history);
      expect(await store.getMessages(session.id, { view: 'history' })).toEqual(history);
      expect(await store.history(session.id, { last: 3 })).toEqual(history.slice(-3));
      expect(await store.history(session.id, { after: at(messages, 3).id, limit: 4 })).toEqual(history.slice(4, 8));
      expect(await store.history(session.id, { before: at(second, 1).id, order: 'desc', limit: 2 })).toEqual([at(second, 0), at(messages, 5)]);
      const path = await store.getMessages(session.id);
      expect(bodies(path.slice(1))).toEqual(bodies([at(second, 3), ...third]));
    });

    it('with replacement, writes the given messages after the summary in the same write; history still reads every earlier message', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 5);
      const replacement = [
        { role: 'user' as const, content: 'the request, restated' },
        { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'where things stand' }], metadata: { from: 'an SDK' } },
      ];
      const result = await store.compact(session.id, { summary: 'Five messages.', replacement, metadata: { origin: 'test' } });
      expect(result.compacted).toBe(true);
      expect(result.session.version).toBe(session.version + 1);
      expect(result.compaction).toMatchObject({ from: at(messages, 0).id, to: at(messages, 4).id, count: 5, kept: 0, added: 2 });
      const path = await store.getMessages(session.id);
      expect(path).toHaveLength(3);
      expect(path[0]!.metadata).toMatchObject({ origin: 'test', sessionloom: { compaction: { count: 5, kept: 0, added: 2 } } });
      expect(path.slice(1).map(({ role, content, metadata }) => ({ role, content, ...(metadata ? { metadata } : {}) }))).toEqual(replacement);
      // The replacement belongs to the compacted view, as the summary does; the conversation is as it was written.
      expect(await store.history(session.id)).toEqual(messages);
      const after = await store.append(session.id, conversation('after', 1));
      expect(await store.history(session.id)).toEqual([...messages, ...after]);
      expect((await store.getMessages(session.id)).map((message) => message.id)).toEqual([...path, ...after].map((message) => message.id));
    });

    it('lists the compactions of the path in branches, oldest first', async () => {
      const store = await context.open();
      const { session, result } = await compactedSession(store, 6, 2);
      await store.append(session.id, conversation('more', 3));
      const second = await store.compact(session.id, { summary: 'Again.', countTokens: tenTokensEach });
      const branches = await store.branches(session.id);
      expect(branches.compactions).toEqual([result.compaction, second.compaction]);
      expect(branches.rewoundTails).toEqual([]);
      expect(second.compaction).toMatchObject({ count: 6, kept: 0 });
    });

    it('restores the uncompacted path on a rewind to a message before the compaction', async () => {
      const store = await context.open();
      const { session, messages } = await compactedSession(store, 8, 2);
      await store.rewind(session.id, { toMessage: at(messages, 6).id });
      expect(await store.getMessages(session.id)).toEqual(messages.slice(0, 7));
      expect(await store.history(session.id)).toEqual(messages.slice(0, 7));
      expect((await store.branches(session.id)).compactions).toEqual([]);
      const after = await store.append(session.id, conversation('after', 1));
      expect(await store.getMessages(session.id)).toEqual([...messages.slice(0, 7), ...after]);
    });

    it('forks from before a compaction sharing the uncompacted history, and from after it sharing the compacted path', async () => {
      const store = await context.open();
      const { session, messages } = await compactedSession(store, 8, 2);
      const early = await store.fork(session.id, { id: uniqueId('fork'), fromMessage: at(messages, 3).id });
      expect(await store.getMessages(early.id)).toEqual(messages.slice(0, 4));
      const late = await store.fork(session.id, { id: uniqueId('fork') });
      expect(await store.getMessages(late.id)).toEqual(await store.getMessages(session.id));
      expect(await store.history(late.id)).toEqual(messages);
      const lateReply = await store.append(late.id, conversation('late', 1));
      expect(await store.history(late.id)).toEqual([...messages, ...lateReply]);
      expect(await store.history(session.id)).toEqual(messages);
    });

    it('compacts a fresh fork and a just-rewound session, whose head segments are still empty', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 6);
      const fork = await store.fork(session.id, { id: uniqueId('fork'), fromMessage: at(messages, 4).id });
      const forked = await store.compact(fork.id, { summary: 'Five.', keep: { lastMessages: 1 }, countTokens: tenTokensEach });
      expect(forked.compaction).toMatchObject({ from: at(messages, 0).id, to: at(messages, 3).id, count: 4, kept: 1 });
      expect(await store.history(fork.id)).toEqual(messages.slice(0, 5));
      expect(bodies((await store.getMessages(fork.id)).slice(1))).toEqual(bodies([at(messages, 4)]));
      await store.rewind(session.id, { toMessage: at(messages, 2).id });
      const rewound = await store.compact(session.id, { summary: 'Three.', countTokens: tenTokensEach });
      expect(rewound.compaction).toMatchObject({ from: at(messages, 0).id, to: at(messages, 2).id, count: 3, kept: 0 });
      expect(await store.history(session.id)).toEqual(messages.slice(0, 3));
      expect(await store.getMessages(fork.id, { view: 'history' })).toEqual(messages.slice(0, 5));
    });

    it('keeps the newest tokens, never starting the kept tail with a tool result', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      const written = await store.append(session.id, [...toolTurn('one'), ...toolTurn('two')]);
      // 25 tokens keep the last answer and... the tool result (20 with its call would need 30): so the answer only.
      const first = await store.compact(session.id, { summary: 'One.', keep: { lastTokens: 25 }, countTokens: tenTokensEach });
      expect(first.compaction?.kept).toBe(1);
      await store.rewind(session.id, { toMessage: at(written, 7).id });
      const second = await store.compact(session.id, { summary: 'One.', keep: { lastMessages: 2 }, countTokens: tenTokensEach });
      expect(second.compaction?.kept).toBe(3);
      expect(bodies((await store.getMessages(session.id)).slice(1))).toEqual(bodies(written.slice(5)));
    });

    it('hands summarize the messages it replaces, the previous summary first', async () => {
      const store = await context.open();
      const { session, messages } = await compactedSession(store, 6, 2);
      const later = await store.append(session.id, conversation('later', 2));
      const seen: StoredMessage[][] = [];
      const result = await store.compact(session.id, {
        summarize: (replaced) => {
          seen.push(replaced);
          return 'Summary of summaries.';
        },
        keep: { lastMessages: 1 },
        countTokens: tenTokensEach,
      });
      const [replaced] = seen;
      expect(replaced?.[0]?.content).toBe(`${COMPACTION_SUMMARY_PREFIX}The first 4 messages.`);
      expect(bodies(replaced!.slice(1))).toEqual(bodies([...messages.slice(4), at(later, 0)]));
      expect(result.compaction).toMatchObject({ count: 4, kept: 1 });
    });

    it('answers a keep that covers the whole path with a no-op and its reason', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 4);
      const before = await snapshot(store, session.id);
      const result = await store.compact(session.id, { summary: 'Nothing.', keep: { lastMessages: 10 } });
      expect(result).toMatchObject({ compacted: false, session: before.session });
      expect(result.reason).toMatch(/covers the whole path of 4 messages/);
      const empty = await store.create({ id: uniqueId('session') });
      expect((await store.compact(empty.id, { summary: 'Nothing.' })).reason).toMatch(/empty/);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses an empty summary, an oversized one, bad options and a failing summarizer, changing nothing', async () => {
      const store = await context.open({ maxMessageBytes: 2_000 });
      const { session } = await sessionWithMessages(store, 4);
      const before = await snapshot(store, session.id);
      const refusals = [
        { summary: '' },
        { summary: '   \n' },
        { summary: 'x'.repeat(2_001) },
        { summarize: () => '' },
        { summarize: () => 42 },
        { summary: 'a', summarize: () => 'b' },
        {},
        { summary: 'a', keep: { lastMessages: -1 } },
        { summary: 'a', keep: { everything: true } },
        { summary: 'a', keep: { lastMessages: 1 }, replacement: [{ role: 'user', content: 'x' }] },
        { summary: 'a', replacement: [] },
        { summary: 'a', replacement: [{ role: 'robot', content: 'x' }] },
        { summary: 'a', replacement: [{ id: uniqueId('message'), role: 'user', content: 'x' }] },
        { summary: 'a', replacement: [{ role: 'user', content: 'x'.repeat(2_001) }] },
        { summary: 'a', metadata: { sessionloom: { compaction: 'forged' } } },
      ];
      for (const options of refusals) {
        expect(await rejectionOf(store.compact(session.id, options as never)), JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
      }
      const failure = new Error('the summarizer is down');
      expect(await rejectionOf(store.compact(session.id, { summarize: () => Promise.reject(failure) }))).toBe(failure);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses to compact an expired session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 4);
      await store.expire(session.id);
      const before = await snapshot(store, session.id);
      expect(await rejectionOf(store.compact(session.id, { summary: 'Too late.' }))).toBeInstanceOf(SessionExpiredError);
      await expectUnchanged(store, session.id, before);
    });

    it('lets one of two concurrent compactions win; the other gets SessionConflictError and nothing is lost', async () => {
      const store = await context.open();
      const other = await context.open();
      const { session, messages } = await sessionWithMessages(store, 6);
      let release: () => void = () => {};
      let entered: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const summarizing = new Promise<void>((resolve) => {
        entered = resolve;
      });
      // The slow one has read the session and is summarizing when the fast one writes.
      const slow = store.compact(session.id, {
        summarize: async () => {
          entered();
          await gate;
          return 'Slow summary.';
        },
        keep: { lastMessages: 2 },
        countTokens: tenTokensEach,
      });
      await summarizing;
      const fast = await other.compact(session.id, { summary: 'Fast summary.', keep: { lastMessages: 1 }, countTokens: tenTokensEach });
      release();
      const conflict = await rejectionOf(slow);
      expect(conflict).toBeInstanceOf(SessionConflictError);
      expect(fast.compacted).toBe(true);
      expect((await store.getMessages(session.id))[0]?.id).toBe(fast.compaction?.messageId);
      expect(await store.history(session.id)).toEqual(messages);
      expect(await rejectionOf(store.compact(session.id, { summary: 'Stale.', expectedVersion: session.version }))).toBeInstanceOf(SessionConflictError);
    });

    it('survives an export and import: the compacted path, the history and the compactions', async () => {
      const store = await context.open();
      const { session } = await compactedSession(store, 6, 2);
      await store.append(session.id, conversation('after', 2));
      const lines: string[] = [];
      for await (const line of store.export([session.id])) lines.push(line);
      const copy = SessionStore.memory();
      try {
        await copy.import(lines);
        expect(await copy.getMessages(session.id)).toEqual(await store.getMessages(session.id));
        expect(await copy.history(session.id)).toEqual(await store.history(session.id));
        expect((await copy.branches(session.id)).compactions).toEqual((await store.branches(session.id)).compactions);
        expect(idsOf(await copy.history(session.id))).toHaveLength(8);
      } finally {
        await copy.close();
      }
    });
  });
}
