// `npx tsx test/campaign/kills.ts [killsPerStore]`: writers appending to SQLite and the file store
// (two at a time, on one session) are killed with SIGKILL at random moments, again and again; after
// every kill the store is read back and every acknowledged append must be there, exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../../src/index.js';
import { acknowledged, spawnWriter } from '../process/spawn.js';

const killsPerStore = Number(process.argv[2] ?? 20);
const directory = mkdtempSync(join(tmpdir(), 'sessionloom-kills-'));
const report: Record<string, { kills: number; acknowledged: number; lost: number; duplicated: number }> = {};

for (const url of [`sqlite:${join(directory, 'kills.db')}`, `file:${join(directory, 'files')}`]) {
  const setup = await SessionStore.open(url);
  const session = await setup.create({ id: 'kill-target' });
  await setup.close();
  const figures = { kills: 0, acknowledged: 0, lost: 0, duplicated: 0 };
  const acked: string[] = [];
  for (let round = 0; round < killsPerStore; round += 1) {
    const writers = [spawnWriter(url, session.id, `w${round}a`, 0), spawnWriter(url, session.id, `w${round}b`, 0)];
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.child.stdin.write('go\n');
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 400));
    for (const writer of writers) writer.child.kill('SIGKILL');
    await Promise.all(writers.map((writer) => writer.exited));
    figures.kills += writers.length;
    for (const writer of writers) acked.push(...acknowledged(writer).map((ack) => ack.content));
    const store = await SessionStore.open(url);
    const stored = (await store.getMessages(session.id)).map((message) => String(message.content));
    await store.close();
    const counts = new Map<string, number>();
    for (const content of stored) counts.set(content, (counts.get(content) ?? 0) + 1);
    figures.lost = acked.filter((content) => !counts.has(content)).length;
    figures.duplicated = [...counts.values()].filter((count) => count > 1).length;
  }
  figures.acknowledged = acked.length;
  report[url.split(':')[0]!] = figures;
}
rmSync(directory, { recursive: true, force: true });
console.log(JSON.stringify(report, null, 2));
process.exit(Object.values(report).every((figures) => figures.lost === 0 && figures.duplicated === 0) ? 0 : 1);
