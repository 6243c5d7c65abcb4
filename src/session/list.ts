/** `list`: filtered, ordered sessions with an opaque keyset cursor (stable under concurrent writes). */
import { createHash } from 'node:crypto';
import type { SessionQuery } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import type { ListOptions, ListResult } from '../types.js';
import type { StoreContext } from './context.js';
import { listOptionsSchema, parseOptions } from './options.js';
import { toSession } from './records.js';

const DEFAULT_LIMIT = 50;

interface CursorPayload {
  /** What the cursor is valid for: the ordering and the filters, so it cannot be reused with others. */
  shape: string;
  value: number;
  id: string;
}

export async function listSessions(context: StoreContext, listOptions: ListOptions | undefined): Promise<ListResult> {
  const options = parseOptions(listOptionsSchema, listOptions, 'list options');
  const orderBy = options.orderBy ?? 'updatedAt';
  const order = options.order ?? 'desc';
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (context.scopeUserId !== undefined && options.userId !== undefined && options.userId !== context.scopeUserId) {
    return { sessions: [] };
  }
  const userId = context.scopeUserId ?? options.userId;
  const { cursor: _cursor, limit: _limit, ...filters } = options;
  const shape = createHash('sha256').update(JSON.stringify([orderBy, order, userId ?? null, filters])).digest('base64url').slice(0, 16);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, shape);
  const query: SessionQuery = {
    ...(userId === undefined ? {} : { userId }),
    ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
    ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
    ...(options.state === undefined ? {} : { states: Array.isArray(options.state) ? options.state : [options.state] }),
    ...(options.tags === undefined || options.tags.length === 0 ? {} : { tags: options.tags }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    ...(options.surfaceId === undefined ? {} : { surfaceId: options.surfaceId }),
    ...(options.parentId === undefined ? {} : { parentId: options.parentId }),
    ...(options.titlePrefix === undefined ? {} : { titlePrefix: options.titlePrefix }),
    ...(after === undefined ? {} : { after }),
    orderBy,
    order,
    // One more than asked tells whether there is a next page without a count query.
    limit: limit + 1,
  };
  const records = await context.driver.listSessions(query);
  const page = records.slice(0, limit);
  const last = page[page.length - 1];
  return {
    sessions: page.map(toSession),
    ...(records.length > limit && last ? { nextCursor: encodeCursor({ shape, value: last[orderBy], id: last.id }) } : {}),
  };
}

function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify([payload.shape, payload.value, payload.id])).toString('base64url');
}

function decodeCursor(cursor: string, shape: string): { value: number; id: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || typeof decoded[1] !== 'number' || typeof decoded[2] !== 'string') {
    throw new InvalidArgumentError({ argument: 'cursor', message: 'it is not a cursor returned by list(); pass nextCursor unchanged.' });
  }
  if (decoded[0] !== shape) {
    throw new InvalidArgumentError({
      argument: 'cursor',
      message: 'it was made for another ordering or other filters; keep the same list options across pages.',
    });
  }
  return { value: decoded[1], id: decoded[2] };
}
