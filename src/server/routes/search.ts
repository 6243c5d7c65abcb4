/** Full-text search over message text: `GET /api/search?q=...`, scoped like every read (a user-bound token searches its user's sessions). */
import type { Hono } from 'hono';
import type { SearchOptions } from '../../audit-types.js';
import { defined } from '../body.js';
import type { ServerEnv } from '../env.js';
import { Query } from '../query.js';

const SEARCH_PARAMETERS = ['q', 'userId', 'sessionId', 'agentId', 'limit', 'cursor'] as const;

export function registerSearchRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/search', async (c) => {
    const query = new Query(c.req.url, SEARCH_PARAMETERS);
    const options = defined({
      userId: query.string('userId'),
      sessionId: query.string('sessionId'),
      agentId: query.string('agentId'),
      limit: query.integer('limit'),
      cursor: query.string('cursor'),
    }) as SearchOptions;
    // A missing `q` is the store's empty-query error (400), with the same message as for library callers.
    return c.json(await c.get('store').search(query.string('q') ?? '', options));
  });
}
