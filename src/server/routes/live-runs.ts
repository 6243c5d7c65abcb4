/**
 * Live runs over HTTP: start a run of a registered agent on a session (202 and the run's id: the
 * run goes on whether or not anyone listens), follow its events as Server-Sent Events (resuming
 * after `Last-Event-ID`), cancel it, and list the agents. Every route acts through the request's
 * store, so a token bound to a user starts, follows and cancels only that user's runs (another
 * user's read as not found).
 */
import type { Context, Hono } from 'hono';
import type { RunInput } from '../../agent/run-input.js';
import { InvalidArgumentError, RunNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import { pickAgent, type AgentRegistry } from '../agents.js';
import { assertChosenMessageIds } from '../chosen-ids.js';
import { readObject } from '../body.js';
import type { ServerEnv } from '../env.js';
import type { ServerLogger } from '../errors.js';
import { Query } from '../query.js';
import { runEventStream } from '../sse.js';
import { startBackgroundRun } from '../start-run.js';

export interface LiveRunRouteOptions {
  agents: AgentRegistry;
  heartbeatMs: number;
  logger: ServerLogger;
}

const FOLLOW_PARAMETERS = ['follow', 'afterSeq'] as const;
/** What Last-Event-ID may be: a seq (we only ever send integers). */
const SEQ_PATTERN = /^\d{1,15}$/;

export function registerLiveRunRoutes(app: Hono<ServerEnv>, options: LiveRunRouteOptions): void {
  app.get('/api/agents', (c) => {
    const agents = [...options.agents].map(([name, agent]) => ({ name, ...(agent.modelId === undefined ? {} : { model: agent.modelId }) }));
    return c.json({ agents });
  });

  app.post('/api/sessions/:id/runs', async (c) => {
    const body = await readObject(c, { allowed: ['agent', 'input', 'allowConcurrent'] });
    const agent = pickAgent(options.agents, body.agent);
    if (body.input === undefined) throw new InvalidArgumentError({ argument: 'input', message: 'expected a string, a model message or an array of them.' });
    // Messages given with ids are ids chosen by the client: under a user-bound token, only in its namespace.
    if (typeof body.input === 'object' && body.input !== null) assertChosenMessageIds(c.get('userId'), body.input, 'input');
    if (body.allowConcurrent !== undefined && typeof body.allowConcurrent !== 'boolean') {
      throw new InvalidArgumentError({ argument: 'allowConcurrent', message: 'expected true or false.' });
    }
    const sessionId = c.req.param('id');
    const runId = await startBackgroundRun(agent, {
      store: c.get('store'),
      sessionId,
      input: body.input as RunInput,
      ...(body.allowConcurrent ? { allowConcurrentRuns: true } : {}),
    });
    c.header('Location', `/api/runs/${encodeURIComponent(runId)}`);
    return c.json({ runId, sessionId, status: 'running', events: `/api/runs/${encodeURIComponent(runId)}/events?follow=1` }, 202);
  });

  app.post('/api/runs/:runId/cancel', async (c) => {
    const body = await readObject(c, { optional: true, allowed: ['reason'] });
    const run = await c.get('store').cancelRun(c.req.param('runId'), body.reason === undefined ? {} : { reason: body.reason as string });
    // 202: asked, and the runner stops within a second; 200: it had already ended.
    return c.json(run, run.status === 'running' ? 202 : 200);
  });

  // Before the JSON event log route, which answers the same path without `follow`.
  app.get('/api/runs/:runId/events', async (c, next) => {
    if (!new URL(c.req.url).searchParams.has('follow')) return next();
    return followResponse(c, options);
  });
}

async function followResponse(c: Context<ServerEnv>, options: LiveRunRouteOptions): Promise<Response> {
  const query = new Query(c.req.url, FOLLOW_PARAMETERS);
  const follow = query.string('follow');
  if (follow !== '1' && follow !== 'true') throw new InvalidArgumentError({ argument: 'query parameter "follow"', message: 'expected 1 (or leave it out for the JSON log).' });
  const store = c.get('store');
  const runId = c.req.param('runId') ?? '';
  const afterSeq = startingSeq(c.req.header('last-event-id'), query.integer('afterSeq'));
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError({ runId });
  await assertSeqExists(store, runId, afterSeq);
  if (run.status !== 'running' && (await store.runEvents(runId, { afterSeq, limit: 1 })).length === 0) {
    // Nothing more will ever come: 204 tells a browser's EventSource to stop reconnecting.
    return c.body(null, 204);
  }
  const stream = runEventStream({
    follow: (signal) => store.followRun(runId, { afterSeq, signal }),
    ending: async (lastEvent) => {
      // The runner writes run-end just before it marks the run finished: its status is the run's.
      const status = lastEvent?.type === 'run-end' ? (lastEvent.data as { status?: unknown } | null)?.status : undefined;
      if (typeof status === 'string') return { runId, status };
      return { runId, status: (await store.getRun(runId))?.status ?? 'deleted' };
    },
    heartbeatMs: options.heartbeatMs,
    onError: (error) => options.logger.error(`sessionloom server: following run ${runId} failed`, error),
  });
  return c.body(stream, 200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // Reverse proxies (nginx) buffer responses unless told not to, which would hold events back.
    'X-Accel-Buffering': 'no',
  });
}

/** Where a follow starts: after Last-Event-ID when the client reconnects, else after `afterSeq` (default 0). */
function startingSeq(lastEventId: string | undefined, afterSeq: number | undefined): number {
  if (lastEventId !== undefined) {
    const text = lastEventId.trim();
    if (!SEQ_PATTERN.test(text)) {
      throw new InvalidArgumentError({ argument: 'Last-Event-ID', message: `expected the seq of an event of this run (a non-negative integer), got ${JSON.stringify(lastEventId.slice(0, 40))}.` });
    }
    return Number(text);
  }
  if (afterSeq !== undefined && afterSeq < 0) throw new InvalidArgumentError({ argument: 'query parameter "afterSeq"', message: 'expected a non-negative integer.' });
  return afterSeq ?? 0;
}

/** A resume point must be an event the run has: one beyond its end means the client follows something else. */
async function assertSeqExists(store: SessionStore, runId: string, seq: number): Promise<void> {
  if (seq === 0) return;
  const [event] = await store.runEvents(runId, { afterSeq: seq - 1, limit: 1 });
  if (event?.seq !== seq) {
    throw new InvalidArgumentError({ argument: 'Last-Event-ID', message: `run "${runId}" has no event ${seq}: it is beyond the run's end (reconnect without it to read from the start).` });
  }
}
