/** A session's history: messages, fork, rewind, the branch tree and file checkpoints. */
import type { Hono } from 'hono';
import { InvalidArgumentError } from '../../errors.js';
import type { AppendOptions, ForkOptions, GetMessagesOptions, MessageInput, RewindOptions } from '../../types.js';
import { defined, readObject } from '../body.js';
import { assertChosenId, assertChosenMessageIds } from '../chosen-ids.js';
import type { ServerEnv } from '../env.js';
import { Query } from '../query.js';

const MESSAGE_PARAMETERS = ['limit', 'after', 'before', 'order', 'last'] as const;
const APPEND_FIELDS = ['messages', 'expectedVersion', 'operationId'] as const;
const REWIND_FIELDS = ['toMessage', 'toStart', 'dryRun'] as const;
/** Rewind options that touch the file system: library and CLI only. */
const FILE_REWIND_FIELDS = ['rewindFiles', 'workspace', 'force'] as const;

/** The paging of a message list from the query string (`/messages`, `/history`). */
export function messagePaging(url: string): GetMessagesOptions {
  const query = new Query(url, MESSAGE_PARAMETERS);
  return defined({
    limit: query.integer('limit'),
    after: query.string('after'),
    before: query.string('before'),
    order: query.string('order') as 'asc' | 'desc' | undefined,
    last: query.integer('last'),
  });
}

export function registerHistoryRoutes(app: Hono<ServerEnv>): void {
  app.get('/api/sessions/:id/messages', async (c) => {
    return c.json({ messages: await c.get('store').getMessages(c.req.param('id'), messagePaging(c.req.url)) });
  });

  // Any message the session can read: on its path, behind a compaction, or rewound off the path.
  app.get('/api/sessions/:id/messages/:messageId', async (c) => {
    return c.json(await c.get('store').getMessage(c.req.param('id'), c.req.param('messageId')));
  });

  app.post('/api/sessions/:id/messages', async (c) => {
    const body = await readObject(c, { allowed: APPEND_FIELDS });
    if (body.messages === undefined) {
      throw new InvalidArgumentError({ argument: 'request body', message: 'expected "messages": a message or an array of messages.' });
    }
    assertChosenMessageIds(c.get('userId'), body.messages, 'messages');
    const options = defined({ expectedVersion: body.expectedVersion, operationId: body.operationId }) as AppendOptions;
    const messages = await c.get('store').append(c.req.param('id'), body.messages as MessageInput | MessageInput[], options);
    return c.json({ messages }, 201);
  });

  app.post('/api/sessions/:id/fork', async (c) => {
    const options = await readObject(c, { optional: true });
    assertChosenId(c.get('userId'), options.id, 'id');
    return c.json(await c.get('store').fork(c.req.param('id'), options as ForkOptions), 201);
  });

  app.post('/api/sessions/:id/rewind', async (c) => {
    const body = await readObject(c, { allowed: [...REWIND_FIELDS, ...FILE_REWIND_FIELDS] });
    // A path from a network request must never reach the file system: file rewinds happen on the
    // machine that holds the workspace, by someone who may write to it. Only the fields in
    // REWIND_FIELDS are passed on, so nothing else can reach the store's file code either.
    const fileFields = FILE_REWIND_FIELDS.filter((field) => Object.hasOwn(body, field));
    if (fileFields.length > 0) {
      throw new InvalidArgumentError({
        argument: 'rewind options',
        message:
          `${fileFields.map((field) => JSON.stringify(field)).join(', ')} cannot be used over HTTP: rewinding files is not available from the API. ` +
          'Use the sessionloom CLI or library on the machine that holds the workspace.',
      });
    }
    const options = defined({ toMessage: body.toMessage, toStart: body.toStart, dryRun: body.dryRun }) as RewindOptions;
    return c.json(await c.get('store').rewind(c.req.param('id'), options));
  });

  app.get('/api/sessions/:id/branches', async (c) => {
    return c.json(await c.get('store').branches(c.req.param('id')));
  });

  app.get('/api/sessions/:id/checkpoints', async (c) => {
    return c.json({ checkpoints: await c.get('store').checkpoints(c.req.param('id')) });
  });
}
