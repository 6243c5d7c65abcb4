/**
 * Resume in a fresh process (issue 18): a process that has loaded its code opens the store and
 * reads all 10,000 messages of a session, against the cheapest store there could be for that one
 * question: one SQLite row holding the whole conversation as one JSON string (open, one SELECT, one
 * JSON.parse). Each side runs in its own new process, alternately, and times itself from the open
 * to the messages in hand; module loading is left out of both.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SessionStore } from '../src/index.js';
import { summarise, type Summary } from './measure.js';
import { turnMessages, type OnProgress } from './workload.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const moduleUrl = (path: string) => JSON.stringify(pathToFileURL(join(repositoryRoot, path)).href);

const SESSIONLOOM_SIDE = `
  const { SessionStore } = await import(${moduleUrl('src/index.ts')});
  await import(${moduleUrl('src/drivers/sqlite/driver.ts')});
  const started = performance.now();
  const store = SessionStore.sqlite(process.env.STORE_PATH);
  const messages = await store.getMessages(process.env.SESSION_ID);
  const elapsed = performance.now() - started;
  if (messages.length !== Number(process.env.EXPECTED)) throw new Error('read ' + messages.length + ' messages');
  process.stdout.write(String(elapsed));
  await store.close();`;

const FLOOR_SIDE = `
  const { default: Database } = await import('better-sqlite3');
  const started = performance.now();
  const database = new Database(process.env.STORE_PATH, { readonly: true });
  const row = database.prepare('SELECT messages FROM conversation WHERE id = ?').get(process.env.SESSION_ID);
  const messages = JSON.parse(row.messages);
  const elapsed = performance.now() - started;
  if (messages.length !== Number(process.env.EXPECTED)) throw new Error('read ' + messages.length + ' messages');
  process.stdout.write(String(elapsed));
  database.close();`;

function timeInFreshProcess(source: string, environment: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', source], {
      cwd: repositoryRoot,
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(Number(output)) : reject(new Error(`resume process exited ${code}: ${errors}`))));
  });
}

export interface ResumeComparison {
  messages: number;
  sessionloom: Summary;
  floor: Summary;
  /** sessionloom mean / floor mean: issue 18 asks at most 2. */
  ratio: number;
  medianRatio: number;
}

export async function resumeAgainstFloor(directory: string, messages: number, rounds: number, onProgress?: OnProgress): Promise<ResumeComparison> {
  const storePath = join(directory, 'resume.db');
  const floorPath = join(directory, 'resume-floor.db');
  const store = SessionStore.sqlite(storePath);
  const session = await store.create();
  for (let turn = 0; turn < messages / 2; turn += 250) {
    const turns = Math.min(250, messages / 2 - turn);
    await store.append(session.id, Array.from({ length: turns }, (_, offset) => turnMessages(turn + offset)).flat());
  }
  const conversation = await store.getMessages(session.id);
  await store.close();
  const floor = new Database(floorPath);
  floor.pragma('journal_mode = WAL');
  floor.exec('CREATE TABLE conversation (id TEXT PRIMARY KEY, messages TEXT NOT NULL)');
  floor.prepare('INSERT INTO conversation (id, messages) VALUES (?, ?)').run(session.id, JSON.stringify(conversation));
  floor.close();

  const environment = { SESSION_ID: session.id, EXPECTED: String(conversation.length) };
  const samples = { sessionloom: [] as number[], floor: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const sides = [
      async () => samples.sessionloom.push(await timeInFreshProcess(SESSIONLOOM_SIDE, { ...environment, STORE_PATH: storePath })),
      async () => samples.floor.push(await timeInFreshProcess(FLOOR_SIDE, { ...environment, STORE_PATH: floorPath })),
    ];
    for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
    onProgress?.(round + 1, rounds);
  }
  const sessionloom = summarise(samples.sessionloom);
  const floorSummary = summarise(samples.floor);
  return {
    messages: conversation.length,
    sessionloom,
    floor: floorSummary,
    ratio: sessionloom.mean / floorSummary.mean,
    medianRatio: sessionloom.median / floorSummary.median,
  };
}
