/**
 * The fifth seed's (004) affinity: `defaultAffinityResolver(store)` prefers the user's most
 * recently active or suspended session, and among them one attached to the given surface;
 * `resolveSession(message, store, resolver)` touches what the resolver found, or creates a session
 * for the message's user, workspace and surface. Any object with `resolve(userId, surfaceId?)` is a resolver.
 */
import { randomUUID } from 'node:crypto';
import type { Session } from '../types.js';
import type { AssistantSessionStore } from './assistant-store.js';

export interface AffinityResolver {
  resolve(userId: string, surfaceId?: string): Promise<Session | null | undefined>;
}

export interface InboundMessage {
  userId: string;
  workspaceId?: string;
  surfaceId?: string;
}

const CANDIDATES = 50;

export function defaultAffinityResolver(store: AssistantSessionStore): AffinityResolver {
  return {
    async resolve(userId, surfaceId) {
      const sessions = await store.find({ userId, state: ['active', 'suspended'], limit: CANDIDATES });
      if (surfaceId !== undefined) {
        const attached = sessions.find((session) => session.attachedSurfaces.includes(surfaceId));
        if (attached) return attached;
      }
      return sessions[0] ?? null;
    },
  };
}

export async function resolveSession(message: InboundMessage, store: AssistantSessionStore, resolver: AffinityResolver): Promise<Session> {
  const existing = await resolver.resolve(message.userId, message.surfaceId);
  if (existing) return store.touch(existing.id);
  return store.create({
    id: randomUUID(),
    userId: message.userId,
    ...(message.workspaceId === undefined ? {} : { workspaceId: message.workspaceId }),
    ...(message.surfaceId === undefined ? {} : { initialSurfaceId: message.surfaceId }),
  });
}
