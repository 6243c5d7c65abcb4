/**
 * Issue 18's file-store and checkpoint targets, each against a figure measured beside it in this run:
 *
 *  - fork from the middle of a session, at 1,000 vs 10,000 messages, each fork by a store opened
 *    just before (untimed): what a CLI call or a new server process pays, where nothing of the
 *    source is cached yet. Flat: ratio <= 1.5.
 *  - list the 20 newest sessions among 100 vs 1,000 (flat in the number of sessions; under 5 ms).
 *  - bytes on disk per message: a session of 10,000 messages written a turn at a time, every file of
 *    the store directory counted, against the average JSON of the messages read back (<= 1.3x).
 *  - checkpoint a settled 10,000-file workspace after 3 files changed, in a process that checkpoints
 *    it at every turn (under 50 ms), beside the floor of any stat-based scan: listing every directory
 *    and lstat-ing every entry. A cold process's checkpoint (a full stat scan) and the first, full
 *    checkpoint are reported too.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forgetIgnoreRules } from '../src/checkpoint/ignore-rules.js';
import { resetScanIndexes } from '../src/checkpoint/scan-index.js';
import { closeWorkspaceWatches, lastWatchedScan } from '../src/checkpoint/watched-scan.js';
import type { SessionStore } from '../src/index.js';
import { fillStore, LIST_PAGE } from './list-workload.js';
import { formatMs, interleave, summarise, timeOnce, type Side, type Summary } from './measure.js';
import { inPhase } from './progress.js';
import { ratioAtMost, ratioWithoutTarget, timeUnder, type Line } from './report.js';
import type { StoreTarget } from './store-targets.js';
import { sessionOfDepth, turnMessages, type OnProgress } from './workload.js';

const FORK_RATIO_LIMIT = 1.5;
const LIST_LIMIT_MS = 5;
const CHECKPOINT_LIMIT_MS = 50;
const BYTES_RATIO_LIMIT = 1.3;
const FORK_DEPTHS = [1_000, 10_000] as const;
const LIST_SESSIONS = [100, 1_000] as const;
const WORKSPACE_DIRECTORIES = 100;
const FILES_PER_DIRECTORY = 100;
const CHANGED_FILES = 3;

export interface FileStoreCounts {
  forks: number;
  listCalls: number;
  /** Messages in the session whose bytes on disk are measured. */
  messages: number;
}

const count = (value: number) => value.toLocaleString('en-US');
const figure = (left: Summary, right: Summary) =>
  `${formatMs(left.mean)} vs ${formatMs(right.mean)} (median ${formatMs(left.median)} vs ${formatMs(right.median)})`;

function ratios(samples: { left: number[]; right: number[] }) {
  const left = summarise(samples.left);
  const right = summarise(samples.right);
  return { left, right, ratio: right.mean / left.mean, median: right.median / left.median, trimmed: right.trimmedMean / left.trimmedMean };
}

export async function benchFileStore(target: StoreTarget, counts: FileStoreCounts): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const lines: Line[] = [];
  const fork = await inPhase(target.name, `fork from the middle at ${FORK_DEPTHS.map(count).join(' vs ')} messages, each by a fresh store (${counts.forks} rounds)`, (phase) =>
    forkFromMiddle(target, counts.forks, phase.advance),
  );
  lines.push({
    measure: `fork from the middle, fresh store, mean of ${counts.forks}: ${FORK_DEPTHS.map(count).join(' vs ')}`,
    figure: figure(fork.left, fork.right),
    check: ratioAtMost(`fork middle ${FORK_DEPTHS[1]} / ${FORK_DEPTHS[0]}`, fork.ratio, FORK_RATIO_LIMIT, { median: fork.median, trimmed: fork.trimmed }),
  });
  const list = await inPhase(target.name, `list newest ${LIST_PAGE} among ${LIST_SESSIONS.map(count).join(' vs ')} sessions (${counts.listCalls} rounds)`, (phase) =>
    listBySessions(target, counts.listCalls, phase.advance),
  );
  lines.push({
    measure: `list newest ${LIST_PAGE}, mean of ${counts.listCalls}: ${LIST_SESSIONS.map(count).join(' vs ')} sessions`,
    figure: figure(list.left, list.right),
    check: ratioAtMost(`list ${LIST_SESSIONS[1]} / ${LIST_SESSIONS[0]} sessions`, list.ratio, FORK_RATIO_LIMIT, { median: list.median, trimmed: list.trimmed }),
  });
  lines.push({ measure: `  list newest ${LIST_PAGE} of ${count(LIST_SESSIONS[1])}, mean`, figure: formatMs(list.right.mean), check: timeUnder(`list ${LIST_PAGE} of ${count(LIST_SESSIONS[1])}`, list.right.mean, LIST_LIMIT_MS) });
  const bytes = await inPhase(target.name, `bytes on disk per message (${count(counts.messages)} messages, a turn per append)`, () => bytesPerMessage(target, counts.messages));
  lines.push({
    measure: `bytes on disk per message, settled (${count(counts.messages)} messages of ~${bytes.jsonBytes.toFixed(0)} B of JSON)`,
    figure: `${bytes.storeBytes.toFixed(0)} B: ${Object.entries(bytes.byPart).filter(([, value]) => value >= 0.5).map(([part, value]) => `${part} ${value.toFixed(0)}`).join(', ')}`,
    check: ratioAtMost('file bytes per message / its JSON', bytes.ratio, BYTES_RATIO_LIMIT),
  });
  return { lines, results: { forkFromMiddle: fork, listBySessions: list, bytesPerMessage: bytes } };
}

