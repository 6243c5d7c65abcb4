/**
 * `sessionloom export`, `import` and `migrate` as a user runs them: real processes on SQLite files
 * and file stores that the test builds and checks through the library, so every round trip crosses
 * a process boundary. One source store, built once with every kind of record (fork, rewound tail,
 * run with events, file checkpoint), is only read by the commands.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, type ImportResult } from '../src/index.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-transfer-'));
const sourceUrl = `sqlite:${join(directory, 'source.db')}`;
let sessionIds: string[] = [];
let counter = 0;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A path in the test directory no other test uses. */
function newPath(name: string): string {
  return join(directory, `${++counter}-${name}`);
}

/** Sessions with every kind of record an export carries; returns their ids. */
async function buildSource(): Promise<string[]> {
  const workspace = join(directory, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'notes.txt'), 'version 1');
  const store = SessionStore.sqlite(sourceUrl.slice('sqlite:'.length));
  try {
    await store.create({ id: 'trip', userId: 'ana', agentId: 'planner', tags: ['travel'], metadata: { team: 'blue' } });
    const [first] = await store.append('trip', { role: 'user', content: 'Plan the trip to Lisbon' });
    await store.checkpoint('trip', { workspace });
    const run = await store.startRun('trip', { agentName: 'planner' });
    const turn = await store.append(
      'trip',
      [
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'search', input: { q: 'Lisbon' } }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call-1', toolName: 'search', output: { type: 'json', value: { found: 3 } } }] },
        { role: 'assistant', content: 'Lisbon it is.' },
      ],
      { runId: run.id },
    );
    await store.recordRunEvents(run.id, [{ type: 'step-start', data: { step: 1 } }]);
    await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 } });
    await store.fork('trip', { id: 'trip-porto', fromMessage: turn[1]!.id });
    await store.append('trip-porto', { role: 'user', content: 'What about Porto instead?' });
    await store.rewind('trip', { toMessage: first!.id });
    await store.append('trip', { role: 'user', content: 'Plan the trip, but cheaper' });
    await store.create({ id: 'weather', userId: 'ben' });
    await store.append('weather', [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: 'It is 4°C.' }]);
  } finally {
    await store.close();
  }
  return ['trip', 'trip-porto', 'weather'];
}

/** Every read a caller has on a session; two stores with the same answers to all of them hold the same session. */
const SESSION_READS: Array<(store: SessionStore, id: string) => Promise<unknown>> = [
  (store, id) => store.get(id),
  (store, id) => store.getMessages(id),
  (store, id) => store.branches(id),
  (store, id) => store.checkpoints(id),
  async (store, id) => Promise.all((await store.runs(id)).map(async (run) => ({ run, events: await store.runEvents(run.id) }))),
];

async function contentOf(storeUrl: string, ids: string[]): Promise<unknown[][]> {
  return withLibraryStore(storeUrl, (store) => Promise.all(ids.map((id) => Promise.all(SESSION_READS.map((read) => read(store, id))))));
}

async function sessionCount(storeUrl: string): Promise<number> {
  return withLibraryStore(storeUrl, async (store) => (await store.list()).sessions.length);
}

/** The export's lines without the header, whose creation time differs from one export to the next. */
function linesAfterHeader(text: string): string[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // every line ends with a newline, the last one too
  expect(JSON.parse(lines[0] ?? '')).toMatchObject({ kind: 'header' });
  return lines.slice(1);
}

function exportedSessionIds(text: string): string[] {
  return linesAfterHeader(text)
    .map((line) => JSON.parse(line) as { kind: string; data: { id?: string } })
    .filter((record) => record.kind === 'session')
    .map((record) => record.data.id ?? '');
}

const FULL_IMPORT: ImportResult = { sessions: { imported: 3, existing: 0 }, messages: 8, runs: 1, checkpoints: 1, blobs: 1 };
const NOTHING_NEW: ImportResult = { sessions: { imported: 0, existing: 3 }, messages: 0, runs: 0, checkpoints: 0, blobs: 0 };

beforeAll(async () => {
  sessionIds = await buildSource();
});

