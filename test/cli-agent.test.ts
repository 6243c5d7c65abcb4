/**
 * The CLI's agent and operations commands as a user runs them: a real process per command
 * (`node --import tsx src/cli/main.ts`), checked against what the library then finds in the store.
 * `runs` and `replay` after a demo, `chat` driven through a pipe, `sweep`, and `--fallback` with
 * the store down. Tests run concurrently (each spawn costs about a second under tsx) and group
 * their assertions per spawn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SessionStore, type Run, type RunEvent, type Session, type StoredMessage } from '../src/index.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';
import { freePort } from './servers/ports.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-agent-'));
let fileCounter = 0;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function newStoreUrl(): string {
  return `sqlite:${join(directory, `cli-agent-${++fileCounter}.db`)}`;
}

const runCli = runCliProcess;
const runJson = runCliJson;

/** The text of a stored message, whether its content is a string or text parts. */
function textOf(message: StoredMessage | undefined): string {
  const content: unknown = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}

interface DemoDocument {
  sessionId: string;
  forkId: string;
  runId: string;
  steps: Array<{ step: string; runIds?: string[] } & Record<string, unknown>>;
}

describe.concurrent('sessionloom CLI: agents, runs and operations', () => {
  it('demo records agent runs; runs lists them in order, replay shows each step with timings', async () => {
    const storeUrl = newStoreUrl();
    const demo = await runJson<DemoDocument>(['demo'], { storeUrl });
    const [create, resume, fork, rewind] = demo.steps;
    expect(create).toMatchObject({ step: 'create', messageCount: 6, runIds: [demo.runId, expect.stringMatching(/^run_/)] });
    expect(resume).toMatchObject({ step: 'resume', identical: true, messagesReadBack: 6, messageCount: 8, runIds: [expect.stringMatching(/^run_/)] });
    expect(fork).toMatchObject({ step: 'fork', messageCountAtFork: 4, messageCount: 6, sourceMessageCount: 8, runIds: [expect.stringMatching(/^run_/)] });
    expect(rewind).toMatchObject({ step: 'rewind', removedMessages: 2, messageCount: 6 });

    const { sessionId, runs } = await runJson<{ sessionId: string; runs: Run[] }>(['runs', demo.sessionId], { storeUrl });
    expect(sessionId).toBe(demo.sessionId);
    // The original's runs, oldest first: the two of the first visit, then the one after the resume (rewound, still recorded).
    expect(runs.map((run) => run.id)).toEqual([...(create?.runIds ?? []), ...(resume?.runIds ?? [])]);
    for (const run of runs) {
      expect(run).toMatchObject({ sessionId: demo.sessionId, status: 'completed', agentName: 'travel assistant', metadata: { model: 'scripted' } });
      expect(run.endedAt).toBeGreaterThanOrEqual(run.startedAt);
      expect(run.usage.totalTokens).toBeGreaterThan(0);
    }
    expect(runs.map((run) => run.startedAt)).toEqual([...runs.map((run) => run.startedAt)].sort((left, right) => left - right));

    const replay = await runJson<{ run: Run; events: Array<RunEvent & { offsetMs: number; data: Record<string, unknown> }> }>(['replay', demo.runId], { storeUrl });
    expect(replay.run.id).toBe(demo.runId);
    expect(replay.events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start',
      'text',
      'tool-call',
      'tool-result',
      'step-end',
      'step-start',
      'text',
      'step-end',
      'run-end',
    ]);
    expect(replay.events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const offsets = replay.events.map((event) => event.offsetMs);
    expect(offsets.every((offset, index) => offset >= 0 && offset === (replay.events[index]?.at ?? 0) - replay.run.startedAt)).toBe(true);
    expect(offsets).toEqual([...offsets].sort((left, right) => left - right));
    expect(replay.events[3]?.data).toMatchObject({ toolName: 'get_weather', input: { city: 'Lisbon' } });
    expect(replay.events[4]?.data).toMatchObject({ toolName: 'get_weather', isError: false, output: { type: 'json', value: { temperatureC: 22 } } });
    expect(replay.events[9]?.data).toMatchObject({ status: 'completed', steps: 2 });

    const readableRuns = await runCli(['runs', demo.sessionId], { storeUrl });
    expect(readableRuns.code).toBe(0);
    expect(readableRuns.stdout).toMatch(/^RUN\s+STATUS\s+STARTED\s+DURATION\s+TOKENS\s+COST\s+ERROR$/m);
    expect(readableRuns.stdout).toMatch(new RegExp(`^${demo.runId}\\s+completed\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+\\d+(ms|\\.\\ds)\\s+\\d+ \\(\\d+ in, \\d+ out\\)`, 'm'));
    expect(readableRuns.stdout).toMatch(/Replay one: sessionloom replay run_/);

    const readableReplay = await runCli(['replay', demo.runId], { storeUrl });
    expect(readableReplay.code).toBe(0);
    expect(readableReplay.stderr).toBe('');
    const lines = readableReplay.stdout.split('\n');
    expect(lines).toContain('status:    completed');
    expect(lines.filter((line) => /^\s+\+\d+\.\d{3}s {2}\S/.test(line))).toHaveLength(10);
    expect(readableReplay.stdout).toMatch(/^\s+\+0\.\d{3}s {2}run-start {4}agent "travel assistant", model scripted/m);
    expect(readableReplay.stdout).toMatch(/^\s+\+\d+\.\d{3}s {2}step-start {3}step 1$/m);
    expect(readableReplay.stdout).toMatch(/^\s+\+\d+\.\d{3}s {2}text {9}"Let me check\."$/m);
    expect(readableReplay.stdout).toMatch(/tool-call {4}get_weather \{"city":"Lisbon"\} {2}\[call_weather_1\]$/m);
    expect(readableReplay.stdout).toMatch(/tool-result {2}get_weather -> \{"city":"Lisbon","temperatureC":22,"conditions":"sunny"\}/m);
    expect(readableReplay.stdout).toMatch(/step-end {5}step 1: tool-calls, \d+ tokens \(\d+ in, \d+ out\)$/m);
    expect(readableReplay.stdout).toMatch(/text {9}"It is 22°C and sunny in Lisbon today\."$/m);
    expect(readableReplay.stdout).toMatch(/run-end {6}completed after 2 steps, \d+ tokens .*finish stop$/m);
  });

  it('runs and replay of something that does not exist exit 1 with the error code', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, (store) => store.list()); // the store exists; the session and run do not
    const [runs, replay] = await Promise.all([runCli(['runs', 'no-such-session'], { storeUrl }), runCli(['replay', 'run_missing', '--json'], { storeUrl })]);
    expect(runs.code).toBe(1);
    expect(runs.stderr).toMatch(/^error: .*no-such-session.*\[SESSION_NOT_FOUND\]$/m);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/^error: .*run_missing.*\[RUN_NOT_FOUND\]$/m);
    expect(replay.stdout).toBe('');
  });

  it('chat through a pipe: streams scripted replies, /history, /fork, /rewind 2 and /quit, all stored', async () => {
    const storeUrl = newStoreUrl();
    const input = ['Hello there', 'My name is Ada.', '/history', '/fork', 'What is my name?', '/rewind 2', 'And now?', '/history', '/sessions', '/quit', 'never sent'].join('\n');
    const result = await runCli(['chat', '--user', 'ada'], { storeUrl, input: `${input}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = result.stdout;
    // Piped input is echoed after the prompt, so the output reads as a transcript.
    expect(output).toContain('you> Hello there\nassistant> You said: "Hello there" (0 earlier messages from you in this conversation).\n');
    expect(output).toMatch(/^4 messages in session_\S+:\n {2}1\. user {6}Hello there\n {2}2\. assistant You said: "Hello there"/m);
    const forked = /^Forked (\S+) into (\S+) \(4 messages\); continuing in \2\.$/m.exec(output);
    expect(forked).not.toBeNull();
    const [, sourceId = '', forkId = ''] = forked ?? [];
    // The fork continued with the whole conversation: the model saw two earlier user messages.
    expect(output).toContain('assistant> You said: "What is my name?" (2 earlier messages from you in this conversation).');
    expect(output).toContain(`Rewound ${forkId} to message 2: 4 messages left the path (still stored, for audit).`);
    // After the rewind the model saw only the first exchange.
    expect(output).toContain('assistant> You said: "And now?" (1 earlier message from you in this conversation).');
    expect(output).toMatch(new RegExp(`^ {2}\\* {2}${forkId}\\s+active\\s+4\\s`, 'm'));
    expect(output).toMatch(new RegExp(`^ {5}${sourceId}\\s+active\\s+4\\s`, 'm'));
    expect(output).toContain(`Continue with: sessionloom chat --session ${forkId}`);
    expect(output).not.toContain('never sent');

    await withLibraryStore(storeUrl, async (store) => {
      const source = await store.get(sourceId);
      const fork = await store.get(forkId);
      expect(source).toMatchObject({ userId: 'ada', agentId: 'sessionloom-chat', messageCount: 4 });
      expect(fork).toMatchObject({ userId: 'ada', messageCount: 4, forkedFrom: { sessionId: sourceId } });
      const sourceMessages = await store.getMessages(sourceId);
      expect(sourceMessages.map((message) => [message.role, textOf(message)])).toEqual([
        ['user', 'Hello there'],
        ['assistant', 'You said: "Hello there" (0 earlier messages from you in this conversation).'],
        ['user', 'My name is Ada.'],
        ['assistant', 'You said: "My name is Ada." (1 earlier message from you in this conversation).'],
      ]);
      const forkMessages = await store.getMessages(forkId);
      expect(forkMessages.slice(0, 2)).toEqual(sourceMessages.slice(0, 2));
      expect(forkMessages.slice(2).map((message) => textOf(message))).toEqual([
        'And now?',
        'You said: "And now?" (1 earlier message from you in this conversation).',
      ]);
      // The rewind took the fork's own first turn off its path; it stays stored for audit.
      const { rewoundTails } = await store.branches(forkId);
      expect(rewoundTails).toHaveLength(1);
      // Every answer was a recorded run, on the session it was given in.
      expect((await store.runs(sourceId)).map((run) => run.status)).toEqual(['completed', 'completed']);
      expect((await store.runs(forkId)).map((run) => run.status)).toEqual(['completed', 'completed']);
    });

    // Resumed with --session and --json: one document at the end; a failed command is reported and makes the exit code 1.
    const resumed = await runCli(['chat', '--session', forkId, '--json'], { storeUrl, input: 'Back again\n/history 2\n/rewind 99\n' });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/^error: Invalid \/rewind: expected a message number from 1 to 6 .*\[INVALID_ARGUMENT\]$/m);
    const document = JSON.parse(resumed.stdout) as { userId: string; sessionId: string; entries: Array<Record<string, unknown>> };
    expect(document).toMatchObject({ userId: 'ada', sessionId: forkId });
    expect(document.entries.map((entry) => entry.type)).toEqual(['turn', 'history', 'error']);
    expect(document.entries[0]).toMatchObject({ sessionId: forkId, input: 'Back again', output: 'You said: "Back again" (2 earlier messages from you in this conversation).' });
    expect(document.entries[1]).toMatchObject({ firstPosition: 5, messageCount: 6 });
    expect(document.entries[2]).toMatchObject({ input: '/rewind 99', code: 'INVALID_ARGUMENT' });
  });

  it('sweep: --now far in the future suspends idle sessions, then expires them past retention', async () => {
    const storeUrl = newStoreUrl();
    const start = Date.now();
    await withLibraryStore(storeUrl, async (store) => {
      await store.create({ id: 'idle-a' });
      await store.create({ id: 'idle-b' });
    });
    const hour = 60 * 60 * 1000;
    const suspended = await runJson<{ now: number; suspended: number; expired: number }>(['sweep', '--now', String(start + 2 * hour)], { storeUrl });
    expect(suspended).toEqual({ now: start + 2 * hour, suspended: 2, expired: 0 });
    const states = (): Promise<Array<string | undefined>> =>
      withLibraryStore(storeUrl, async (store) => [(await store.get('idle-a'))?.state, (await store.get('idle-b'))?.state]);
    expect(await states()).toEqual(['suspended', 'suspended']);

    const expired = await runCli(['sweep', '--now', new Date(start + 40 * 24 * hour).toISOString()], { storeUrl });
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain('0 sessions suspended');
    expect(expired.stdout).toContain('2 sessions expired');
    expect(await states()).toEqual(['expired', 'expired']);

    const badNow = await runCli(['sweep', '--now', 'soon'], { storeUrl });
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).toContain('--now');
  });

  it('--fallback with Redis down: list answers (empty) with a degraded notice; a session it cannot know is a clear error', async () => {
    const port = await freePort();
    const storeUrl = `redis://127.0.0.1:${port}`;
    // The journal goes under the OS temp directory: point that at this test's, so no other run's journal is picked up.
    const journalRoot = mkdtempSync(join(directory, 'journal-'));
    const env = { TMPDIR: journalRoot };

    const listed = await runCli(['--fallback', 'list', '--json'], { storeUrl, env });
    expect(listed.code).toBe(0);
    const document = JSON.parse(listed.stdout) as { sessions: Session[]; status: { degraded: boolean; journalLength: number; journalLocation: string; since: number } };
    expect(document.sessions).toEqual([]);
    expect(document.status).toMatchObject({ degraded: true, journalLength: 0, since: expect.any(Number) });
    expect(document.status.journalLocation.startsWith(journalRoot)).toBe(true);
    expect(listed.stderr).toContain('warning: the redis store is unavailable; running degraded since ');
    expect(listed.stderr).toContain(`journal: 0 unreplayed writes in ${document.status.journalLocation}`);

    const [readable, show, withoutFallback] = await Promise.all([
      runCli(['list'], { storeUrl, env: { ...env, SESSIONLOOM_FALLBACK: '1' } }),
      runCli(['show', 'some-session', '--fallback'], { storeUrl, env }),
      runCli(['list'], { storeUrl, env }),
    ]);
    expect(readable.code).toBe(0);
    expect(readable.stdout).toBe('No sessions match.\n');
    expect(readable.stderr).toContain('running degraded');
    // Nothing local can say whether that session exists: an error, not a made-up "not found".
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('running degraded');
    expect(show.stderr).toMatch(/^error: .*"some-session" is not held locally.*\[STORE_UNAVAILABLE\]$/m);
    expect(show.stdout).toBe('');
    // Without --fallback a down store is an error, as before.
    expect(withoutFallback.code).toBe(1);
    expect(withoutFallback.stderr).toMatch(/\[STORE_UNAVAILABLE\]/);
    expect(withoutFallback.stderr).not.toContain('running degraded');
  });

  const redisUrl = inject('redisUrl');
  it.skipIf(redisUrl === undefined)('--fallback with Redis up: no notice, and list --json reports the store as not degraded', async () => {
    const storeUrl = `${redisUrl}${redisUrl?.includes('?') ? '&' : '?'}keyPrefix=cli-fallback-${Date.now()}:`;
    const journalRoot = mkdtempSync(join(directory, 'journal-'));
    const document = await runJson<{ sessions: Session[]; status: { degraded: boolean } }>(['--fallback', 'list'], { storeUrl, env: { TMPDIR: journalRoot } });
    expect(document).toMatchObject({ sessions: [], status: { degraded: false, journalLength: 0 } });
  });
});
