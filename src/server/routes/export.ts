/**
 * `GET /api/export`: the sessions in the request's scope (or `?session=ID`, repeatable) as the
 * export stream of `store.export`, JSON Lines, streamed as it is read. Problems with the request
 * (an unknown or hostile id) are answered as JSON errors before the first line; a failure after
 * that cuts the stream before its end record, which `import` refuses as cut short, so a broken
 * download can never pass for a whole one.
 */
import type { Hono } from 'hono';
import type { ServerEnv } from '../env.js';
import { Query } from '../query.js';

const EXPORT_PARAMETERS = ['session'] as const;

export function registerExportRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/export', async (c) => {
    const ids = new Query(c.req.url, EXPORT_PARAMETERS).all('session');
    const lines = c.get('store').export(ids);
    const first = await lines.next(); // validates the ids; throws before any byte is sent
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!first.done) controller.enqueue(encoder.encode(`${first.value}\n`));
      },
      // Pulled as the client reads: a slow download holds back the store reads instead of buffering them.
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${next.value}\n`));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="sessionloom-export.jsonl"',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
