/**
 * `sessionloom tree ID`: the whole fork tree a session belongs to, from its root, with the session
 * marked, where each fork was taken, and the tails the session's rewinds took off its path (with
 * `--messages`, their text too).
 */
import type { Command } from 'commander';
import type { SessionStore } from '../../session/store.js';
import type { BranchNode, RewoundTail, Session, StoredMessage } from '../../types.js';
import { messageBodyLines } from '../message-body.js';
import { plural, printJson, printLines, truncate, wantsJson } from '../output.js';
import { withReadOnlyStore } from '../store-url.js';

/** Titles in the tree are shortened so a node stays one line. */
const TREE_TITLE_LENGTH = 40;
/** Each message of a rewound tail is shortened to this many characters per part in the readable view. */
const TAIL_MESSAGE_LENGTH = 500;

/** A rewound tail, with its messages when they were asked for. */
export type ForkTreeTail = RewoundTail & { messages?: StoredMessage[] };

export interface ForkTree {
  sessionId: string;
  rootId: string;
  /** The root session and its forks, recursively (the root has no `forkedAtMessageId`). */
  root: BranchNode;
  /** What rewinds of `sessionId` took off its path, oldest first. */
  rewoundTails: ForkTreeTail[];
}

export function addTreeCommand(program: Command): void {
  program
    .command('tree')
    .description('show the fork tree a session belongs to')
    .argument('<id>', 'session id')
    .option('--messages', 'print the text of the messages rewinds took off the path')
    .action(async (id: string, options: { messages?: boolean }, command: Command) => {
      const tree = await withReadOnlyStore(command, (store) => loadForkTree(store, id, { messages: options.messages === true }));
      if (wantsJson(command)) printJson(tree);
      else printLines(...renderForkTree(tree));
    });
}

/** Walks up to the root (the farthest ancestor still stored), then down through every fork. */
export async function loadForkTree(store: SessionStore, id: string, options: { messages?: boolean } = {}): Promise<ForkTree> {
  const around = await store.branches(id);
  const root: Session = around.parents[around.parents.length - 1] ?? around.session;
  const forks = root.id === id ? around.forks : (await store.branches(root.id)).forks;
  const rewoundTails: ForkTreeTail[] = [];
  for (const tail of around.rewoundTails) {
    if (options.messages !== true) rewoundTails.push(tail);
    else rewoundTails.push({ ...tail, messages: await readTail(store, id, tail.messageIds) });
  }
  return { sessionId: id, rootId: root.id, root: { session: root, children: forks }, rewoundTails };
}

async function readTail(store: SessionStore, id: string, messageIds: string[]): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (const messageId of messageIds) messages.push((await store.getMessage(id, messageId)).message);
  return messages;
}

export function renderForkTree(tree: ForkTree): string[] {
  const lines = [describeNode(tree.root, tree.sessionId)];
  appendChildren(lines, tree.root.children, '', tree.sessionId);
  if (tree.rewoundTails.length > 0) {
    lines.push('', `Rewound off the path of ${tree.sessionId} (still stored, readable for audit):`);
    for (const tail of tree.rewoundTails) {
      const where = tail.afterMessageId === undefined ? 'from the start' : `after ${tail.afterMessageId}`;
      lines.push(`  ${where}: ${plural(tail.messageCount, 'message')} (${summarizeIds(tail.messageIds)})`);
      for (const message of tail.messages ?? []) lines.push(...tailMessageLines(message));
    }
  }
  return lines;
}

function tailMessageLines(message: StoredMessage): string[] {
  const [first = '', ...rest] = messageBodyLines(message, TAIL_MESSAGE_LENGTH);
  const heading = `    ${message.id}  ${message.role}: `;
  return [`${heading}${first}`, ...rest.map((line) => `${' '.repeat(heading.length)}${line}`)];
}

/** A long rewound tail would flood the terminal; its first and last ids are enough to find it with `show`. */
function summarizeIds(ids: string[]): string {
  const first = ids[0];
  const last = ids[ids.length - 1];
  return ids.length <= 3 || first === undefined || last === undefined ? ids.join(', ') : `${first} … ${last}`;
}

function appendChildren(lines: string[], children: BranchNode[], indent: string, markedId: string): void {
  children.forEach((child, index) => {
    const last = index === children.length - 1;
    lines.push(`${indent}${last ? '└─ ' : '├─ '}${describeNode(child, markedId)}`);
    appendChildren(lines, child.children, `${indent}${last ? '   ' : '│  '}`, markedId);
  });
}

function describeNode(node: BranchNode, markedId: string): string {
  const forkedAt = node.forkedAtMessageId === undefined ? '' : `  forked at ${node.forkedAtMessageId}`;
  const state = node.session.state === 'active' ? '' : `  ${node.session.state}`;
  const marker = node.session.id === markedId ? '  <- this session' : '';
  const title = node.session.title === undefined ? '' : `  "${truncate(node.session.title, TREE_TITLE_LENGTH)}"`;
  return `${node.session.id}${title}  (${plural(node.session.messageCount, 'message')})${forkedAt}${state}${marker}`;
}
