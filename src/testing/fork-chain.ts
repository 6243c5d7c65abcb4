/** A three-level fork chain, the fixture for tests that cross fork points. */
import type { SessionStore, StoredMessage } from '../index.js';
import { at, conversation, uniqueId } from './helpers.js';

export interface ForkChain {
  /** Four messages: r1..r4. */
  root: { id: string; messages: StoredMessage[] };
  /** Forked from root at r3, then three messages m1..m3: path r1 r2 r3 m1 m2 m3. */
  middle: { id: string; messages: StoredMessage[]; path: StoredMessage[] };
  /** Forked from middle at m2, then three messages l1..l3: path r1 r2 r3 m1 m2 l1 l2 l3. */
  leaf: { id: string; messages: StoredMessage[]; path: StoredMessage[] };
}

export async function buildForkChain(store: SessionStore, init: { userId?: string } = {}): Promise<ForkChain> {
  const root = await store.create({ id: uniqueId('root'), ...init });
  const rootMessages = await store.append(root.id, conversation('root', 4));
  const middle = await store.fork(root.id, { id: uniqueId('middle'), fromMessage: at(rootMessages, 2).id });
  const middleMessages = await store.append(middle.id, conversation('middle', 3));
  const leaf = await store.fork(middle.id, { id: uniqueId('leaf'), fromMessage: at(middleMessages, 1).id });
  const leafMessages = await store.append(leaf.id, conversation('leaf', 3));
  return {
    root: { id: root.id, messages: rootMessages },
    middle: { id: middle.id, messages: middleMessages, path: [...rootMessages.slice(0, 3), ...middleMessages] },
    leaf: {
      id: leaf.id,
      messages: leafMessages,
      path: [...rootMessages.slice(0, 3), ...middleMessages.slice(0, 2), ...leafMessages],
    },
  };
}
