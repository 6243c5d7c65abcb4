/**
 * `readMessageJson` (capability `messageJson`): each message of a range as the JSON text of what the
 * caller reads, which must parse to exactly what `toStoredMessage` makes of `readMessages`' record
 * (same keys, same order, same values), for the bodies the core writes: JSON objects as
 * `JSON.stringify` writes them.
 */
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../common/codec.js';
import type { MessageRecord, StorageDriver } from '../../driver/driver.js';
import { toStoredMessage } from '../../session/messages.js';
import type { DriverSuiteContext, TestControls } from './context.js';
import { createSession, messageRecord, uniqueId } from './records.js';

type Range = { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number };
type MessageJsonDriver = StorageDriver & Required<Pick<StorageDriver, 'readMessageJson'>>;

function messageJsonDriver(context: DriverSuiteContext, test: TestControls): MessageJsonDriver {
  const driver = context.driver();
  if (driver.capabilities.messageJson !== true) test.skip(`${driver.name} does not declare capabilities.messageJson`);
  return driver as MessageJsonDriver;
}

/** Both readings of one range, the text decoded as the core does (tagged values revived); keys listed so their order is compared too. */
async function bothReadings(driver: MessageJsonDriver, segmentId: string, range: Range) {
  const records = await driver.readMessages(segmentId, range);
  const texts = await driver.readMessageJson(segmentId, range);
  const expected = records.map(toStoredMessage);
  const parsed = texts.map((text) => decodeJson(text) as Record<string, unknown>);
  return { expected, parsed, expectedKeys: expected.map((message) => Object.keys(message)), parsedKeys: parsed.map((message) => Object.keys(message)) };
}

export function registerMessageJsonTests(context: DriverSuiteContext): void {
  describe('readMessageJson', () => {
    it('reads each message as the JSON of what the caller sees, for every range, order and limit', async (test) => {
      const driver = messageJsonDriver(context, test);
      const { session } = await createSession(driver);
      const bodies: Array<Partial<MessageRecord>> = [
        { runId: uniqueId('run') },
        { body: JSON.stringify({ role: 'assistant', content: [{ type: 'text', text: 'nested } braces {}' }], metadata: { a: { b: [] } } }) },
        { body: JSON.stringify({ role: 'user', content: 'nul \u0000, lone \ud800, emoji 🎉, quote " and \\, "id": "not this one"' }) },
        { body: '{}' },
        { body: JSON.stringify({ role: 'tool', content: [{ type: 'tool-result', output: { $sl: 'bytes', base64: 'AAEC' } }] }), runId: uniqueId('run') },
        { createdAt: 1_765_000_000_123 },
      ];
      const messages = bodies.map((overrides, index) => messageRecord(session.headSegmentId, index + 1, overrides));
      await driver.commit({ sessions: [{ record: { ...session, version: 2, messageCount: messages.length }, expectedVersion: 1 }], messages });

      const ranges: Range[] = [
        { fromSeq: 1, toSeq: messages.length, order: 'asc' },
        { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'desc' },
        { fromSeq: 2, toSeq: 5, order: 'desc', limit: 2 },
        { fromSeq: 3, toSeq: 3, order: 'asc' },
        { fromSeq: 1, toSeq: messages.length, order: 'asc', limit: 0 },
        { fromSeq: 7, toSeq: 9, order: 'asc' },
      ];
      for (const range of ranges) {
        const reading = await bothReadings(driver, session.headSegmentId, range);
        expect(reading.parsed, JSON.stringify(range)).toStrictEqual(reading.expected);
        expect(reading.parsedKeys, JSON.stringify(range)).toEqual(reading.expectedKeys);
      }
      const all = await bothReadings(driver, session.headSegmentId, ranges[0]!);
      expect(all.parsed.map((message) => message.id)).toEqual(messages.map((message) => message.id));
      expect(all.parsed[0]!.runId).toBe(messages[0]!.runId);
      expect('runId' in all.parsed[1]!).toBe(false);
      expect(all.parsed[5]!.createdAt).toBe(1_765_000_000_123);
      expect(await driver.readMessageJson(uniqueId('missing'), ranges[0]!)).toEqual([]);
    });
  });
}
