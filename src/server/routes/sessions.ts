/** Sessions: list, create, read, update, delete. */
import type { Hono } from 'hono';
import { InvalidArgumentError, SessionNotFoundError } from '../../errors.js';
import type { CreateSessionInit, JsonPrimitive, ListOptions, SessionOrderBy, SessionState, UpdateSessionPatch } from '../../types.js';
import { defined, readObject } from '../body.js';
import { assertChosenId, assertChosenMessageIds } from '../chosen-ids.js';
import type { ServerEnv } from '../env.js';
import { Query } from '../query.js';

const LIST_PARAMETERS = ['userId', 'agentId', 'workspaceId', 'state', 'tag', 'surfaceId', 'parentId', 'titlePrefix', 'orderBy', 'order', 'limit', 'cursor'] as const;
const FILTER_PREFIX = 'filter.';
/** Metadata can never hold these keys (the store refuses them), and as object keys they are hazards. */
const FORBIDDEN_FILTER_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function registerSessionRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/sessions', async (c) => {
    return c.json(await c.get('store').list(listOptions(new Query(c.req.url, LIST_PARAMETERS, [FILTER_PREFIX]))));
  });

  app.post('/api/sessions', async (c) => {
    // The store validates the whole init (unknown fields included); a user-bound token's store
    // refuses a session for another user, and its chosen ids must be in its namespace (chosen-ids.ts).
    const init = await readObject(c, { optional: true });
    assertChosenId(c.get('userId'), init.id, 'id');
    if (init.messages !== undefined) assertChosenMessageIds(c.get('userId'), init.messages, 'messages');
    return c.json(await c.get('store').create(init as CreateSessionInit), 201);
  });

  app.get('/api/sessions/:id', async (c) => {
    const id = c.req.param('id');
    const session = await c.get('store').get(id);
    if (!session) throw new SessionNotFoundError({ sessionId: id });
    return c.json(session);
  });

  app.patch('/api/sessions/:id', async (c) => {
    const { expectedVersion, ...patch } = await readObject(c);
    const options = expectedVersion === undefined ? {} : { expectedVersion: expectedVersion as number };
    return c.json(await c.get('store').update(c.req.param('id'), patch as UpdateSessionPatch, options));
  });

  app.delete('/api/sessions/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await c.get('store').delete(id))) throw new SessionNotFoundError({ sessionId: id });
    return c.body(null, 204);
  });
}

/**
 * `GET /api/sessions` parameters as list options. `tag` and `state` repeat; `filter.KEY=VALUE`
 * matches metadata key KEY against the string VALUE (a query string cannot say whether `true`
 * or `7` was meant as a string, so filters over HTTP match string metadata values only).
 */
function listOptions(query: Query): ListOptions {
  const states = query.all('state');
  const filter: Record<string, JsonPrimitive> = {};
  let filtered = false;
  for (const name of query.names()) {
    if (!name.startsWith(FILTER_PREFIX)) continue;
    const key = name.slice(FILTER_PREFIX.length);
    if (FORBIDDEN_FILTER_KEYS.has(key)) {
      throw new InvalidArgumentError({ argument: `query parameter ${JSON.stringify(name)}`, message: 'metadata has no such key.' });
    }
    // defineProperty, not assignment: the key is the client's text and stays a plain own property.
    Object.defineProperty(filter, key, { value: query.string(name), enumerable: true, writable: true, configurable: true });
    filtered = true;
  }
  return defined({
    userId: query.string('userId'),
    agentId: query.string('agentId'),
    workspaceId: query.string('workspaceId'),
    // Passed on unchecked: an unknown state, orderBy or order is the store's 400 to give.
    state: states === undefined ? undefined : states.length === 1 ? (states[0] as SessionState) : (states as SessionState[]),
    tags: query.all('tag'),
    filter: filtered ? filter : undefined,
    surfaceId: query.string('surfaceId'),
    parentId: query.string('parentId'),
    titlePrefix: query.string('titlePrefix'),
    orderBy: query.string('orderBy') as SessionOrderBy | undefined,
    order: query.string('order') as 'asc' | 'desc' | undefined,
    limit: query.integer('limit'),
    cursor: query.string('cursor'),
  });
}
