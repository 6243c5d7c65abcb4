/**
 * The HTTP API over a `SessionStore`: JSON in and out, under `/api`. `startServer` runs it; this
 * module only builds the Hono app, so it can be tested or embedded without a socket.
 *
 * Middleware order matters: the Host check comes first (a rebinding page learns nothing, not even
 * 401s; only the no-sniff/no-store headers are set before it), then authentication (nothing is read for an unknown client), then the content-type and
 * size checks that come before any body is buffered.
 */
import { Hono, type Context } from 'hono';
import type { Agent } from '../agent/agent.js';
import { InvalidArgumentError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import { agentRegistry } from './agents.js';
import { authMiddleware, type AuthOptions } from './auth.js';
import type { ServerEnv } from './env.js';
import { errorResponse, jsonError, stderrLogger, type ServerLogger } from './errors.js';
import { apiResponseHeaders, bodySizeGuard, DEFAULT_MAX_BODY_BYTES, hostGuard, jsonContentTypeGuard } from './guards.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerCompactionRoutes } from './routes/compaction.js';
import { DEFAULT_HEARTBEAT_MS } from './sse.js';
import { registerChatRoutes } from './routes/chat.js';
import { registerExportRoutes } from './routes/export.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerLiveRunRoutes } from './routes/live-runs.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerSessionRoutes } from './routes/sessions.js';

export interface AppOptions {
  store: SessionStore;
  auth: AuthOptions;
  /** Agents clients may start runs of (`POST /api/sessions/:id/runs { agent: name, input }`), by name. */
  agents?: Readonly<Record<string, Agent>>;
  /** How often a quiet event stream (`/api/runs/:id/events?follow=1`) sends a heartbeat comment. Default 15 s. */
  heartbeatMs?: number;
  /** Where unexpected errors are reported (the client gets a generic 500). Default: stderr. */
  logger?: ServerLogger;
  /** Largest request body accepted, in bytes (413 beyond). Default 16 MiB. */
  maxBodyBytes?: number;
  /**
   * When given, only requests whose Host header (lowercase, with the port) is in this set are
   * answered; others get 403. `startServer` uses it against DNS rebinding when it runs without tokens.
   */
  allowedHosts?: ReadonlySet<string>;
  /**
   * Adds routes outside `/api` (the web inspector served at `/`). Called after the API routes;
   * unknown `/api` paths still answer with the API's JSON 404. The Host check covers these routes
   * too; authentication and `c.get('store')` do not (they are set up for `/api/*` only).
   */
  mount?: (app: Hono<ServerEnv>) => void;
}

export function createApp(options: AppOptions): Hono<ServerEnv> {
  const logger = options.logger ?? stderrLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidArgumentError({ argument: 'maxBodyBytes', message: 'expected a positive integer.' });
  }
  const agents = agentRegistry(options.agents);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs <= 0) throw new InvalidArgumentError({ argument: 'heartbeatMs', message: 'expected a positive integer.' });
  const app = new Hono<ServerEnv>();

  app.use('/api/*', apiResponseHeaders());
  if (options.allowedHosts !== undefined) app.use('*', hostGuard(options.allowedHosts));
  // Every API route needs the token when there are tokens, health included: it names the backend.
  app.use('/api/*', authMiddleware(options.store, options.auth));
  app.use('/api/*', jsonContentTypeGuard());
  app.use('/api/*', bodySizeGuard(maxBodyBytes));

  app.get('/api/health', (c) => {
    const store = c.get('store');
    // A fallback store's outage, journal and last replay, for operators: its conflicts and renames
    // name sessions of every user, so a user-bound token is not shown them.
    const fallback = c.get('userId') === undefined ? store.status() : undefined;
    return c.json({ ok: true, backend: store.backend, degraded: store.isDegraded(), ...(fallback === undefined ? {} : { fallback }) });
  });
  registerSessionRoutes(app);
  registerHistoryRoutes(app);
  registerCompactionRoutes(app);
  registerLiveRunRoutes(app, { agents, heartbeatMs, logger });
  registerChatRoutes(app, { agents, heartbeatMs, logger });
  registerRunRoutes(app);
  registerApprovalRoutes(app, { agents, logger });
  registerSearchRoutes(app);
  registerExportRoutes(app);
  // Before `mount`, so a catch-all route of the inspector never answers an API path with a page.
  app.all('/api/*', (c) => apiNotFound(c));

  options.mount?.(app);

  app.notFound((c) => apiNotFound(c));
  app.onError((error, c) => errorResponse(error, c, logger));
  return app;
}

function apiNotFound(c: Context): Response {
  return jsonError(c, 404, 'ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`);
}
