/**
 * Private PostgreSQL and Redis servers for the bench, started with the test helpers (their own
 * port and temporary directory on 127.0.0.1), so a run never touches a server someone else uses.
 * A server is started just before its store is measured and destroyed right after, so it does not
 * compete for this 2-core machine while another store is timed; `destroyAllServers` is for the
 * run's cleanup (cleanup.ts), whatever stopped it.
 */
import { postgresAvailable, startPostgres } from '../test/servers/postgres.js';
import { redisAvailable, startRedis } from '../test/servers/redis.js';

export type ServerKind = 'postgres' | 'redis';

export interface BenchServer {
  url: string;
  destroy(): Promise<void>;
}

/** Why a server cannot run here, and the command that fixes it. */
export interface MissingServer {
  missing: string;
}

const INSTALL: Record<ServerKind, { available: () => boolean; binary: string; command: string }> = {
  postgres: {
    available: postgresAvailable,
    binary: 'PostgreSQL 15 (initdb and postgres under /usr/lib/postgresql/15/bin, or SESSIONLOOM_POSTGRES_BIN)',
    command: 'apt-get install -y postgresql',
  },
  redis: {
    available: redisAvailable,
    binary: 'Redis 7 (redis-server on PATH, or SESSIONLOOM_REDIS_BIN)',
    command: 'apt-get install -y redis-server',
  },
};

const running = new Set<BenchServer>();

export async function startServer(kind: ServerKind): Promise<BenchServer | MissingServer> {
  const install = INSTALL[kind];
  if (!install.available()) return { missing: `${install.binary} is not installed; install it with: ${install.command}` };
  const server = kind === 'postgres' ? await startPostgres() : await startRedis();
  const tracked: BenchServer = {
    url: server.url,
    destroy: async () => {
      running.delete(tracked);
      await server.destroy();
    },
  };
  running.add(tracked);
  return tracked;
}

export async function destroyAllServers(): Promise<void> {
  await Promise.allSettled([...running].map((server) => server.destroy()));
}
