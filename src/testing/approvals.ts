/**
 * Runs that wait for a person, at the store level (what `Runner` builds on): a parked run
 * (`awaitApproval`) is `awaiting-approval` for every store object, its requests are listed by
 * `pendingApprovals` in scope, answered once from anywhere (`answerApprovals`, a compare-and-set:
 * of two racing answers exactly one wins), taken back by one runner (`claimAnsweredRun`), timed out
 * by `approvalTimeoutMs`, ended by `cancelRun`; the AI SDK's approval parts round-trip as messages.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RunNotFoundError, SessionConflictError, type SessionStore } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { mustGet, rejectionOf, sessionWithMessages, uniqueId } from './helpers.js';

interface Parked {
  sessionId: string;
  runId: string;
  approvalIds: string[];
}

/** A run parked with `count` requests, on a session of `userId`. */
async function parkedRun(store: SessionStore, count: number, userId = uniqueId('user')): Promise<Parked> {
  const { session } = await sessionWithMessages(store, 1, { userId });
  const run = await store.startRun(session.id, { agentName: 'approvals' });
  const approvals = Array.from({ length: count }, (_, index) => ({
    approvalId: uniqueId('approval'),
    toolCallId: uniqueId('call'),
    toolName: 'refund',
    input: { order: String(index), amount: 10 + index, note: 'ümlaut ✓' },
    step: 1,
  }));
  await store.awaitApproval(run.id, { approvals, usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } });
  return { sessionId: session.id, runId: run.id, approvalIds: approvals.map((approval) => approval.approvalId) };
}

function idsOfPending(pending: Array<{ approvalId: string }>): string[] {
  return pending.map((request) => request.approvalId);
}

