/**
 * The CLI answers in its own terms: a read-only command on a store that does not exist says so
 * and creates nothing, a message id that is not on the path is answered with the commands that
 * list the ids (not the library's method names), and migrating into memory is refused.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-terms-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the CLI speaks CLI', () => {
  it('read-only commands on a store that does not exist: "no such store", and no file or directory made', async () => {
    const typo = join(directory, 'typo.db');
    const missingDirectory = join(directory, 'no-such-dir');
    const runs = await Promise.all([
      runCliProcess(['list'], { storeUrl: `sqlite:${typo}` }),
      runCliProcess(['show', 'some-id'], { storeUrl: `sqlite:${typo}` }),
      runCliProcess(['tree', 'some-id'], { storeUrl: `sqlite:${typo}` }),
      runCliProcess(['runs', 'some-id'], { storeUrl: `file:${missingDirectory}` }),
      runCliProcess(['replay', 'run_1'], { storeUrl: `file:${missingDirectory}` }),
      runCliProcess(['export'], { storeUrl: `sqlite:${typo}` }),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: .*no such store: .* does not exist/m);
      expect(run.stdout).toBe('');
    }
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(missingDirectory)).toBe(false);
  });

  it('a message that is not on the path names the commands that list the ids', async () => {
    const storeUrl = `sqlite:${join(directory, 'sessions.db')}`;
    await withLibraryStore(storeUrl, async (store) => {
      await store.create({ id: 'trip', messages: [{ role: 'user', content: 'Lisbon?' }] });
    });
    for (const args of [
      ['rewind', 'trip', '--to', 'msg_bogus'],
      ['fork', 'trip', '--from', 'msg_bogus'],
    ]) {
      const result = await runCliProcess(['--store', storeUrl, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain('Message "msg_bogus" is not on the path of session "trip"');
      expect(result.stderr).toContain(`sessionloom --store ${storeUrl} show trip`);
      expect(result.stderr).toContain(`sessionloom --store ${storeUrl} tree trip`);
      expect(result.stderr).not.toMatch(/getMessages|branches\(\)/);
    }
  });

  it('migrate --to memory: is a usage error, and nothing is read', async () => {
    const result = await runCliProcess(['migrate', '--to', 'memory:'], { storeUrl: `sqlite:${join(directory, 'never-made.db')}` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--to memory:');
    expect(existsSync(join(directory, 'never-made.db'))).toBe(false);
  });
});
