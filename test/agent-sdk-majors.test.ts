/**
 * One session across AI SDK majors: messages AI SDK 6 wrote are sent by a runner on 7, and what 7
 * wrote by a runner on 6, without refusals or deprecation warnings. The main test lane runs this
 * file on AI SDK 6, the Node 22 lane (scripts/node22-lane.sh) on 7, so each direction is exercised
 * against the real SDK that has to accept it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ai from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, Runner, ScriptedLanguageModel, SessionStore, type ModelMessage } from '../src/index.js';
import { aiMajorOf } from '../src/agent/ai-module.js';
import { messagesForSdk } from '../src/agent/sdk-messages.js';

const installedVersion: string = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('ai/package.json'), 'utf8')).version;
const installedMajor = Number(installedVersion.split('.')[0]);
const otherMajor = installedMajor === 7 ? 6 : 7;

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

/** Messages in the shapes AI SDK 6 writes (and 7 refuses or warns about). */
const writtenBySix = [
  { role: 'user', content: [{ type: 'text', text: 'What is on this picture?' }, { type: 'image', image: png, mediaType: 'image/png' }] },
  { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'snapshot', input: {} }] },
  {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        toolCallId: 'call-1',
        toolName: 'snapshot',
        output: {
          type: 'content',
          value: [
            { type: 'text', text: 'two snapshots' },
            { type: 'media', data: png, mediaType: 'image/png' },
            { type: 'image-data', data: png, mediaType: 'image/png' },
            { type: 'file-data', data: png, mediaType: 'image/png', filename: 'third.png' },
            { type: 'file-url', url: 'https://files.example/report.pdf', mediaType: 'application/pdf' },
          ],
        },
      },
    ],
  },
  { role: 'assistant', content: 'Three small pictures and a report.' },
] as unknown as ModelMessage[];

/** Messages in the shapes AI SDK 7 writes (and 6 refuses). */
const writtenBySeven = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Read these.' },
      { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'hello from a text file' } },
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: png } },
      { type: 'file', mediaType: 'application/pdf', data: { type: 'url', url: new URL('https://files.example/report.pdf') } },
    ],
  },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'Looking at the files.' },
      { type: 'reasoning-file', mediaType: 'image/png', data: { type: 'data', data: png } },
      { type: 'custom', kind: 'openai.compaction' },
      { type: 'tool-call', toolCallId: 'call-2', toolName: 'snapshot', input: {} },
    ],
  },
  {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        toolCallId: 'call-2',
        toolName: 'snapshot',
        output: {
          type: 'content',
          value: [
            { type: 'file', mediaType: 'image/png', filename: 'shot.png', data: { type: 'data', data: Buffer.from(png, 'base64') } },
            { type: 'file', mediaType: 'application/pdf', data: { type: 'url', url: new URL('https://files.example/report.pdf') } },
            { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'inline note' } },
            { type: 'file-reference', providerReference: { openai: 'file-123' } },
          ],
        },
      },
    ],
  },
  { role: 'assistant', content: 'Read them.' },
] as unknown as ModelMessage[];

const writtenBy = { 6: writtenBySix, 7: writtenBySeven } as const;

function schemaProblems(messages: ModelMessage[]): string[] {
  return messages.flatMap((message, index) => {
    const parsed = ai.modelMessageSchema.safeParse(message);
    return parsed.success ? [] : [`message ${index} (${message.role}): ${JSON.stringify(parsed.error.issues[0])}`];
  });
}

