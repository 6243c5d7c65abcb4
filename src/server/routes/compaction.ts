/**
 * Compaction over HTTP: `POST /api/sessions/:id/compact` with a summary written by the caller (a
 * summarizer function cannot cross the network), and `GET /api/sessions/:id/history`, every message
 * through every compaction, paged like `/messages`.
 */
import type { Hono } from 'hono';
import type { CompactOptions } from '../../types.js';
import { defined, readObject } from '../body.js';
import type { ServerEnv } from '../env.js';
import { messagePaging } from './history.js';

const COMPACT_FIELDS = ['summary', 'keep', 'expectedVersion'] as const;

export function registerCompactionRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/sessions/:id/history', async (c) => {
    return c.json({ messages: await c.get('store').history(c.req.param('id'), messagePaging(c.req.url)) });
  });

  app.post('/api/sessions/:id/compact', async (c) => {
    const body = await readObject(c, { allowed: COMPACT_FIELDS });
    // Only the fields above reach the store, so no function-valued option can be smuggled in.
    const options = defined({ summary: body.summary, keep: body.keep, expectedVersion: body.expectedVersion }) as CompactOptions;
    return c.json(await c.get('store').compact(c.req.param('id'), options));
  });
}
