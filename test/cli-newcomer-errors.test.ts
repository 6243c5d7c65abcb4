/**
 * Errors a newcomer meets in the first hour, as the CLI prints them: a server that cannot be
 * reached names its address and the reason, for Redis as for PostgreSQL, and says it once (not
 * again as a "cause:" line); a token too short to serve with names the variable or the file entry
 * it came from, not an internal "tokens[0]".
 */
import { createServer } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/cli/report-error.js';
import { SessionStore, StoreUnavailableError } from '../src/index.js';
import { runCliProcess } from './fixtures/cli-process.js';
import { temporaryDirectory } from './fixtures/workspace.js';

const directory = temporaryDirectory('newcomer-errors');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A port nothing listens on (taken from the system, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('a store server that cannot be reached', () => {
  it('Redis: the error names the address and the reason (ECONNREFUSED host:port), never the password', async () => {
    const port = await closedPort();
    const error = await SessionStore.open(`redis://:hunter2secret@127.0.0.1:${port}`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('hunter2secret');
  });

  it.each(['redis', 'postgres'])('%s through the CLI: one line with the address and the reason, said once', async (scheme) => {
    const port = await closedPort();
    const url = scheme === 'redis' ? `redis://127.0.0.1:${port}` : `postgres://someone:pw@127.0.0.1:${port}/db`;
    const result = await runCliProcess(['list'], { storeUrl: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(occurrences(result.stderr, `ECONNREFUSED 127.0.0.1:${port}`)).toBe(1);
    expect(result.stderr).not.toContain('cause:');
  });
});

describe("the CLI's error reporter", () => {
  it('prints a cause only when the message does not already say it, and then once', () => {
    const repeated = new Error('Could not open: disk full', { cause: new Error('disk full') });
    expect(describeError(repeated).filter((line) => line.includes('disk full'))).toHaveLength(1);
    const deeper = new Error('Could not open: disk full', { cause: new Error('disk full', { cause: new Error('ENOSPC on /var/db') }) });
    expect(describeError(deeper)).toContain('  cause: ENOSPC on /var/db');
    const fresh = new Error('Could not open the store', { cause: new Error('EACCES: permission denied') });
    expect(describeError(fresh).filter((line) => line.includes('EACCES'))).toEqual(['  cause: EACCES: permission denied']);
  });
});

describe('sessionloom serve with a token too short to use', () => {
  it('names $SESSIONLOOM_TOKEN, and says how to make a good one', async () => {
    const result = await runCliProcess(['serve', '--port', '0'], { storeUrl: 'memory:', env: { SESSIONLOOM_TOKEN: 'short' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('$SESSIONLOOM_TOKEN');
    expect(result.stderr).toContain('at least 16');
    expect(result.stderr).toContain('openssl rand -hex 24');
    expect(result.stderr).not.toContain('tokens[');
    expect(result.stderr).not.toContain('short');
  });

  it('names the --tokens-file entry', async () => {
    const file = join(directory, 'tokens.json');
    writeFileSync(file, JSON.stringify([{ token: 'a-good-long-token-0123456789' }, { token: 'tiny' }]));
    const result = await runCliProcess(['serve', '--port', '0', '--tokens-file', file], { storeUrl: 'memory:' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--tokens-file entry 2 of "${file}"`);
    expect(result.stderr).not.toContain('tokens[');
  });
});