/** A scripted model that takes every https URL as is (the SDK would otherwise download the files). */
class UrlTakingModel extends ScriptedLanguageModel {
  override readonly supportedUrls = { '*/*': [/^https:\/\//] };
}

const warnings: unknown[] = [];
const sdkGlobals = globalThis as { AI_SDK_LOG_WARNINGS?: unknown };
afterEach(() => {
  delete sdkGlobals.AI_SDK_LOG_WARNINGS;
  warnings.length = 0;
});

describe(`the installed AI SDK (ai ${installedVersion})`, () => {
  it('is told apart by what it exports', () => {
    expect(aiMajorOf(ai)).toBe(installedMajor);
  });

  it(`accepts the messages its own major writes as they are, and refuses some that ${otherMajor} writes`, () => {
    expect(schemaProblems(writtenBy[installedMajor as 6 | 7])).toEqual([]);
    expect(schemaProblems(writtenBy[otherMajor as 6 | 7]).length).toBeGreaterThan(0);
  });

  it(`accepts, after conversion, every message ${otherMajor} wrote`, () => {
    expect(schemaProblems(messagesForSdk(writtenBy[otherMajor as 6 | 7], installedMajor as 6 | 7))).toEqual([]);
  });

  for (const mode of ['run', 'stream'] as const) {
    it(`continues (${mode}) a session ${otherMajor} wrote: the model is sent every file, and no warning is logged`, async () => {
      sdkGlobals.AI_SDK_LOG_WARNINGS = (options: { warnings: unknown[] }) => warnings.push(...options.warnings);
      const store = SessionStore.memory();
      const session = await store.create({ messages: writtenBy[otherMajor as 6 | 7] });
      const model = new UrlTakingModel({ turns: [{ text: 'Still here.' }] });
      const agent = new Agent({ name: 'reader', instructions: 'Describe files.', model });
      const options = { input: 'And now?', session: { store, resume: session.id } };
      const result = mode === 'run' ? await Runner.run(agent, options) : await Runner.stream(agent, options).result;

      expect(result.output).toBe('Still here.');
      expect(warnings).toEqual([]);
      const prompt = model.calls[0]!.prompt;
      expect(prompt[0]).toEqual({ role: 'system', content: 'Describe files.' });
      const fileParts = prompt.flatMap((message) =>
        typeof message.content === 'string' ? [] : message.content.filter((part) => part.type === 'file').map((part) => part.mediaType),
      );
      const toolFiles = prompt.flatMap((message) =>
        message.role !== 'tool'
          ? []
          : message.content.flatMap((part) => (part.type === 'tool-result' && part.output.type === 'content' ? part.output.value.map((item) => item.type) : [])),
      );
      if (otherMajor === 6) {
        expect(fileParts).toEqual(['image/png']);
        expect(toolFiles).toEqual(['text', 'file-data', 'file-data', 'file-data', 'file-url']);
      } else {
        expect(fileParts).toEqual(['text/plain', 'image/png', 'application/pdf']);
        expect(toolFiles).toEqual(['file-data', 'file-url', 'text', 'file-id']);
      }
      // The store keeps what was written: converted on the way to the model only.
      const stored = await store.getMessages(session.id);
      expect(stored.slice(0, 4).map(({ id: _id, createdAt: _createdAt, ...message }) => message)).toEqual(writtenBy[otherMajor as 6 | 7]);
    });
  }
});

describe('messagesForSdk', () => {
  it('gives 7 files in its tagged form and 6 the bare form, keeping provider options and file names', () => {
    const [forSeven] = messagesForSdk(
      [{ role: 'user', content: [{ type: 'image', image: png, providerOptions: { openai: { detail: 'low' } } }] }] as ModelMessage[],
      7,
    );
    expect(forSeven!.content).toEqual([{ type: 'file', data: png, mediaType: 'image', providerOptions: { openai: { detail: 'low' } } }]);

    const bytes = Uint8Array.from([1, 2, 3]);
    const [forSix] = messagesForSdk(
      [
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'c',
              toolName: 't',
              output: { type: 'content', value: [{ type: 'file', mediaType: 'image/png', filename: 'a.png', data: { type: 'data', data: bytes } }] },
            },
          ],
        },
      ] as unknown as ModelMessage[],
      6,
    );
    expect(forSix!.content).toEqual([
      { type: 'tool-result', toolCallId: 'c', toolName: 't', output: { type: 'content', value: [{ type: 'file-data', data: 'AQID', mediaType: 'image/png', filename: 'a.png' }] } },
    ]);
  });

  it('returns the very same message objects when nothing needs converting', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 't', input: {} }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', toolName: 't', output: { type: 'json', value: { ok: true } } }] },
    ];
    for (const major of [6, 7] as const) messagesForSdk(messages, major).forEach((message, index) => expect(message).toBe(messages[index]));
  });
});