export function registerApprovalTests(context: SuiteContext): void {
  describe('approvals: runs that wait for a person', () => {
    it('a parked run waits, for every store object, with its requests listed in scope and its usage counted', async () => {
      const writer = await context.open();
      const userId = uniqueId('user');
      const parked = await parkedRun(writer, 2, userId);
      const reader = await context.open();
      const run = await reader.getRun(parked.runId);
      expect(run?.status).toBe('awaiting-approval');
      expect(run?.approvals?.map((approval) => approval.input)).toEqual([
        { order: '0', amount: 10, note: 'ümlaut ✓' },
        { order: '1', amount: 11, note: 'ümlaut ✓' },
      ]);
      expect(run?.usage.totalTokens).toBe(7);
      expect((await mustGet(reader, parked.sessionId)).usage.totalTokens).toBe(7);
      expect(idsOfPending(await reader.pendingApprovals({ sessionId: parked.sessionId }))).toEqual(parked.approvalIds);
      expect(idsOfPending(await reader.pendingApprovals({ runId: parked.runId }))).toEqual(parked.approvalIds);
      expect(idsOfPending(await reader.pendingApprovals({ userId }))).toEqual(parked.approvalIds);
      const everything = await reader.pendingApprovals();
      expect(idsOfPending(everything.filter((request) => request.sessionId === parked.sessionId))).toEqual(parked.approvalIds);
      expect(everything.find((request) => request.runId === parked.runId)).toMatchObject({ userId, toolName: 'refund', agentName: 'approvals' });
      // Another user's store sees none of it, and another user's id finds nothing.
      const stranger = reader.withScope({ userId: uniqueId('user') });
      expect(await stranger.pendingApprovals()).toEqual([]);
      expect(await stranger.pendingApprovals({ sessionId: parked.sessionId })).toEqual([]);
      expect(RunNotFoundError.isInstance(await rejectionOf(stranger.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: true }])))).toBe(true);
      expect(await reader.pendingApprovals({ userId: uniqueId('user') })).toEqual([]);
      // While it waits, the session takes no other run.
      expect(SessionConflictError.isInstance(await rejectionOf(reader.startRun(parked.sessionId)))).toBe(true);
    });

    it('answers are kept from anywhere, partial ones too; bad answers are typed errors that change nothing', async () => {
      const writer = await context.open();
      const parked = await parkedRun(writer, 2);
      const other = await context.open();
      const before = await mustGet(other, parked.sessionId);
      for (const answers of [
        [{ approvalId: 'approval_unknown', approved: true }],
        [{ approvalId: parked.approvalIds[0]!, approved: 'yes' }],
        [{ approvalId: parked.approvalIds[0]!, approved: true, reason: 7 }],
        [{ approvalId: parked.approvalIds[0]!, approved: true, extra: 1 }],
        [],
      ]) {
        expect(InvalidArgumentError.isInstance(await rejectionOf(other.answerApprovals(parked.runId, answers as never)))).toBe(true);
      }
      expect((await mustGet(other, parked.sessionId)).version).toBe(before.version);

      const answered = await other.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: false, reason: 'too much' }]);
      expect(answered.status).toBe('awaiting-approval');
      expect(answered.approvals?.[0]?.decision).toMatchObject({ approved: false, reason: 'too much' });
      expect(idsOfPending(await writer.pendingApprovals({ runId: parked.runId }))).toEqual([parked.approvalIds[1]]);
      // Nothing resumes while a request still waits.
      expect(await writer.claimAnsweredRun(parked.runId)).toBeUndefined();
      const afterAnswer = await mustGet(other, parked.sessionId);
      const twice = await rejectionOf(writer.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: true }]));
      expect(SessionConflictError.isInstance(twice)).toBe(true);
      expect((await mustGet(other, parked.sessionId)).version).toBe(afterAnswer.version);
      expect((await other.getRun(parked.runId))?.approvals?.[0]?.decision?.approved).toBe(false);
    });

    it('of two store objects answering one request at once, exactly one wins', async () => {
      const stores = await Promise.all([context.open(), context.open(), context.open()]);
      const parked = await parkedRun(stores[0]!, 1);
      const outcomes = await Promise.allSettled(
        stores.map((store, index) => store.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: index % 2 === 0, reason: `store ${index}` }])),
      );
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(SessionConflictError.isInstance(outcome.reason)).toBe(true);
      const winner = winners[0] as PromiseFulfilledResult<{ approvals?: Array<{ decision?: { reason?: string } }> }>;
      expect((await stores[1]!.getRun(parked.runId))?.approvals?.[0]?.decision?.reason).toBe(winner.value.approvals?.[0]?.decision?.reason);
    });

    it('once all are answered one runner claims the run back; a second claim, or a finished run, is a conflict', async () => {
      const stores = await Promise.all([context.open(), context.open()]);
      const parked = await parkedRun(stores[0]!, 1);
      await stores[1]!.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: true }]);
      const claims = await Promise.allSettled(stores.map((store) => store.claimAnsweredRun(parked.runId)));
      expect(claims.filter((claim) => claim.status === 'fulfilled')).toHaveLength(1);
      for (const claim of claims) if (claim.status === 'rejected') expect(SessionConflictError.isInstance(claim.reason)).toBe(true);
      expect((await stores[1]!.getRun(parked.runId))?.status).toBe('running');
      expect(await stores[1]!.pendingApprovals({ runId: parked.runId })).toEqual([]);
      const finished = await stores[0]!.finishRun(parked.runId, { status: 'completed', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
      expect(finished.usage.totalTokens).toBe(9);
      expect((await mustGet(stores[1]!, parked.sessionId)).usage.totalTokens).toBe(9);
      expect(SessionConflictError.isInstance(await rejectionOf(stores[1]!.claimAnsweredRun(parked.runId)))).toBe(true);
      // The session takes runs again.
      expect((await stores[1]!.startRun(parked.sessionId)).status).toBe('running');
    });

    it('approvalTimeoutMs turns a forgotten request into a denial on read, and the run can then be claimed', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now, approvalTimeoutMs: 60_000 });
      const parked = await parkedRun(store, 1);
      expect(idsOfPending(await store.pendingApprovals({ runId: parked.runId }))).toEqual(parked.approvalIds);
      clock.advance(60_001);
      expect(await store.pendingApprovals({ runId: parked.runId })).toEqual([]);
      expect((await store.getRun(parked.runId))?.approvals?.[0]?.decision).toMatchObject({ approved: false, timedOut: true });
      expect(SessionConflictError.isInstance(await rejectionOf(store.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: true }])))).toBe(true);
      const claimed = await store.claimAnsweredRun(parked.runId);
      expect(claimed?.status).toBe('running');
      expect(claimed?.approvals?.[0]?.decision?.timedOut).toBe(true);
    });

    it('cancelRun ends a waiting run; its requests can no longer be answered', async () => {
      const store = await context.open();
      const parked = await parkedRun(store, 1);
      const cancelled = await (await context.open()).cancelRun(parked.runId, { reason: 'never mind' });
      expect(cancelled.status).toBe('cancelled');
      expect(await store.pendingApprovals({ sessionId: parked.sessionId })).toEqual([]);
      expect(SessionConflictError.isInstance(await rejectionOf(store.answerApprovals(parked.runId, [{ approvalId: parked.approvalIds[0]!, approved: true }])))).toBe(true);
      expect((await store.runEvents(parked.runId)).at(-1)?.type).toBe('run-end');
      expect((await store.startRun(parked.sessionId)).status).toBe('running');
    });

    it("stores the AI SDK's approval request and response parts as messages, read back deep-equal", async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const written = [
        {
          role: 'assistant' as const,
          content: [
            { type: 'tool-call' as const, toolCallId: 'call-1', toolName: 'refund', input: { order: '42' } },
            { type: 'tool-approval-request' as const, approvalId: 'approval-1', toolCallId: 'call-1' },
          ],
        },
        {
          role: 'tool' as const,
          content: [
            { type: 'tool-approval-response' as const, approvalId: 'approval-1', approved: false, reason: 'no' },
            { type: 'tool-result' as const, toolCallId: 'call-1', toolName: 'refund', output: { type: 'execution-denied' as const, reason: 'no' } },
          ],
        },
      ];
      await store.append(session.id, written);
      const read = await (await context.open()).getMessages(session.id, { last: 2 });
      expect(read.map(({ role, content }) => ({ role, content }))).toEqual(written);
    });
  });
}