describe('sessionloom export and import', () => {
  let exportFile = '';

  it('export --out writes a private file, stdout gets the same stream, and import reproduces every session', async () => {
    exportFile = newPath('all.jsonl');
    const toFile = await runCliProcess(['export', '--out', exportFile], { storeUrl: sourceUrl });
    expect(toFile.stderr).toBe('');
    expect(toFile.code).toBe(0);
    const written = readFileSync(exportFile, 'utf8');
    const lineCount = written.split('\n').length - 1;
    expect(toFile.stdout).toBe(`Exported 3 sessions (${lineCount} lines) to ${exportFile}\n`);
    expect(statSync(exportFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${exportFile}.partial`)).toBe(false);
    expect(exportedSessionIds(written).sort()).toEqual([...sessionIds].sort());

    const toStdout = await runCliProcess(['export'], { storeUrl: sourceUrl });
    expect(toStdout.code).toBe(0);
    expect(toStdout.stderr).toBe(''); // no progress bar when stderr is not a terminal
    expect(linesAfterHeader(toStdout.stdout)).toEqual(linesAfterHeader(written));

    const targetUrl = `sqlite:${newPath('target.db')}`;
    expect(await runCliJson<ImportResult>(['import', exportFile], { storeUrl: targetUrl })).toEqual(FULL_IMPORT);
    expect(await contentOf(targetUrl, sessionIds)).toEqual(await contentOf(sourceUrl, sessionIds));

    // Again: everything is already there, and nothing is written twice.
    const again = await runCliProcess(['import', exportFile], { storeUrl: targetUrl });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Imported 0 sessions (3 already there), 0 messages, 0 runs, 0 checkpoints, 0 blobs\n');
    expect(await contentOf(targetUrl, sessionIds)).toEqual(await contentOf(sourceUrl, sessionIds));
  });

  it('export IDS exports only those sessions, and --json describes the file', async () => {
    const file = newPath('weather.jsonl');
    const document = await runCliJson<{ file: string; sessions: number; lines: number }>(['export', 'weather', '--out', file], { storeUrl: sourceUrl });
    const written = readFileSync(file, 'utf8');
    expect(document).toEqual({ file, sessions: 1, lines: written.split('\n').length - 1 });
    expect(exportedSessionIds(written)).toEqual(['weather']);
  });

  it('import - reads the export from stdin', async () => {
    const targetUrl = `sqlite:${newPath('from-stdin.db')}`;
    const result = await runCliProcess(['import', '-', '--json'], { storeUrl: targetUrl, input: readFileSync(exportFile, 'utf8') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(FULL_IMPORT);
  });

  it('import refuses a damaged file, naming the line, and imports nothing', async () => {
    const lines = readFileSync(exportFile, 'utf8').split('\n');
    const index = lines.findIndex((line) => line.startsWith('{"kind":"message"') && line.includes('Lisbon'));
    expect(index).toBeGreaterThan(0);
    lines[index] = lines[index]!.replace('Lisbon', 'Lisbom');
    const damaged = newPath('damaged.jsonl');
    writeFileSync(damaged, lines.join('\n'));

    const targetUrl = `sqlite:${newPath('damaged-target.db')}`;
    const result = await runCliProcess(['import', damaged], { storeUrl: targetUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`at line ${index + 1}:`);
    expect(result.stderr).toContain('IMPORT_INVALID');
    expect(result.stdout).toBe('');
    expect(await sessionCount(targetUrl)).toBe(0);
  });

  it('import of a missing file names it, exits 1 and creates no store', async () => {
    const missing = newPath('missing.jsonl');
    const targetPath = newPath('untouched.db');
    const result = await runCliProcess(['import', missing], { storeUrl: `sqlite:${targetPath}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('no such file');
    expect(existsSync(targetPath)).toBe(false);
  });
});

describe('sessionloom migrate', () => {
  it('copies every session from SQLite into another SQLite file, leaving no export behind', async () => {
    const targetUrl = `sqlite:${newPath('migrated.db')}`;
    // Its own temporary directory, to see that the export written there is gone afterwards.
    const temporary = newPath('tmp');
    mkdirSync(temporary);
    const document = await runCliJson<{ exported: { sessions: number; lines: number }; imported: ImportResult }>(['migrate', '--from', sourceUrl, '--to', targetUrl], {
      env: { TMPDIR: temporary },
    });
    expect(readdirSync(temporary).filter((name) => name.startsWith('sessionloom'))).toEqual([]); // tsx keeps its cache there too
    expect(document.exported).toEqual({ sessions: 3, lines: expect.any(Number) });
    expect(document.imported).toEqual(FULL_IMPORT);
    expect(await contentOf(targetUrl, sessionIds)).toEqual(await contentOf(sourceUrl, sessionIds));
  });

  it('copies into a file store and --keep leaves a private backup that imports again as all existing', async () => {
    const targetUrl = `file:${newPath('migrated-files')}`;
    const backup = newPath('backup.jsonl');
    // --from defaults to the command's store.
    const result = await runCliProcess(['migrate', '--to', targetUrl, '--keep', backup], { storeUrl: sourceUrl });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Exported 3 sessions \\(\\d+ lines\\) to ${backup}\\n`));
    expect(result.stdout).toContain('Imported 3 sessions, 8 messages, 1 run, 1 checkpoint, 1 blob\n');
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(await contentOf(targetUrl, sessionIds)).toEqual(await contentOf(sourceUrl, sessionIds));

    expect(await runCliJson<ImportResult>(['import', backup], { storeUrl: targetUrl })).toEqual(NOTHING_NEW);
  });

  it('refuses to migrate a store into itself (usage error, nothing written)', async () => {
    const backup = newPath('never.jsonl');
    const result = await runCliProcess(['migrate', '--to', sourceUrl, '--keep', backup], { storeUrl: sourceUrl });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('same store');
    expect(result.stdout).toBe('');
    expect(existsSync(backup)).toBe(false);
  });
});
