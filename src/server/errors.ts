/**
 * How errors become HTTP responses. Store errors keep their stable `code` (clients branch on it,
 * as library callers do on `error.code`) and get the status that means the same thing in HTTP.
 * Anything unexpected is a 500 with a generic message: its details (stack, driver messages that may
 * name hosts or files) go to the server's log, never to the client.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SessionloomError, type ErrorCode } from '../errors.js';

/** Codes of errors the HTTP layer itself answers with, besides the store's own. */
export type HttpErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN_HOST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'INTERNAL_ERROR';

export interface ApiErrorBody {
  error: { code: ErrorCode | HttpErrorCode; message: string; [field: string]: unknown };
}

/** Where the server reports what it does not tell the client. Default: `console.error` (stderr). */
export interface ServerLogger {
  error(message: string, error?: unknown): void;
}

export const stderrLogger: ServerLogger = {
  error: (message, error) => console.error(message, error),
};

const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  SESSION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  SESSION_CONFLICT: 409,
  WORKSPACE_CONFLICT: 409,
  SESSION_EXPIRED: 410,
  INVALID_ARGUMENT: 400,
  IMPORT_INVALID: 400,
  STORE_UNAVAILABLE: 503,
  CONFIGURATION: 500,
};

/**
 * Fields an error carries that a client may see and act on. Listed per field rather than copying
 * the error's own properties, so a field added to an error class later is not published by accident.
 */
const SAFE_FIELDS = ['sessionId', 'messageId', 'runId', 'runningRunId', 'argument', 'expectedVersion', 'actualVersion', 'line', 'applied'] as const;

export function errorBody(code: ErrorCode | HttpErrorCode, message: string, extra: Record<string, unknown> = {}): ApiErrorBody {
  return { error: { ...extra, code, message } };
}

export function jsonError(c: Context, status: ContentfulStatusCode, code: ErrorCode | HttpErrorCode, message: string): Response {
  return c.json(errorBody(code, message), status);
}

/** The response for an error a route threw (Hono's `onError`). */
export function errorResponse(error: unknown, c: Context, logger: ServerLogger): Response {
  // A code this copy does not know (another installed version) is treated as unexpected.
  if (SessionloomError.isSessionloomError(error) && Object.hasOwn(STATUS_BY_CODE, error.code)) {
    const status = STATUS_BY_CODE[error.code];
    if (error.code === 'STORE_UNAVAILABLE') {
      // A driver's message can name internal hosts and ports: log it, answer in general terms.
      logger.error(`sessionloom server: store unavailable on ${c.req.method} ${c.req.path}`, error);
      return c.json(errorBody(error.code, 'The session store is unavailable; retry later.'), status);
    }
    const extra: Record<string, unknown> = {};
    const fields = error as unknown as Record<string, unknown>;
    for (const field of SAFE_FIELDS) {
      const value = fields[field];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') extra[field] = value;
    }
    return c.json(errorBody(error.code, error.message, extra), status);
  }
  logger.error(`sessionloom server: unexpected error on ${c.req.method} ${c.req.path}`, error);
  return c.json(errorBody('INTERNAL_ERROR', 'An unexpected error occurred; it was logged on the server.'), 500);
}