/** Every file of the store directory, per message, and by top-level entry (segments, index, ...) to show where the bytes go. */
async function bytesPerMessage(target: StoreTarget, messages: number) {
  const url = target.url?.('bytes');
  if (!url?.startsWith('file:')) throw new Error('the bytes measure needs a file store target');
  const directory = url.slice('file:'.length);
  const store = await target.open('bytes');
  let jsonBytes: number;
  try {
    const session = await store.create();
    for (let turn = 0; turn < messages / 2; turn += 1) await store.append(session.id, turnMessages(turn));
    const stored = await store.getMessages(session.id);
    jsonBytes = stored.reduce((total, message) => total + Buffer.byteLength(JSON.stringify(message)), 0) / stored.length;
  } finally {
    await store.close();
  }
  const byPart: Record<string, number> = {};
  for (const entry of readdirSync(directory)) byPart[entry] = treeBytes(join(directory, entry)) / messages;
  const storeBytes = Object.values(byPart).reduce((total, value) => total + value, 0);
  return { messages, jsonBytes, storeBytes, byPart, ratio: storeBytes / jsonBytes };
}

function treeBytes(path: string): number {
  const status = lstatSync(path);
  if (!status.isDirectory()) return status.size;
  return readdirSync(path).reduce((total, name) => total + treeBytes(join(path, name)), 0);
}

async function forkFromMiddle(target: StoreTarget, rounds: number, onProgress?: OnProgress) {
  const namespace = 'forkmiddle';
  const setup = await target.open(namespace);
  const sources: Array<{ id: string; middle: string }> = [];
  try {
    for (const depth of FORK_DEPTHS) {
      const id = await sessionOfDepth(setup, depth);
      const [middle] = await setup.getMessages(id, { last: depth / 2 + 1 });
      sources.push({ id, middle: middle!.id });
    }
  } finally {
    await setup.close();
  }
  const side = async (source: { id: string; middle: string }): Promise<Side & { close(): Promise<void> }> => {
    let fresh: SessionStore = await target.open(namespace);
    return {
      timed: () => fresh.fork(source.id, { fromMessage: source.middle }),
      after: async () => {
        await fresh.close();
        fresh = await target.open(namespace);
      },
      close: () => fresh.close(),
    };
  };
  const shallow = await side(sources[0]!);
  const deep = await side(sources[1]!);
  try {
    return ratios(await interleave(rounds, shallow, deep, (done) => onProgress?.(done, rounds)));
  } finally {
    await shallow.close();
    await deep.close();
  }
}

async function listBySessions(target: StoreTarget, rounds: number, onProgress?: OnProgress) {
  const stores: SessionStore[] = [];
  try {
    for (const sessions of LIST_SESSIONS) {
      const store = await target.open(`listflat${sessions}`);
      stores.push(store);
      await fillStore(store, sessions);
    }
    const list = (store: SessionStore) => async () => {
      const { sessions } = await store.list({ orderBy: 'updatedAt', order: 'desc', limit: LIST_PAGE });
      if (sessions.length !== LIST_PAGE) throw new Error(`list returned ${sessions.length} sessions, expected ${LIST_PAGE}`);
    };
    return ratios(await interleave(rounds, list(stores[0]!), list(stores[1]!), (done) => onProgress?.(done, rounds)));
  } finally {
    for (const store of stores) await store.close();
  }
}

/**
 * The checkpoint lines, on any store that keeps checkpoints. `directory` holds the workspace.
 * Steady state: a process that checkpoints the workspace at every turn (its change watches are
 * active, watched-scan.ts). Cold: a process's first checkpoint of it (index and watches dropped
 * before each sample: a full stat scan, hashing only what the base checkpoint's times do not vouch
 * for). Both interleaved with the floor of any stat scan.
 */
