/**
 * Files rewind to any message (issue 16): a four-turn coding session run with `checkpointFiles`,
 * then a rewind with `rewindFiles` to every message of its path, newest to oldest (user, assistant
 * and tool messages alike), each leaving the workspace byte-identical to a snapshot taken when that
 * message was written: the model's script snapshots the workspace at every call, which is the state
 * at the message before it (a user or tool message) and at the assistant message the call returns
 * (its tools have not run yet). No rewind names the workspace: it defaults to the one the checkpoint
 * was taken of. Then the refusals of that default: a directory replaced at the recorded path, or a
 * symlink put there, is not the workspace the checkpoint was taken of, and nothing changes.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore as CompatSessionStore } from '../src/compat/index.js';
import { Agent, InvalidArgumentError, Runner, SessionStore, type StoredMessage } from '../src/index.js';
import { scriptedMock, type MockTurn } from './fixtures/agent-models.js';
import { codingTools } from './fixtures/coding-tools.js';
import { everyStore } from './fixtures/every-store.js';
import { binaryBytes, snapshotWorkspace, temporaryDirectory, writeTree, type Snapshot } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function workspace(): string {
  const root = temporaryDirectory('any-message');
  directories.push(root);
  return root;
}

/** Every model call of the four turns in order: tool steps, then each turn's closing answer. */
const script: MockTurn[] = [
  // Turn 1: two tool steps.
  { toolCalls: [{ toolName: 'write_file', input: { path: 'src/index.ts', content: 'export const v = 1;\n' } }] },
  {
    toolCalls: [
      { toolName: 'write_file', input: { path: 'assets/logo.bin', content: Buffer.from(binaryBytes(3, 1024)).toString('base64'), encoding: 'base64' } },
      { toolName: 'write_file', input: { path: 'docs/a/b.md', content: 'deep\n' } },
    ],
  },
  { text: 'Scaffolded.' },
  // Turn 2: an edit and a deletion in one step.
  {
    toolCalls: [
      { toolName: 'write_file', input: { path: 'src/index.ts', content: 'export const v = 2;\n' } },
      { toolName: 'delete_file', input: { path: 'README.md' } },
    ],
  },
  { text: 'Edited.' },
  // Turn 3: an answer without tools.
  { text: 'Nothing to change.' },
  // Turn 4: a directory tree removed, a binary overwritten.
  { toolCalls: [{ toolName: 'shell', input: { command: 'rm -rf docs' } }] },
  { toolCalls: [{ toolName: 'write_file', input: { path: 'assets/logo.bin', content: Buffer.from(binaryBytes(8, 2048)).toString('base64'), encoding: 'base64' } }] },
  { text: 'Cleaned up.' },
];

interface RecordedSession {
  store: SessionStore;
  root: string;
  sessionId: string;
  /** Every message of the path, oldest first, with the workspace as it was when the message was written. */
  states: Array<{ message: StoredMessage; snapshot: Snapshot }>;
}

async function recordSession(store: SessionStore): Promise<RecordedSession> {
  const root = workspace();
  writeTree(root, { 'README.md': '# project\n', 'notes.md': 'notes\n' });
  // The workspace at each model call: what the previous message left, and what the call's assistant message finds.
  const atCall: Snapshot[] = [];
  const mock = scriptedMock((_prompt, callIndex) => {
    atCall.push(snapshotWorkspace(root));
    return script[callIndex]!;
  });
  const agent = new Agent({ name: 'coder', model: mock.model, tools: codingTools(root) });
  const states: RecordedSession['states'] = [];
  let sessionId: string | undefined;
  for (const [turn, input] of ['Scaffold', 'Edit', 'Check', 'Clean up'].entries()) {
    // A person's edit between turns belongs to the state the next user message starts from.
    if (turn > 0) writeFileSync(join(root, 'notes.md'), `notes edited before turn ${turn + 1}\n`);
    const beforeRun = snapshotWorkspace(root);
    let call = atCall.length;
    const result = await Runner.run(agent, { input, session: { store, ...(sessionId ? { resume: sessionId } : {}), checkpointFiles: true, workspace: root } });
    sessionId = result.sessionId;
    for (const message of result.messages) {
      if (message.role === 'user') states.push({ message, snapshot: beforeRun });
      else if (message.role === 'assistant') states.push({ message, snapshot: atCall[call++]! });
      else states.push({ message, snapshot: atCall[call]! }); // a tool message: what the next call found
    }
    expect(call).toBe(atCall.length);
  }
  return { store, root, sessionId: sessionId!, states };
}

