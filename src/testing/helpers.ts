/** Small helpers shared by the topics of the conformance suite. */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import type { CreateSessionInit, MessageInput, Session, SessionStore, StoredMessage } from '../index.js';

/** A random id that no other test (or earlier run against the same backend) uses. */
export function uniqueId(prefix = 'conformance'): string {
  return `${prefix}-${randomUUID()}`;
}

export function userMessage(text: string): MessageInput {
  return { role: 'user', content: text };
}

export function assistantMessage(text: string): MessageInput {
  return { role: 'assistant', content: [{ type: 'text', text }] };
}

/** `count` distinct user/assistant messages whose text starts with `label`. */
export function conversation(label: string, count: number): MessageInput[] {
  return Array.from({ length: count }, (_, index) =>
    index % 2 === 0 ? userMessage(`${label} ${index + 1}`) : assistantMessage(`${label} ${index + 1}`),
  );
}

/** The message as the caller wrote it: without the id and time the store added. */
export function withoutIdentity(message: StoredMessage): Record<string, unknown> {
  const { id: _id, createdAt: _createdAt, ...rest } = message;
  return rest;
}

export function idsOf(items: ReadonlyArray<{ id: string }>): string[] {
  return items.map((item) => item.id);
}

/** The last element, failing the test when there is none. */
export function lastOf<Item>(items: readonly Item[]): Item {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('expected a non-empty list');
  return item;
}

/** The element at `index`, failing the test when there is none. */
export function at<Item>(items: readonly Item[], index: number): Item {
  const item = items[index];
  if (item === undefined) throw new Error(`expected an element at index ${index}`);
  return item;
}

/** Reads a session that must exist. */
export async function mustGet(store: SessionStore, id: string): Promise<Session> {
  const session = await store.get(id);
  if (session === undefined) throw new Error(`expected session ${id} to exist`);
  return session;
}

export interface SessionSnapshot {
  session: Session | undefined;
  messages: StoredMessage[] | undefined;
}

/** Everything observable about a session, to check that a refused call changed nothing. */
export async function snapshot(store: SessionStore, id: string): Promise<SessionSnapshot> {
  const session = await store.get(id);
  const messages = session === undefined ? undefined : await store.getMessages(id);
  return { session, messages };
}

/** Asserts that the session reads exactly as in `before`. */
export async function expectUnchanged(store: SessionStore, id: string, before: SessionSnapshot): Promise<void> {
  expect(await snapshot(store, id)).toEqual(before);
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, but the call resolved with ${inspect(value, { depth: 2 })}`);
    },
    (error: unknown) => error,
  );
}

/** A session with `count` messages; returns the session (as after the append) and the stored messages. */
export async function sessionWithMessages(
  store: SessionStore,
  count: number,
  init: CreateSessionInit = {},
): Promise<{ session: Session; messages: StoredMessage[] }> {
  const created = await store.create({ id: uniqueId('session'), ...init });
  const messages = count === 0 ? [] : await store.append(created.id, conversation(created.id, count));
  return { session: await mustGet(store, created.id), messages };
}

export type Settled = { resolved: unknown } | { rejected: unknown } | { thrownSynchronously: unknown };

/** How a call of an async method ended; a synchronous throw (which `.catch()` callers would miss) is told apart. */
export async function settle(call: () => Promise<unknown>): Promise<Settled> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    return { thrownSynchronously: error };
  }
  return promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
}
