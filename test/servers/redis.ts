/**
 * Real Redis 7 servers for the tests (Debian's redis-server), on 127.0.0.1 with a temporary
 * directory. The append-only file syncs on every write, so a SIGKILL of the server loses no
 * acknowledged write (what the fallback tests rely on).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitUntil } from './ports.js';

const BINARY = process.env.SESSIONLOOM_REDIS_BIN ?? 'redis-server';

export function redisAvailable(): boolean {
  return spawnSync(BINARY, ['--version']).status === 0;
}

export interface RedisServer {
  url: string;
  port: number;
  /** Clean shutdown (SHUTDOWN, which saves). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Start again on the same port and directory (the append-only file is reloaded). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  if (!redisAvailable()) throw new Error('redis-server not found: apt-get install -y redis-server');
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
    client.on('error', () => {}); // refused connections are expected while the server starts
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  };

  const start = async () => {
    child = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no'],
      { stdio: 'ignore' },
    );
    await waitUntil(ping, 20_000, `Redis on port ${port}`);
  };

  const exited = (process: ChildProcess) =>
    new Promise<void>((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));

  const stop = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill('SIGTERM');
    await exited(running);
  };

  const kill = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill('SIGKILL');
    await exited(running);
  };

  await start();
  return {
    url,
    port,
    stop,
    kill,
    start,
    destroy: async () => {
      await kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
