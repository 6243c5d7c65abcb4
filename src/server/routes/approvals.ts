/**
 * Approvals over HTTP: `GET /api/approvals` lists the tool calls waiting for a person (filters:
 * `userId`, `sessionId`, `runId`); `POST /api/runs/:id/approvals { approvals: [{ approvalId,
 * approved, reason? }], agent? }` answers them. Once every request of the run is answered, the run
 * continues in the background with the server's registered agent (the one named, else the run's
 * own, else the only one): 202 and where to follow it. Both act through the request's store, so a
 * token bound to a user sees and answers only that user's requests (another's run reads as not found).
 */
import type { Hono } from 'hono';
import { Runner } from '../../agent/runner.js';
import { InvalidArgumentError } from '../../errors.js';
import type { ApprovalAnswer } from '../../session/approvals.js';
import { agentForRun, type AgentRegistry } from '../agents.js';
import { readObject } from '../body.js';
import type { ServerEnv } from '../env.js';
import type { ServerLogger } from '../errors.js';
import { Query } from '../query.js';

export interface ApprovalRouteOptions {
  agents: AgentRegistry;
  logger: ServerLogger;
}

const LIST_PARAMETERS = ['userId', 'sessionId', 'runId'] as const;

export function registerApprovalRoutes(app: Hono<ServerEnv>, options: ApprovalRouteOptions): void {
  app.get('/api/approvals', async (c) => {
    const query = new Query(c.req.url, LIST_PARAMETERS);
    const filters = Object.fromEntries(LIST_PARAMETERS.flatMap((name) => (query.string(name) === undefined ? [] : [[name, query.string(name)!]])));
    return c.json({ approvals: await c.get('store').pendingApprovals(filters) });
  });

  app.post('/api/runs/:runId/approvals', async (c) => {
    const body = await readObject(c, { allowed: ['approvals', 'agent'] });
    if (!Array.isArray(body.approvals)) throw new InvalidArgumentError({ argument: 'approvals', message: 'expected an array of { approvalId, approved, reason? }.' });
    const store = c.get('store');
    const runId = c.req.param('runId');
    // The agent is checked before anything is written, so a bad name changes nothing.
    const named = body.agent === undefined ? undefined : agentForRun(options.agents, {}, body.agent);
    const run = await store.answerApprovals(runId, body.approvals as ApprovalAnswer[]);
    const waiting = (run.approvals ?? []).filter((approval) => !approval.decision).length;
    const agent = named ?? agentForRun(options.agents, run);
    if (waiting > 0 || agent === undefined) {
      return c.json({ run, resumed: false, waiting, ...(agent === undefined && waiting === 0 ? { note: 'no registered agent can continue this run: resume it with Runner.resume' } : {}) });
    }
    // Taken back before answering (a run another process resumed first is a 409), then it goes on
    // without the request, as a started run does; its failures are recorded on the run.
    const resumed = await Runner.startResume(agent, { runId, store });
    resumed.result.catch((error: unknown) => options.logger.error(`sessionloom server: resuming run ${runId} failed`, error));
    c.header('Location', `/api/runs/${encodeURIComponent(runId)}`);
    return c.json({ run, resumed: true, waiting: 0, events: `/api/runs/${encodeURIComponent(runId)}/events?follow=1` }, 202);
  });
}
