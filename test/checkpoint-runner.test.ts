/**
 * The acceptance test: an agent whose tools write files, delete files, create directories
 * and run `sh -c` edits a workspace over several turns with `checkpointFiles`; a rewind to each
 * earlier turn in turn (newest to oldest) leaves the workspace byte-identical to a copy taken at
 * that point (every file's hash, the set of files and of directories). A dry run changes nothing;
 * a person's edit is a conflict unless `force`. On memory, SQLite, the file store and PostgreSQL; also through `Runner.stream`
 * and the chat handle, and the refusals that must come before anything is written.
 */
import { realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, InvalidArgumentError, Runner, SessionStore, WorkspaceConflictError } from '../src/index.js';
import { scriptedMock, type MockTurn } from './fixtures/agent-models.js';
import { codingTools } from './fixtures/coding-tools.js';
import { storeWithoutCheckpoints } from './fixtures/driver-without-checkpoints.js';
import { binaryBytes, copyWorkspace, snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';
import { everyStore } from './fixtures/every-store.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

const stores = everyStore('checkpoint_runner');

function workspace(): string {
  const root = temporaryDirectory('checkpoint-agent');
  directories.push(root);
  return root;
}

/** One entry per model call, across all turns: tool steps, then a closing answer for each turn. */
const script: MockTurn[] = [
  // Turn 1: scaffold the project.
  {
    toolCalls: [
      { toolName: 'write_file', input: { path: 'src/index.ts', content: 'export const greeting = "hello";\n' } },
      { toolName: 'write_file', input: { path: 'assets/logo.bin', content: Buffer.from(binaryBytes(7, 2048)).toString('base64'), encoding: 'base64' } },
      { toolName: 'make_directory', input: { path: 'docs/drafts' } },
    ],
  },
  { text: 'Project scaffolded.' },
  // Turn 2: a shell edit, a new executable, a deletion.
  {
    toolCalls: [
      { toolName: 'shell', input: { command: "sed -i 's/hello/goodbye/' src/index.ts && printf '#!/bin/sh\\necho run\\n' > run.sh && chmod 755 run.sh" } },
      { toolName: 'delete_file', input: { path: 'README.md' } },
    ],
  },
  { toolCalls: [{ toolName: 'write_file', input: { path: 'src/util/strings.ts', content: 'export const upper = (s: string) => s.toUpperCase();\n' } }] },
  { text: 'Refactored.' },
  // Turn 3: the shell removes a directory tree, creates another, edits in place, writes binary.
  {
    toolCalls: [
      {
        toolName: 'shell',
        input: { command: "rm -rf docs && mkdir -p build/out && echo built > build/out/result.txt && sed -i 's/goodbye/farewell/' src/index.ts && printf '\\000\\001\\377' > data.bin && chmod 600 notes.md" },
      },
    ],
  },
  { text: 'Built.' },
  // Turn 4: overwrite the binary asset, delete the executable.
  {
    toolCalls: [
      { toolName: 'write_file', input: { path: 'assets/logo.bin', content: Buffer.from(binaryBytes(9, 4096)).toString('base64'), encoding: 'base64' } },
      { toolName: 'delete_file', input: { path: 'run.sh' } },
    ],
  },
  { text: 'Logo updated.' },
];

describe.each(stores)('Runner with checkpointFiles on $name', ({ open }) => {
  it('after a rewind to each earlier turn, newest to oldest, the workspace is byte-identical to a copy taken at that point', async () => {
    const store = open();
    const root = workspace();
    writeTree(root, { 'README.md': '# project\n', 'notes.md': 'first notes\n', '.gitignore': '*.tmp\n', 'scratch.tmp': 'ignored' });
    const mock = scriptedMock(script);
    const agent = new Agent({ name: 'coder', model: mock.model, tools: codingTools(root) });

    const turns: Array<{ messageId: string; copy: string }> = [];
    let sessionId: string | undefined;
    for (const input of ['Scaffold the project', 'Refactor it', 'Build it', 'Update the logo']) {
      const copy = copyWorkspace(root, join(workspace(), 'copy'));
      const result = await Runner.run(agent, {
        input,
        session: { store, ...(sessionId ? { resume: sessionId } : {}), checkpointFiles: true, workspace: root },
      });
      sessionId = result.sessionId;
      turns.push({ messageId: result.messages[0]!.id, copy });
      const events = await store.runEvents(result.runId);
      expect(events.map((event) => event.type).slice(0, 3)).toEqual(['run-start', 'checkpoint', 'step-start']);
      expect(events[1]!.data).toMatchObject({ messageId: result.messages[0]!.id });
      // A person edits between turns: part of the state the next turn starts from.
      if (input === 'Refactor it') writeFileSync(join(root, 'notes.md'), 'notes edited by the user between turns\n');
    }
    const id = sessionId!;
    // Every message the runs wrote has its checkpoint (the input, each assistant message, each tool result).
    expect((await store.checkpoints(id)).map((summary) => summary.messageId)).toEqual((await store.getMessages(id)).map((message) => message.id));
    expect(snapshotWorkspace(root)).not.toEqual(snapshotWorkspace(turns[0]!.copy));

    // A dry run changes nothing, files or conversation.
    const finalState = snapshotWorkspace(root);
    const finalVersion = (await store.get(id))!.version;
    const plan = await store.rewind(id, { toMessage: turns[0]!.messageId, rewindFiles: true, workspace: root, dryRun: true });
    // Before turn 1: README.md (deleted in turn 2) and notes.md (edited, mode changed) come back; all the agent created goes.
    expect(plan.files).toEqual({
      workspace: realpathSync(root),
      restored: ['README.md', 'notes.md'],
      removed: ['assets/logo.bin', 'build/out/result.txt', 'data.bin', 'src/index.ts', 'src/util/strings.ts'],
      conflicts: [],
      removedDirectories: ['build/out', 'src/util', 'assets', 'build', 'src'],
      skipped: [],
    });
    expect(snapshotWorkspace(root)).toEqual(finalState);
    expect((await store.get(id))!.version).toBe(finalVersion);

    // A person's edit after the last turn is a conflict; nothing changes until `force`.
    writeFileSync(join(root, 'src/index.ts'), 'export const greeting = "edited by hand";\n');
    const edited = snapshotWorkspace(root);
    const last = turns[turns.length - 1]!;
    await expect(store.rewind(id, { toMessage: last.messageId, rewindFiles: true, workspace: root })).rejects.toSatisfy(
      (error: unknown) => WorkspaceConflictError.isInstance(error) && error.files.join() === 'src/index.ts',
    );
    expect(snapshotWorkspace(root)).toEqual(edited);
    expect((await store.get(id))!.version).toBe(finalVersion);
    await store.rewind(id, { toMessage: last.messageId, rewindFiles: true, workspace: root, force: true });
    expect(snapshotWorkspace(root)).toEqual(snapshotWorkspace(last.copy));

    for (const turn of [...turns].reverse()) {
      const result = await store.rewind(id, { toMessage: turn.messageId, rewindFiles: true, workspace: root });
      expect(result.files?.conflicts).toEqual([]);
      expect(snapshotWorkspace(root)).toEqual(snapshotWorkspace(turn.copy));
      expect((await store.getMessages(id)).at(-1)!.id).toBe(turn.messageId);
    }
    expect(snapshotWorkspace(root).entries['scratch.tmp']).toBeDefined();
    await store.close();
  });
});

describe('checkpointFiles through the stream and the chat handle', () => {
  it('Runner.stream yields a checkpoint event, and a chat checkpoints every turn', async () => {
    const store = SessionStore.memory();
    const root = workspace();
    writeTree(root, { 'a.txt': 'a' });
    const mock = scriptedMock([{ toolCalls: [{ toolName: 'write_file', input: { path: 'a.txt', content: 'b' } }] }, { text: 'ok' }, { text: 'second' }]);
    const agent = new Agent({ name: 'coder', model: mock.model, tools: codingTools(root) });
    const chat = await store.chat(agent, { checkpointFiles: true, workspace: root });
    const stream = chat.stream('change a');
    const kinds: string[] = [];
    for await (const event of stream) kinds.push(event.type);
    expect(kinds.slice(0, 2)).toEqual(['run-start', 'checkpoint']);
    // Also at the assistant message (before its tool ran), the tool result, and the answer.
    expect(kinds.filter((kind) => kind === 'checkpoint')).toHaveLength(4);
    await chat.send('again');
    const checkpoints = await store.checkpoints(chat.id);
    const messages = await store.getMessages(chat.id);
    expect(checkpoints.map((summary) => summary.messageId)).toEqual(messages.map((message) => message.id));
    // Each turn's end is recorded on its last checkpoint.
    expect(checkpoints.filter((summary) => summary.turnFinished).map((summary) => summary.messageId)).toEqual([messages[3]!.id, messages[5]!.id]);
    await store.rewind(chat.id, { toMessage: checkpoints[0]!.messageId, rewindFiles: true, workspace: root });
    expect(snapshotWorkspace(root).entries['a.txt']).toBe(snapshotWorkspaceOf({ 'a.txt': 'a' }).entries['a.txt']);
  });

  it('checkpoints the working directory when checkpointFiles is given no workspace', async () => {
    const store = SessionStore.memory();
    const agent = new Agent({ name: 'coder', model: scriptedMock([{ text: 'done' }]).model });
    const root = workspace();
    writeTree(root, { 'a.txt': 'before' });
    const previous = process.cwd();
    process.chdir(root);
    try {
      const result = await Runner.run(agent, { input: 'x', session: { store, checkpointFiles: true } });
      writeFileSync(join(root, 'a.txt'), 'after');
      // The edit came after the turn (not by the agent), so the rewind needs force.
      await store.rewind(result.sessionId, { toMessage: result.messages[0]!.id, rewindFiles: true, workspace: root, force: true });
      expect(snapshotWorkspace(root)).toEqual(snapshotWorkspaceOf({ 'a.txt': 'before' }));
    } finally {
      process.chdir(previous);
    }
  });

  it('refuses checkpointFiles with an empty workspace, with persist: false, on a store without the capability, and with an unsaved chat, before writing anything', async () => {
    const store = SessionStore.memory();
    const agent = new Agent({ name: 'coder', model: scriptedMock([{ text: 'never' }]).model });
    const root = workspace();
    await expect(Runner.run(agent, { input: 'x', session: { store, checkpointFiles: true, workspace: '' } })).rejects.toThrow(InvalidArgumentError);
    await expect(Runner.run(agent, { input: 'x', session: { store, persist: false, checkpointFiles: true, workspace: root } })).rejects.toThrow(/persist: false/);
    await expect(Runner.run(agent, { input: 'x', session: { store, workspace: root } })).rejects.toThrow(/only used with checkpointFiles/);
    await expect(Runner.run(agent, { input: 'x', session: { store, checkpointFiles: true, workspace: join(root, 'missing') } })).rejects.toThrow(InvalidArgumentError);
    expect((await store.list()).sessions).toHaveLength(0);
    const plainStore = storeWithoutCheckpoints();
    await expect(Runner.run(agent, { input: 'x', session: { store: plainStore, checkpointFiles: true, workspace: root } })).rejects.toThrow(/does not keep file checkpoints/);
    expect((await plainStore.list()).sessions).toHaveLength(0);
    await plainStore.close();
    await expect(store.chat(agent, { autoSave: false, checkpointFiles: true, workspace: root })).rejects.toThrow(/needs autoSave/);
  });
});

function snapshotWorkspaceOf(spec: Parameters<typeof writeTree>[1]) {
  const root = workspace();
  writeTree(root, spec);
  return snapshotWorkspace(root);
}
