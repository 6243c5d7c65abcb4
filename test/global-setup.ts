/**
 * Starts one PostgreSQL and one Redis server for the whole test run and hands their URLs to the
 * tests (`inject('postgresUrl')`). Under CI=true a missing server fails the run; locally the
 * suites that need it are skipped with a loud banner saying how to install it.
 * SESSIONLOOM_TEST_POSTGRES_URL / SESSIONLOOM_TEST_REDIS_URL use servers you already run instead.
 */
import type { TestProject } from 'vitest/node';
import { postgresAvailable, startPostgres, type PostgresServer } from './servers/postgres.js';
import { redisAvailable, startRedis, type RedisServer } from './servers/redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
    redisUrl: string | undefined;
  }
}

const inCi = process.env.CI === 'true';

function missing(server: string, install: string): undefined {
  const message = `${server} is not installed, so its test suites cannot run. Install it with: ${install}`;
  if (inCi) throw new Error(`CI=true: ${message}`);
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPING the ${server} suites: ${message}\n${line}\n`);
  return undefined;
}

export default async function setup(project: TestProject) {
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const [postgresUrl, redisUrl] = await Promise.all([
    process.env.SESSIONLOOM_TEST_POSTGRES_URL ??
      (postgresAvailable()
        ? startPostgres().then((server) => ((postgres = server), server.url))
        : missing('PostgreSQL', 'apt-get install -y postgresql')),
    process.env.SESSIONLOOM_TEST_REDIS_URL ??
      (redisAvailable() ? startRedis().then((server) => ((redis = server), server.url)) : missing('Redis', 'apt-get install -y redis-server')),
  ]);
  project.provide('postgresUrl', postgresUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await Promise.all([postgres?.destroy(), redis?.destroy()]);
  };
}
