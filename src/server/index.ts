/** The HTTP API: `createApp` builds it, `startServer` runs it (what `sessionloom serve` starts). */
export { createApp, type AppOptions } from './app.js';
export { authMiddleware, type AuthOptions, type AuthToken } from './auth.js';
export type { ServerEnv } from './env.js';
export { type ApiErrorBody, type HttpErrorCode, type ServerLogger } from './errors.js';
export { mountInspector } from './inspector/index.js';
export { DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer, type ServerOptions } from './serve.js';
