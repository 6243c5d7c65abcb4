/** `resolve`: session reuse by affinity, so a user coming back lands in the conversation they left. */
import type { SessionQuery } from '../driver/driver.js';
import { SessionExpiredError, SessionNotFoundError } from '../errors.js';
import type { ResolveOptions, Session } from '../types.js';
import type { StoreContext } from './context.js';
import { createSession, scopedUserId } from './create.js';
import { attachSurface, touchSession } from './lifecycle.js';
import { parseOptions, resolveOptionsSchema } from './options.js';

export async function resolveSession(context: StoreContext, resolveOptions: ResolveOptions): Promise<Session> {
  const options = parseOptions(resolveOptionsSchema, resolveOptions, 'resolve options');
  // A scoped store refuses to resolve for another user, as it refuses to create for one.
  scopedUserId(context, options.userId);
  const base: SessionQuery = {
    userId: options.userId,
    ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
    states: ['active', 'suspended'],
    orderBy: 'lastActiveAt',
    order: 'desc',
    limit: 1,
  };
  const candidates = [
    ...(options.surfaceId === undefined ? [] : await context.driver.listSessions({ ...base, surfaceId: options.surfaceId })),
    ...(await context.driver.listSessions(base)),
  ];
  for (const candidate of candidates) {
    try {
      // Touching reactivates a suspended session; attaching records where the user is now.
      return options.surfaceId === undefined
        ? await touchSession(context, candidate.id)
        : await attachSurface(context, candidate.id, options.surfaceId);
    } catch (error) {
      // Expired or deleted since it was listed: try the next candidate, or create.
      if (!SessionExpiredError.isInstance(error) && !SessionNotFoundError.isInstance(error)) throw error;
    }
  }
  return createSession(context, {
    userId: options.userId,
    ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
    ...(options.surfaceId === undefined ? {} : { surfaceId: options.surfaceId }),
  });
}
