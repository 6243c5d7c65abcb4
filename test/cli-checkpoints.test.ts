/**
 * `sessionloom rewind --files` and the checkpoint marks of `show`, as a user runs them: a real
 * process per command on a SQLite file, with checkpoints taken through the library beforehand.
 */
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { runCliProcess } from './fixtures/cli-process.js';
import { snapshotWorkspace, temporaryDirectory, writeTree, type Snapshot } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

const runCli = (args: string[], storeUrl: string) => runCliProcess(args, { storeUrl });

interface Scenario {
  storeUrl: string;
  workspace: string;
  sessionId: string;
  /** The message whose checkpoint holds the files as they were before the agent's turn. */
  start: string;
  /** The workspace at `start`, and after the agent's turn. */
  before: Snapshot;
  after: Snapshot;
}

/** A session whose agent turn edited, created and deleted files, checkpointed through the library. */
async function scenario(): Promise<Scenario> {
  const root = temporaryDirectory('cli-checkpoints');
  directories.push(root);
  const workspace = join(root, 'workspace');
  writeTree(workspace, { 'app.ts': 'v1', 'keep.txt': 'keep', 'data.bin': Uint8Array.from([0, 255, 10, 13]) });
  const storeUrl = `sqlite:${join(root, 'sessions.db')}`;
  const store = await SessionStore.open(storeUrl);
  try {
    const session = await store.create();
    const [message] = await store.append(session.id, { role: 'user', content: 'change the app' });
    await store.checkpoint(session.id, { workspace });
    const before = snapshotWorkspace(workspace);
    writeTree(workspace, { 'app.ts': 'v2 by the agent', 'generated/out.txt': 'new' });
    rmSync(join(workspace, 'keep.txt'));
    await store.append(session.id, { role: 'assistant', content: 'changed it' });
    await store.finishCheckpoint(session.id, { workspace });
    return { storeUrl, workspace, sessionId: session.id, start: message!.id, before, after: snapshotWorkspace(workspace) };
  } finally {
    await store.close();
  }
}

async function messageCount(storeUrl: string, sessionId: string): Promise<number> {
  const store = await SessionStore.open(storeUrl);
  try {
    return (await store.get(sessionId))!.messageCount;
  } finally {
    await store.close();
  }
}

describe('sessionloom rewind --files', () => {
  it('with --dry-run lists the plan and changes neither the files nor the head', async () => {
    const { storeUrl, workspace, sessionId, start, after } = await scenario();
    const result = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace, '--dry-run'], storeUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    expect(result.stdout).toMatch(/Would restore \(2\):\n {2}app\.ts\n {2}keep\.txt/);
    expect(result.stdout).toMatch(/Would remove \(1\):\n {2}generated\/out\.txt/);
    expect(result.stdout).toMatch(/Would remove directories \(1\):\n {2}generated/);
    expect(snapshotWorkspace(workspace)).toEqual(after);
    expect(await messageCount(storeUrl, sessionId)).toBe(2);

    const json = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace, '--dry-run', '--json'], storeUrl);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      sessionId,
      headMessageId: start,
      dryRun: true,
      removedMessages: 1,
      files: { restored: ['app.ts', 'keep.txt'], removed: ['generated/out.txt'], removedDirectories: ['generated'], conflicts: [], skipped: [] },
    });
    expect(snapshotWorkspace(workspace)).toEqual(after);
  });

  it('restores the files byte for byte and moves the head', async () => {
    const { storeUrl, workspace, sessionId, start, before } = await scenario();
    const result = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace], storeUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Rewound ${sessionId}: 1 message left the path`);
    expect(result.stdout).toMatch(/Restored \(2\):\n {2}app\.ts\n {2}keep\.txt/);
    expect(result.stdout).toMatch(/Removed \(1\):\n {2}generated\/out\.txt/);
    expect(snapshotWorkspace(workspace)).toEqual(before);
    expect(readFileSync(join(workspace, 'app.ts'), 'utf8')).toBe('v1');
    expect([...readFileSync(join(workspace, 'data.bin'))]).toEqual([0, 255, 10, 13]);
    expect(await messageCount(storeUrl, sessionId)).toBe(1);
  });

  it('stops at a file the user edited (exit 1, WORKSPACE_CONFLICT, the file named), and --force overrides', async () => {
    const { storeUrl, workspace, sessionId, start, before } = await scenario();
    writeFileSync(join(workspace, 'app.ts'), 'v3 by the user');
    const edited = snapshotWorkspace(workspace);
    const refused = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace], storeUrl);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('[WORKSPACE_CONFLICT]');
    expect(refused.stderr).toContain('  app.ts\n');
    expect(refused.stderr).toMatch(/--force/);
    expect(refused.stderr).toMatch(/--dry-run/);
    expect(snapshotWorkspace(workspace)).toEqual(edited);
    expect(await messageCount(storeUrl, sessionId)).toBe(2);

    const plan = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace, '--dry-run'], storeUrl);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Conflicts \(changed by someone else; a rewind needs --force\) \(1\):\n {2}app\.ts/);

    const forced = await runCli(['rewind', sessionId, '--to', start, '--files', '--workspace', workspace, '--force'], storeUrl);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Overwritten despite changes by someone else \(1\):\n {2}app\.ts/);
    expect(readFileSync(join(workspace, 'app.ts'), 'utf8')).toBe('v1');
    expect(snapshotWorkspace(workspace)).toEqual(before);
    expect(await messageCount(storeUrl, sessionId)).toBe(1);
  });

  it('without --workspace restores the workspace the checkpoint was taken of, and names it', async () => {
    const { storeUrl, workspace, sessionId, start, before } = await scenario();
    const result = await runCli(['rewind', sessionId, '--to', start, '--files'], storeUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Workspace ${realpathSync(workspace)}: 4 changes.`);
    expect(snapshotWorkspace(workspace)).toEqual(before);
    expect(await messageCount(storeUrl, sessionId)).toBe(1);
  });
});

