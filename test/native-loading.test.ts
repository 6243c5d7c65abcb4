/**
 * Nothing native loads unless asked: `import 'sessionloom'` and a memory store (with export,
 * import, an agent run and a fallback over memory) work in a process where better-sqlite3, pg and
 * ioredis cannot be resolved, and asking for SQLite there is a ConfigurationError naming the fix.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const blocker = fileURLToPath(new URL('./process/block-native.mjs', import.meta.url));
const script = fileURLToPath(new URL('./process/memory-without-native.ts', import.meta.url));

describe('native clients load only when asked', () => {
  it('runs a memory store where better-sqlite3, pg and ioredis cannot be resolved', async () => {
    const { stdout } = await run(process.execPath, ['--import', blocker, '--import', 'tsx', script], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.path).toEqual(['hello']);
    expect(result.forkPath).toBe(1);
    expect(result.imported).toBe(2);
    expect(result.runOutput).toContain('ping');
    expect(result.fallbackCreated).toBe('through-fallback');
    expect(result.loadedNative).toEqual([]);
    // The blocker really blocks: the SQLite store cannot load, and says what to install.
    expect(result.sqliteError).toMatchObject({ name: 'ConfigurationError', code: 'CONFIGURATION' });
    expect(result.sqliteError.message).toContain('npm install better-sqlite3');
  });
});
