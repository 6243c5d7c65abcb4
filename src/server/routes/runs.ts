/** Runs: a session's runs, one run, and a run's event log. */
import type { Hono } from 'hono';
import { RunNotFoundError } from '../../errors.js';
import { defined } from '../body.js';
import type { ServerEnv } from '../env.js';
import { Query } from '../query.js';

const EVENT_PARAMETERS = ['afterSeq', 'limit'] as const;

export function registerRunRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/sessions/:id/runs', async (c) => {
    return c.json({ runs: await c.get('store').runs(c.req.param('id')) });
  });

  app.get('/api/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = await c.get('store').getRun(runId);
    if (!run) throw new RunNotFoundError({ runId });
    return c.json(run);
  });

  app.get('/api/runs/:runId/events', async (c) => {
    const query = new Query(c.req.url, EVENT_PARAMETERS);
    const events = await c.get('store').runEvents(c.req.param('runId'), defined({ afterSeq: query.integer('afterSeq'), limit: query.integer('limit') }));
    return c.json({ events });
  });
}
