/**
 * Real PostgreSQL 15 servers for the tests (Debian's packages), each in its own temporary data
 * directory on 127.0.0.1. PostgreSQL refuses to run as root, so as root the server runs as the
 * `postgres` user (runuser), with a data directory that user owns. Tests that stop or kill the
 * server start their own private instance, so they never disturb tests sharing the global one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitUntil } from './ports.js';

const BIN = process.env.SESSIONLOOM_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export function postgresAvailable(): boolean {
  return existsSync(join(BIN, 'postgres')) && existsSync(join(BIN, 'initdb'));
}

export interface PostgresServer {
  url: string;
  port: number;
  /** Clean shutdown (SIGINT: fast mode). */
  stop(): Promise<void>;
  /** SIGKILL the postmaster and every backend, as a crash would. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  start(): Promise<void>;
  /** Stop and delete the data directory. */
  destroy(): Promise<void>;
}

const runningAsRoot = process.getuid?.() === 0;

function asPostgresUser(command: string, args: string[]): { command: string; args: string[] } {
  return runningAsRoot ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

export async function startPostgres(): Promise<PostgresServer> {
  if (!postgresAvailable()) throw new Error(`PostgreSQL binaries not found in ${BIN}: apt-get install -y postgresql`);
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-pg-'));
  const dataDirectory = join(directory, 'data');
  if (runningAsRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    chownSync(directory, uid, gid);
  }
  const init = asPostgresUser(join(BIN, 'initdb'), ['-D', dataDirectory, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const initialized = spawnSync(init.command, init.args, { encoding: 'utf8' });
  if (initialized.status !== 0) throw new Error(`initdb failed: ${initialized.stderr}`);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const server = asPostgresUser(join(BIN, 'postgres'), [
      '-D', dataDirectory,
      '-p', String(port),
      '-k', directory,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=32MB',
    ]);
    child = spawn(server.command, server.args, { stdio: 'ignore' });
    await waitUntil(async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    }, 30_000, `PostgreSQL on port ${port}`);
  };

  const postmasterPid = (): number | undefined => {
    const pidFile = join(dataDirectory, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };

  const waitForExit = (pid: number) =>
    waitUntil(async () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 30_000, 'PostgreSQL to exit');

  const stop = async () => {
    const pid = postmasterPid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGINT');
    await waitForExit(pid);
    child = undefined;
  };

  const kill = async () => {
    const pid = postmasterPid();
    if (pid === undefined) return;
    // The backends outlive a killed postmaster and would keep the shared memory busy: kill them too.
    const backends = childrenOf(pid);
    for (const target of [pid, ...backends]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const target of [pid, ...backends]) await waitForExit(target);
    child?.kill('SIGKILL');
    child = undefined;
  };

  await start();
  return {
    url,
    port,
    stop,
    kill,
    start,
    destroy: async () => {
      await stop().catch(() => kill());
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}