export async function benchCheckpoint(target: StoreTarget, rounds: number, directory: string): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const files = WORKSPACE_DIRECTORIES * FILES_PER_DIRECTORY;
  const workspace = mkdtempSync(join(directory, 'workspace-'));
  const store = await target.open('checkpoint');
  try {
    const result = await inPhase(target.name, `checkpoint of ${count(files)} files, ${CHANGED_FILES} changed, steady and cold, vs readdir + lstat of them all (${rounds} rounds each)`, async (phase) => {
      writeWorkspace(workspace);
      const session = await store.create();
      await store.append(session.id, { role: 'user', content: 'turn 0' });
      coldProcess();
      const firstMs = await timeOnce(() => store.checkpoint(session.id, { workspace }));
      let turn = 0;
      const nextTurn = async () => {
        turn += 1;
        await store.append(session.id, { role: 'user', content: `turn ${turn}` });
        for (let file = 0; file < CHANGED_FILES; file += 1) writeFileSync(join(workspace, `dir${file}`, `file${turn % FILES_PER_DIRECTORY}.ts`), `changed in turn ${turn}\n`);
      };
      const checkpoint = (expected: 'changes' | 'full'): Side => ({
        timed: async () => {
          const made = await store.checkpoint(session.id, { workspace });
          if (made.changedFiles !== CHANGED_FILES) throw new Error(`a bench checkpoint recorded ${made.changedFiles} changed files, expected ${CHANGED_FILES}`);
        },
        after: async () => {
          const scan = lastWatchedScan();
          if (scan.kind !== expected) throw new Error(`a ${expected === 'full' ? 'cold' : 'steady'} bench checkpoint made a ${scan.kind} scan (${scan.why ?? ''})`);
          await nextTurn();
          if (expected === 'full') coldProcess();
        },
      });
      await nextTurn();
      const floor = async () => statEverything(workspace);
      const steady = ratios(await interleave(rounds, floor, checkpoint('changes'), (done) => phase.advance(done, 2 * rounds)));
      coldProcess();
      const cold = ratios(await interleave(rounds, floor, checkpoint('full'), (done) => phase.advance(rounds + done, 2 * rounds)));
      return { firstMs, steady, cold };
    });
    const { steady, cold } = result;
    return {
      lines: [
        {
          measure: `checkpoint, ${count(files)} files, ${CHANGED_FILES} changed, steady (watches active; mean of ${rounds}) vs its floor, readdir + lstat of every entry`,
          figure: figure(steady.right, steady.left),
          check: timeUnder(`checkpoint ${count(files)} files, ${CHANGED_FILES} changed`, steady.right.mean, CHECKPOINT_LIMIT_MS),
        },
        { measure: '  steady checkpoint / the stat floor', figure: steady.ratio.toFixed(2), check: ratioWithoutTarget('steady checkpoint / readdir + lstat', steady.ratio) },
        {
          measure: `  cold process's checkpoint (full stat scan; mean of ${rounds}) vs the floor`,
          figure: figure(cold.right, cold.left),
          check: ratioWithoutTarget('cold checkpoint / readdir + lstat', cold.ratio),
        },
        { measure: `  first checkpoint (every file hashed and stored)`, figure: formatMs(result.firstMs) },
      ],
      results: { checkpoint: result },
    };
  } finally {
    await store.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** What a new process knows of any workspace: nothing (no scan index, no watches, no ignore matcher). */
function coldProcess(): void {
  resetScanIndexes();
  forgetIgnoreRules();
  closeWorkspaceWatches();
}

/** 10,000 small source files, dated a minute back: settled, as a checkout that has sat for a while. */
function writeWorkspace(workspace: string): void {
  const settled = new Date(Date.now() - 60_000);
  for (let directory = 0; directory < WORKSPACE_DIRECTORIES; directory += 1) {
    mkdirSync(join(workspace, `dir${directory}`), { recursive: true });
    for (let file = 0; file < FILES_PER_DIRECTORY; file += 1) {
      const path = join(workspace, `dir${directory}`, `file${file}.ts`);
      writeFileSync(path, `export const value${file} = ${directory * FILES_PER_DIRECTORY + file}; // a line of source\n`.repeat(10));
      utimesSync(path, settled, settled);
    }
  }
}

/** The floor of any stat-based change detection: every directory listed, every entry lstat-ed. */
function statEverything(directory: string): number {
  let entries = 0;
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    entries += 1;
    if (lstatSync(path).isDirectory()) entries += statEverything(path);
  }
  return entries;
}
