/**
 * Emptying a session while keeping its id. A rewind cannot go to before the first message, and
 * pointing the adapter at a fresh session would break resuming by id (a new process opening the
 * same id would see the old conversation), so the session is deleted and created again with the
 * same id and the same owner, agent, workspace, metadata, tags and TTL.
 *
 * Before the delete, the conversation is forked and the fork expired: O(1), nothing copied, and
 * the cleared history stays readable for audit (expired sessions can be read, never resumed).
 * Only its current path is kept; tails that earlier rewinds left on the deleted session go with it.
 *
 * Not atomic: a crash between the delete and the create leaves no session, which the adapter
 * reads as empty and creates again on the next write; a write by another process in that window
 * fails as "not found", or lands first and is then cleared.
 */
import type { SessionStore } from '../../session/store.js';

/** Metadata key (and tag) marking an archived copy of a cleared conversation. */
export const CLEARED_FROM_KEY = 'openaiAgentsClearedFrom';
export const CLEARED_TAG = 'openai-agents:cleared';

export interface ResetOptions {
  /** Keep the cleared conversation as an expired fork (default true). */
  archive: boolean;
}

export async function resetSession(store: SessionStore, sessionId: string, options: ResetOptions): Promise<void> {
  const session = await store.get(sessionId);
  if (!session) return;
  if (options.archive && session.messageCount > 0) {
    const archived = await store.fork(sessionId, {
      metadata: { [CLEARED_FROM_KEY]: sessionId },
      tags: [...session.tags, CLEARED_TAG],
    });
    await store.expire(archived.id);
  }
  await store.delete(sessionId);
  await store.create({
    id: sessionId,
    ...(session.userId === undefined ? {} : { userId: session.userId }),
    ...(session.agentId === undefined ? {} : { agentId: session.agentId }),
    ...(session.workspaceId === undefined ? {} : { workspaceId: session.workspaceId }),
    metadata: session.metadata,
    tags: session.tags,
    ttlMs: session.ttlMs,
  });
}
