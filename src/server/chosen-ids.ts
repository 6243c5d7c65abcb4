/**
 * Ids a client chooses under a user-bound token.
 *
 * Session, message and run ids are shared by every user of a store: creating a session with an id
 * another user already has must be refused, and on its own that refusal would answer a question
 * ("does anyone have a session called order-42?": "already exists" versus 201) and let one user
 * take the ids another user will choose, first. So, over HTTP, a client whose token is bound to a
 * user may only choose ids in that user's namespace: `<userId>:<name>`, with no ":" in the name
 * (for user `alice`, `alice:chat-1`). Any other chosen id is refused with the same 400 whatever
 * the store holds, so the answer tells nothing about anyone else; inside the namespace only the
 * user's own sessions and messages can collide, and those the user can read anyway. The name may
 * not hold ":" so that no namespace is inside another (`a:b:x` belongs to user `a:b`, never `a`).
 * Leaving the id out gets a generated one (64 random bits each: see src/common/ids.ts).
 *
 * Unbound tokens (operators, trusted services) and the library choose any id.
 */
import { InvalidArgumentError } from '../errors.js';

/** True when `id` is `<userId>:<name>` with a non-empty name holding no ":". */
export function isInNamespace(userId: string, id: string): boolean {
  const name = id.slice(userId.length + 1);
  return id.startsWith(`${userId}:`) && name.length > 0 && !name.includes(':');
}

/**
 * Throws the one refusal for a chosen id outside the user's namespace. Ids that are not strings are
 * left to the store, which refuses them the same way for every user.
 */
export function assertChosenId(userId: string | undefined, id: unknown, argument: string): void {
  if (userId === undefined || typeof id !== 'string' || isInNamespace(userId, id)) return;
  throw new InvalidArgumentError({
    argument,
    message:
      `with a token bound to user "${userId}", a chosen id must be "${userId}:NAME" (NAME without ":"), for example "${userId}:chat-1"; ` +
      'leave the id out to get a generated one. Ids are shared by all users of the store, so any other id is refused, whether or not it exists.',
  });
}

/** The same check for the `id` of each message in a body's `messages` (one message or an array). */
export function assertChosenMessageIds(userId: string | undefined, messages: unknown, argument: string): void {
  if (userId === undefined) return;
  const list: unknown[] = Array.isArray(messages) ? messages : [messages];
  list.forEach((message, index) => {
    if (typeof message === 'object' && message !== null) assertChosenId(userId, (message as { id?: unknown }).id, `${argument}[${index}].id`);
  });
}