const stores = everyStore('any_message').filter((kind) => kind.name === 'sqlite' || kind.name === 'file' || kind.name === 'postgres');

describe.each(stores)('rewindFiles to any message on $name', ({ open }) => {
  it('restores the workspace exactly as it was at each message of a four-turn session, user, assistant and tool alike', async () => {
    const { store, root, sessionId, states } = await recordSession(open());
    try {
      const path = await store.getMessages(sessionId);
      expect(path.map((message) => message.id)).toEqual(states.map((state) => state.message.id));
      expect(new Set(path.map((message) => message.role))).toEqual(new Set(['user', 'assistant', 'tool']));
      // Every message of the path has its checkpoint.
      expect((await store.checkpoints(sessionId)).map((summary) => summary.messageId)).toEqual(path.map((message) => message.id));
      // The states differ along the way, so a rewind to the wrong message would show.
      expect(new Set(states.map((state) => JSON.stringify(state.snapshot))).size).toBeGreaterThan(5);

      for (const { message, snapshot } of [...states].reverse()) {
        const result = await store.rewind(sessionId, { toMessage: message.id, rewindFiles: true });
        expect(result.files?.conflicts).toEqual([]);
        expect(result.files?.workspace).toBe(root);
        expect(snapshotWorkspace(root), `at the ${message.role} message ${message.id}`).toEqual(snapshot);
        expect((await store.getMessages(sessionId)).at(-1)!.id).toBe(message.id);
      }
    } finally {
      await store.close();
    }
  });
});

describe('the default workspace of a files rewind', () => {
  it('is refused once the recorded path holds another directory or a symlink, changing nothing; naming the workspace still works', async () => {
    const { store, root, sessionId, states } = await recordSession(SessionStore.memory());
    const target = states[0]!;
    const version = (await store.get(sessionId))!.version;

    // The same path, another directory (the original moved away, a new one made in its place).
    const moved = `${root}-moved`;
    directories.push(moved);
    renameSync(root, moved);
    mkdirSync(root);
    writeFileSync(join(root, 'other.txt'), 'another project');
    const replaced = snapshotWorkspace(root);
    await expect(store.rewind(sessionId, { toMessage: target.message.id, rewindFiles: true })).rejects.toSatisfy(
      (error: unknown) => InvalidArgumentError.isInstance(error) && /not the one it was taken of/.test(error.message),
    );
    expect(snapshotWorkspace(root)).toEqual(replaced);

    // The path as a symlink to the original directory: refused too (a symlink is where a redirection would hide).
    rmSync(root, { recursive: true });
    symlinkSync(moved, root);
    await expect(store.rewind(sessionId, { toMessage: target.message.id, rewindFiles: true })).rejects.toThrow(/now leads to/);
    expect((await store.get(sessionId))!.version).toBe(version);

    // Named explicitly, the moved workspace rewinds.
    await store.rewind(sessionId, { toMessage: target.message.id, rewindFiles: true, workspace: moved });
    expect(snapshotWorkspace(moved)).toEqual(target.snapshot);
    rmSync(root);
  });

  it("sessionloom/compat's static rewind restores the checkpoint's workspace, not the working directory", async () => {
    const { store, root, sessionId, states } = await recordSession(SessionStore.memory());
    const elsewhere = workspace();
    writeTree(elsewhere, { 'unrelated.txt': 'must stay' });
    const untouched = snapshotWorkspace(elsewhere);
    const previous = process.cwd();
    process.chdir(elsewhere);
    try {
      const target = states[2]!;
      expect(target.message.role).toBe('tool');
      await CompatSessionStore.rewind(sessionId, { store, toMessage: target.message.id, rewindFiles: true });
      expect(snapshotWorkspace(root)).toEqual(target.snapshot);
      expect(snapshotWorkspace(elsewhere)).toEqual(untouched);
    } finally {
      process.chdir(previous);
    }
  });
});