describe('sessionloom show', () => {
  it('marks the messages that have a file checkpoint', async () => {
    const { storeUrl, sessionId, start } = await scenario();
    const result = await runCli(['show', sessionId], storeUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((line) => line.startsWith('#'))).toMatch(/ROLE\s+FILES\s+PREVIEW/);
    expect(lines.find((line) => line.includes(start))).toMatch(/user\s+checkpoint\s+change the app/);
    expect(lines.find((line) => line.includes('changed it'))).not.toContain('checkpoint');

    const json = await runCli(['show', sessionId, '--json'], storeUrl);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).checkpoints).toEqual([expect.objectContaining({ messageId: start, sessionId, turnFinished: true })]);
  });
});

describe('sessionloom checkpoints', () => {
  it("lists a session's file checkpoints, oldest first: message, role, time, files changed, bytes, turn end; --json too", async () => {
    const { storeUrl, workspace, sessionId, start } = await scenario();
    // A second checkpoint, at the assistant's message: the agent's edits are its changes.
    const store = await SessionStore.open(storeUrl);
    const { messageId: answer } = await store.checkpoint(sessionId, { workspace });
    await store.close();

    const result = await runCli(['checkpoints', sessionId], storeUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`2 file checkpoints of ${sessionId}:`);
    expect(lines[1]).toMatch(/^MESSAGE\s+ROLE\s+TAKEN\s+FILES CHANGED\s+BYTES\s+TURN END$/);
    // First: the whole workspace (app.ts "v1", keep.txt "keep", data.bin 4 bytes); then app.ts, generated/out.txt and keep.txt's removal.
    expect(lines[2]).toMatch(new RegExp(`^${start}\\s+user\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+3\\s+10 B\\s+recorded$`));
    expect(lines[3]).toMatch(new RegExp(`^${answer}\\s+assistant\\s+\\S+Z\\s+3\\s+18 B\\s*$`));
    expect(result.stdout).toContain(`sessionloom rewind ${sessionId} --to ${answer} --files --dry-run`);

    const json = await runCli(['checkpoints', sessionId, '--json'], storeUrl);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { sessionId: string; checkpoints: unknown[] };
    expect(parsed.sessionId).toBe(sessionId);
    expect(parsed.checkpoints).toEqual([
      expect.objectContaining({ messageId: start, role: 'user', changedFiles: 3, changedBytes: 10, turnFinished: true }),
      expect.objectContaining({ messageId: answer, role: 'assistant', changedFiles: 3, changedBytes: 18, turnFinished: false }),
    ]);
  });

  it('says so when a session has none, and names a missing session', async () => {
    const { storeUrl } = await scenario();
    const store = await SessionStore.open(storeUrl);
    const plain = await store.create();
    await store.close();
    const none = await runCli(['checkpoints', plain.id], storeUrl);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(`${plain.id} has no file checkpoints`);
    const missing = await runCli(['checkpoints', 'ses_missing'], storeUrl);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ses_missing');
  });
});
