/**
 * Run as an unprivileged user (root ignores permission bits): an unreadable file is skipped by a
 * checkpoint and left alone by a rewind, and a read-only directory makes a restore fail part way,
 * after which every file already changed is put back and the head stays. Prints one JSON line.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'sessionloom-permissions-'));
const describe = () =>
  ['a.txt', 'locked/b.txt', 'secret.txt'].map((path) => {
    const stats = lstatSync(join(root, path));
    const readable = (stats.mode & 0o400) !== 0;
    return `${path}:${(stats.mode & 0o777).toString(8)}:${readable ? readFileSync(join(root, path), 'utf8') : 'unreadable'}`;
  });

try {
  writeFileSync(join(root, 'a.txt'), 'a1');
  mkdirSync(join(root, 'locked'));
  writeFileSync(join(root, 'locked/b.txt'), 'b1');
  writeFileSync(join(root, 'secret.txt'), 'not for the store');
  chmodSync(join(root, 'secret.txt'), 0o000);
  const store = SessionStore.memory();
  const session = await store.create();
  const [start] = await store.append(session.id, { role: 'user', content: 'start' });
  process.removeAllListeners('warning');
  const checkpoint = await store.checkpoint(session.id, { workspace: root });
  writeFileSync(join(root, 'a.txt'), 'a2');
  writeFileSync(join(root, 'locked/b.txt'), 'b2');
  await store.append(session.id, { role: 'assistant', content: 'done' });
  await store.finishCheckpoint(session.id, { workspace: root });
  chmodSync(join(root, 'locked'), 0o555);
  const before = describe();
  const head = await store.get(session.id);
  let error = '';
  try {
    await store.rewind(session.id, { toMessage: start!.id, rewindFiles: true, workspace: root });
  } catch (caught) {
    error = (caught as Error).message;
  }
  const after = describe();
  const headAfter = await store.get(session.id);
  console.log(
    JSON.stringify({
      uid: process.getuid?.(),
      skipped: checkpoint.skipped,
      error,
      workspaceUnchanged: JSON.stringify(before) === JSON.stringify(after),
      after,
      headUnchanged: head?.version === headAfter?.version && head?.messageCount === headAfter?.messageCount,
    }),
  );
} finally {
  chmodSync(join(root, 'locked'), 0o755);
  rmSync(root, { recursive: true, force: true });
}
