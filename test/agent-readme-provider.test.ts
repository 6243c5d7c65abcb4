/**
 * The README's agent example with a provider's model (`openai('gpt-4.1-mini')`), run as written in
 * its own process against a local OpenAI Responses API server (`OPENAI_BASE_URL`; the AI SDK's
 * `openai(...)` speaks the Responses API): two runs on one session, a fork, a streamed run and a
 * chat turn, into a SQLite file in the working directory. Only its import lines change, to this
 * checkout's sources and packages. Both CI lanes run it: AI SDK 6 on Node 20, AI SDK 7 on Node 22.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { runTypeScript } from './fixtures/cli-process.js';
import { startResponsesServer, type ResponsesServer } from './fixtures/openai-responses-server.js';
import { readmeExamples } from './fixtures/package-project.js';
import { temporaryDirectory } from './fixtures/workspace.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const directory = temporaryDirectory('readme-provider');
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let server: ResponsesServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const answers = ['It was a duplicate charge.', 'Invoice 8 is fine.', 'Refund issued.', 'Two invoices, one duplicate.', 'Hello! Welcome back.'];

it("runs the README's provider example against an OpenAI-compatible server: runs, resume, fork, stream and chat", async () => {
  const example = readmeExamples(join(packageRoot, 'README.md')).find((candidate) => candidate.code.includes("openai('gpt-4.1-mini')") && candidate.code.includes('Runner.stream'));
  expect(example, "the README's provider example").toBeDefined();
  // Only the imports change: the package is this checkout's sources, the rest resolved from its node_modules.
  const code = example!.code
    .replace("from 'sessionloom'", `from '${new URL('../src/index.ts', import.meta.url).href}'`)
    .replace(/from '(@ai-sdk\/openai|ai|zod)'/g, (_match, name: string) => `from '${import.meta.resolve(name)}'`);
  expect(code).not.toMatch(/from '(sessionloom|@ai-sdk\/openai|ai|zod)'/);
  // .mts: an ES module (top-level await) without a package.json around it.
  const file = join(directory, 'readme-example.mts');
  writeFileSync(file, code);
  server = await startResponsesServer(answers);

  const result = await runTypeScript([file], { cwd: directory, env: { ...process.env, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'test-key' } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  // The streamed run's text, written delta by delta.
  expect(result.stdout).toBe(answers[3]);

  const calls = server.requests.filter((request) => request.path === '/v1/responses');
  expect(calls).toHaveLength(5);
  expect(calls.map((call) => call.body.stream === true)).toEqual([false, false, false, true, false]);
  // The resumed run and the fork (from the head) sent the model the whole conversation: the questions
  // as text, the stored answers as references to the server's items (msg_N answered call N).
  const answer = (n: number) => ({ type: 'item_reference', id: `msg_${n}` });
  expect(calls[1]!.body.input).toEqual(expect.arrayContaining([answer(1)]));
  expect(JSON.stringify(calls[1]!.body.input)).toContain('Why was invoice 7 charged twice?');
  expect(calls[2]!.body.input).toEqual(expect.arrayContaining([answer(1), answer(2)]));
  expect(JSON.stringify(calls[2]!.body.input)).toContain('Refund it instead.');
  // The streamed run resumed the original: the fork's turn is not in it.
  expect(calls[3]!.body.input).toEqual(expect.arrayContaining([answer(1), answer(2)]));
  expect(JSON.stringify(calls[3]!.body.input)).not.toContain('msg_3');

  const store = SessionStore.sqlite(join(directory, 'sessions.db'));
  try {
    const sessions = (await store.list({ limit: 10 })).sessions;
    expect(sessions).toHaveLength(3);
    const first = sessions.find((session) => session.userId === 'user-7' && session.parentId === undefined)!;
    const fork = sessions.find((session) => session.parentId === first.id)!;
    const textOf = (messages: Array<{ content: unknown }>) => messages.map((message) => JSON.stringify(message.content)).join('\n');
    const original = await store.getMessages(first.id);
    expect(original).toHaveLength(6);
    expect(textOf(original)).toContain(answers[3]);
    expect(textOf(original)).not.toContain(answers[2]);
    const forked = await store.getMessages(fork.id);
    expect(forked).toHaveLength(6);
    expect(textOf(forked)).toContain(answers[2]);
    const chat = await store.getMessages('user-7-chat');
    expect(chat.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(JSON.stringify(chat[1]!.content)).toContain(answers[4]);
  } finally {
    await store.close();
  }
});
