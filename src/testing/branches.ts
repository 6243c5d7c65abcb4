/** branches(): the fork tree around a session (parents, forks) and its rewound tails. */
import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../index.js';
import type { BranchNode } from '../index.js';
import type { SuiteContext } from './context.js';
import { buildForkChain } from './fork-chain.js';
import { at, idsOf, mustGet, sessionWithMessages, uniqueId } from './helpers.js';

interface TreeShape {
  id: string;
  forkedAtMessageId: string | undefined;
  children: TreeShape[];
}

/** The tree reduced to ids, children sorted by id (the order of siblings is not part of the contract). */
function shapeOf(nodes: BranchNode[]): TreeShape[] {
  return nodes
    .map((node) => ({ id: node.session.id, forkedAtMessageId: node.forkedAtMessageId, children: shapeOf(node.children) }))
    .sort(byId);
}

function byId(left: { id: string }, right: { id: string }): number {
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

export function registerBranchesTests(context: SuiteContext): void {
  describe('branches', () => {
    it('describes a lone session with no parents, forks or rewound tails', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      expect(await store.branches(session.id)).toEqual({ session, parents: [], forks: [], rewoundTails: [], compactions: [] });
    });

    it('lists the parents nearest first', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const branches = await store.branches(chain.leaf.id);
      expect(branches.session).toEqual(await mustGet(store, chain.leaf.id));
      expect(idsOf(branches.parents)).toEqual([chain.middle.id, chain.root.id]);
      expect(branches.parents[0]).toEqual(await mustGet(store, chain.middle.id));
      expect(branches.forks).toEqual([]);
    });

    it('lists forks as a tree with the message each was forked at', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const sibling = await store.fork(chain.root.id, { id: uniqueId('sibling') });
      const expected: TreeShape[] = [
        {
          id: chain.middle.id,
          forkedAtMessageId: at(chain.root.messages, 2).id,
          children: [{ id: chain.leaf.id, forkedAtMessageId: at(chain.middle.messages, 1).id, children: [] }],
        },
        { id: sibling.id, forkedAtMessageId: at(chain.root.messages, 3).id, children: [] },
      ];
      expected.sort(byId);
      const branches = await store.branches(chain.root.id);
      expect(branches.parents).toEqual([]);
      expect(shapeOf(branches.forks)).toEqual(expected);
    });

    it('shows both the parents and the forks of a session in the middle of a chain', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const branches = await store.branches(chain.middle.id);
      expect(idsOf(branches.parents)).toEqual([chain.root.id]);
      expect(shapeOf(branches.forks)).toEqual([
        { id: chain.leaf.id, forkedAtMessageId: at(chain.middle.messages, 1).id, children: [] },
      ]);
      expect(branches.forks[0]?.session).toEqual(await mustGet(store, chain.leaf.id));
    });

    it('drops a deleted fork from the tree', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 2);
      const kept = await store.fork(session.id, { id: uniqueId('kept') });
      const removed = await store.fork(session.id, { id: uniqueId('removed') });
      expect(await store.delete(removed.id)).toBe(true);
      expect(shapeOf((await store.branches(session.id)).forks)).toEqual([
        { id: kept.id, forkedAtMessageId: at(messages, 1).id, children: [] },
      ]);
    });

    it('reports the rewound tails of the session', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 3);
      await store.rewind(session.id, { toMessage: at(messages, 0).id });
      const branches = await store.branches(session.id);
      expect(branches.session.messageCount).toBe(1);
      expect(branches.rewoundTails).toEqual([
        { afterMessageId: at(messages, 0).id, messageIds: idsOf(messages.slice(1)), messageCount: 2 },
      ]);
    });

    it('refuses an unknown session', async () => {
      const store = await context.open();
      await expect(store.branches(uniqueId('missing'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });
  });
}
