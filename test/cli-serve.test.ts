/**
 * `sessionloom serve` as a user runs it: a real process serving the API and the inspector over a
 * SQLite file, stopped by a signal; tokens from the environment or a file, never the command line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { TYPED_ANSWER } from './fixtures/agents-module.js';
import { runCliProcess } from './fixtures/cli-process.js';
import { readFollow } from './fixtures/sse.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'sessionloom-serve-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const TOKEN = 'serve-test-token-0123456789';

interface Serving {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts `serve --port 0 --json` and resolves once it printed where it listens. */
function serve(storeUrl: string, args: string[] = [], env: Record<string, string> = {}): Promise<Serving> {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env, SESSIONLOOM_STORE: storeUrl };
  if (env.SESSIONLOOM_TOKEN === undefined) delete environment.SESSIONLOOM_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--json', ...args], { cwd: packageRoot, env: environment });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        const { url } = JSON.parse(stdout) as { url: string };
        resolve({ child, url, exited, stderr: () => stderr });
      } catch {
        // not the whole document yet
      }
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
}

async function seededStore(name: string): Promise<{ url: string; sessionId: string }> {
  const path = join(directory, `${name}.db`);
  const store = SessionStore.sqlite(path);
  const session = await store.create({ userId: 'ada' });
  await store.append(session.id, { role: 'user', content: 'hello from the CLI test' });
  await store.close();
  return { url: `sqlite:${path}`, sessionId: session.id };
}

describe('sessionloom serve', () => {
  it('serves the API and the inspector over the store, and stops cleanly on SIGTERM', async () => {
    const { url, sessionId } = await seededStore('open');
    const server = await serve(url);
    const messages = (await (await fetch(`${server.url}/api/sessions/${sessionId}/messages`)).json()) as { messages: Array<{ content: unknown }> };
    expect(messages.messages.map((message) => message.content)).toEqual(['hello from the CLI test']);
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // The store was closed properly: it opens and reads as before.
    const store = await SessionStore.open(url);
    expect((await store.get(sessionId))?.messageCount).toBe(1);
    await store.close();
  });

  it('takes a token from the environment, and user-bound ones from a file', async () => {
    const { url, sessionId } = await seededStore('tokens');
    const tokensFile = join(directory, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify([{ token: 'grace-only-token-0123456789', userId: 'grace' }]));
    const server = await serve(url, ['--tokens-file', tokensFile], { SESSIONLOOM_TOKEN: TOKEN });
    const get = (token?: string) => fetch(`${server.url}/api/sessions/${sessionId}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get()).status).toBe(401);
    expect((await get(TOKEN)).status).toBe(200);
    expect((await get('grace-only-token-0123456789')).status).toBe(404); // ada's session, seen from grace's scope
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('runs the agents a module exports (--agents): a run started over HTTP is followed to its end', async () => {
    const { url, sessionId } = await seededStore('agents');
    const server = await serve(url, ['--agents', join(packageRoot, 'test/fixtures/agents-module.ts')]);
    expect(await (await fetch(`${server.url}/api/agents`)).json()).toEqual({ agents: [{ name: 'typist', model: 'scripted' }] });
    const started = await fetch(`${server.url}/api/sessions/${sessionId}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'typist', input: 'Say something' }),
    });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const followed = await readFollow(await fetch(`${server.url}/api/runs/${runId}/events?follow=1`));
    expect(followed.end).toEqual({ runId, status: 'completed' });
    expect(followed.events.filter((event) => event.type === 'text').map((event) => (event.data as { text: string }).text)).toEqual([TYPED_ANSWER]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const missing = await runCliProcess(['serve', '--port', '0', '--agents', join(directory, 'no-agents-here.mjs')], { storeUrl: url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--agents.*cannot load/);
    const none = await runCliProcess(['serve', '--port', '0', '--agents', join(packageRoot, 'test/fixtures/sse.ts')], { storeUrl: url });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/exports no agents/);
  });

  it('refuses to serve beyond loopback without a token, and names a port in use', async () => {
    const { url } = await seededStore('refusals');
    const open = await runCliProcess(['serve', '--host', '0.0.0.0', '--port', '0'], { storeUrl: url });
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/without a token/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const busy = await runCliProcess(['serve', '--port', String(port)], { storeUrl: url });
    blocker.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`port ${port} .*in use`));

    const badFile = await runCliProcess(['serve', '--port', '0', '--tokens-file', join(directory, 'missing.json')], { storeUrl: url });
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toMatch(/cannot read .*missing\.json/);
  });
});
