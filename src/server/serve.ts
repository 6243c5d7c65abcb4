/**
 * `startServer`: the API on a TCP port (what `sessionloom serve` runs). Without tokens anyone who
 * can reach the port owns every session, so that is allowed on loopback only, with a Host check
 * against DNS rebinding; anywhere else at least one token is required.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Agent } from '../agent/agent.js';
import { InvalidArgumentError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import { createApp } from './app.js';
import { validateTokens, type AuthToken } from './auth.js';
import type { ServerEnv } from './env.js';
import type { ServerLogger } from './errors.js';
import { loopbackHosts } from './guards.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4300;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ServerOptions {
  /** The store to serve; `close()` leaves it open (the caller owns it). */
  store: SessionStore;
  /** Interface to bind. Default `127.0.0.1`; anything but 127.0.0.1, ::1 or localhost needs `tokens`. */
  host?: string;
  /** Default 4300; 0 picks any free port (read it from the result). */
  port?: number;
  /** Bearer tokens; see `AuthOptions`. */
  tokens?: AuthToken[];
  logger?: ServerLogger;
  /** Largest request body accepted, in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Extra routes outside `/api` (the web inspector). */
  mount?: (app: Hono<ServerEnv>) => void;
  /** Agents clients may start runs of, by name (see `AppOptions.agents`). */
  agents?: Readonly<Record<string, Agent>>;
  /** See `AppOptions.heartbeatMs`. */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4300`. */
  url: string;
  port: number;
  /** Stops accepting connections and resolves once the open ones are done. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (typeof host !== 'string' || host === '') throw new InvalidArgumentError({ argument: 'host', message: 'expected an interface name or address.' });
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError({ argument: 'port', message: 'expected an integer from 0 to 65535 (0: any free port).' });
  }
  validateTokens(options.tokens);
  const open = (options.tokens ?? []).length === 0;
  if (open && !LOOPBACK_HOSTS.has(host.toLowerCase())) {
    throw new InvalidArgumentError({
      argument: 'host',
      message:
        `refusing to serve on "${host}" without a token: anyone who can reach it could read and change every session. ` +
        'Configure at least one token, or bind 127.0.0.1, ::1 or localhost.',
    });
  }

  // Filled once the port is known (port 0 picks one); until then an open server refuses every
  // request, so the check fails closed.
  const allowedHosts = new Set<string>();
  const app = createApp({
    store: options.store,
    auth: open ? {} : { tokens: options.tokens! },
    ...(open ? { allowedHosts } : {}),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.mount === undefined ? {} : { mount: options.mount }),
    ...(options.agents === undefined ? {} : { agents: options.agents }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  // overrideGlobalObjects: false keeps the adapter from replacing the process's global Request and
  // Response, which the embedding application may rely on.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await listen(server, port, host);
  const boundPort = (server.address() as AddressInfo).port;
  for (const allowed of loopbackHosts(boundPort)) allowedHosts.add(allowed);

  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    port: boundPort,
    close: () => closeServer(server),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Idle keep-alive connections would otherwise hold close() open until they time out.
    server.closeIdleConnections();
  });
}
