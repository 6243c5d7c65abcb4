/**
 * The Python client's tests (python/tests, the standard library's unittest) as part of `npm test`:
 * every Python test is one vitest test here, so the count `npm test` prints includes them. The
 * Python side starts its own `sessionloom serve` from this checkout (SQLite in a temporary
 * directory) and a TypeScript agent or two (test/fixtures/python).
 *
 * Without python3 the suite is skipped with a banner saying so; under CI=true that fails the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';

const pythonDirectory = fileURLToPath(new URL('../python', import.meta.url));
const python = process.env.SESSIONLOOM_PYTHON ?? 'python3';
/** The whole Python suite: a server start (tsx compiles the CLI), two TypeScript agent turns, a few live runs. */
const SUITE_TIMEOUT_MS = 600_000;

interface Outcome {
  outcome: 'passed' | 'failed' | 'skipped';
  message: string;
}

const environment: NodeJS.ProcessEnv = {
  ...process.env,
  // The Python side starts node processes (serve, one agent turn): the same node as this run's.
  SESSIONLOOM_NODE: process.execPath,
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONUNBUFFERED: '1',
};
delete environment.SESSIONLOOM_STORE;
delete environment.SESSIONLOOM_TOKEN;

function pythonVersion(): string | undefined {
  try {
    return execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const version = pythonVersion();
if (version === undefined) {
  const message = `${python} is not installed, so the Python client's tests cannot run. Install Python 3.9 or newer (apt-get install -y python3).`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPING the Python client's tests: ${message}\n${line}\n`);
}

/** The Python tests' ids, listed without running them (no server is started to list). */
const testIds: string[] =
  version === undefined
    ? []
    : (JSON.parse(execFileSync(python, ['-m', 'tests.run_report', '--list'], { cwd: pythonDirectory, env: environment, encoding: 'utf8' })) as string[]);

describe.skipIf(version === undefined)(`Python client (python/tests, ${version ?? 'no python3'})`, () => {
  const reportDirectory = mkdtempSync(join(tmpdir(), 'sessionloom-python-report-'));
  let outcomes: Record<string, Outcome> = {};
  let log = '';

  beforeAll(async () => {
    const reportFile = join(reportDirectory, 'report.json');
    const child = spawn(python, ['-m', 'tests.run_report', '--json', reportFile], { cwd: pythonDirectory, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    try {
      outcomes = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, Outcome>;
    } catch {
      throw new Error(`The Python tests wrote no report. Their output:\n${log}`);
    }
  }, SUITE_TIMEOUT_MS);

  afterAll(() => rmSync(reportDirectory, { recursive: true, force: true }));

  it('lists the Python tests', () => {
    if (testIds.length < 30) throw new Error(`expected the Python suite's tests, found ${testIds.length}: ${testIds.join(', ')}`);
  });

  for (const id of testIds) {
    it(id, (context) => {
      const outcome = outcomes[id];
      if (outcome === undefined) throw new Error(`${id} did not report. The Python run's output:\n${log.slice(-4_000)}`);
      if (outcome.outcome === 'skipped') context.skip(outcome.message);
      if (outcome.outcome === 'failed') throw new Error(outcome.message);
    });
  }
});
