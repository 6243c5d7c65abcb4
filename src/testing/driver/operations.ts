/** Operation records: read back by `(sessionId, operationId)`, listed per session by `createdAt`, then operation id. */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { createSession, operationRecord, uniqueId } from './records.js';

export function registerOperationTests(context: DriverSuiteContext): void {
  describe('operations', () => {
    it('reads an operation back exactly, only under its own session', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 2);
      const operation = operationRecord(session.id, { messageIds: messages.map((message) => message.id), createdAt: 5 });
      await driver.commit({ operations: [operation] });
      expect(await driver.getOperation(session.id, operation.operationId)).toStrictEqual(operation);
      expect(await driver.getOperation(uniqueId('other'), operation.operationId)).toBeUndefined();
      expect(await driver.getOperation(session.id, uniqueId('operation'))).toBeUndefined();
    });

    it('lists a session\'s operations oldest first, ties by operation id, and no other session\'s', async ({ skip }) => {
      const driver = context.operationListingDriver({ skip });
      const { session } = await createSession(driver);
      const { session: other } = await createSession(driver);
      const late = operationRecord(session.id, { operationId: 'a-late', createdAt: 3_000 });
      const tieB = operationRecord(session.id, { operationId: 'b-tie', createdAt: 2_000, messageIds: ['m1', 'm2'] });
      const tieA = operationRecord(session.id, { operationId: 'a-tie', createdAt: 2_000 });
      const early = operationRecord(session.id, { operationId: 'z-early', createdAt: 1_000 });
      await driver.commit({ operations: [late, tieB] });
      await driver.commit({ operations: [tieA, early, operationRecord(other.id, { operationId: 'a-tie', createdAt: 2_000 })] });
      expect(await driver.listOperations(session.id)).toStrictEqual([early, tieA, tieB, late]);
      expect(await driver.listOperations(uniqueId('nobody'))).toEqual([]);
    });
  });
}
