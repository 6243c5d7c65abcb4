/** The fourth seed's (003) storage interface and the state it saves and loads. */
import type { Metadata, Usage } from '../types.js';
import type { CompatMessage, CompatMessageInput } from './messages.js';

export interface SessionState {
  id: string;
  messages: CompatMessage[];
  usage: Usage;
  metadata: Metadata;
  createdAt: number;
  updatedAt: number;
  parentId?: string;
}

/** What `save` accepts: a state as `load` returned it, or one with messages of your own. */
export type SessionStateInput = Omit<SessionState, 'messages' | 'usage' | 'createdAt' | 'updatedAt'> &
  Partial<Pick<SessionState, 'usage' | 'createdAt' | 'updatedAt'>> & { messages: CompatMessageInput[] };

export interface SessionStorage {
  save(state: SessionState): Promise<void>;
  load(sessionId: string): Promise<SessionState | undefined>;
  delete(sessionId: string): Promise<void>;
  list(): Promise<string[]>;
}

