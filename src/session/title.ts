/**
 * A session's title: set at `create`, `update` or `fork`, or else taken from its first user message
 * with text, shortened to one line, when that message is written (an append that finds the session
 * untitled). Once a session has a title, messages never change it. A title is one line of text: an
 * explicit one with a control character (a newline, an escape that could restyle a terminal) is
 * refused, and a taken one has them removed.
 */
import { decodeJson } from '../common/codec.js';
import { messageText } from '../common/message-text.js';
import type { ModelMessage } from '../types.js';

/** How long a title taken from a message may be, in characters (`…` included). */
export const TAKEN_TITLE_LENGTH = 80;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Whether an explicit title is one line of text (no control character). */
export function isOneLine(text: string): boolean {
  return !/[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** The title the first user message with text among these encoded bodies gives, or undefined. */
export function titleFromBodies(bodies: readonly string[]): string | undefined {
  for (const body of bodies) {
    const message = decodeJson(body) as ModelMessage;
    if (message.role !== 'user') continue;
    const text = messageText(message).replace(/\s+/g, ' ').replace(CONTROL_CHARACTERS, '').trim();
    if (text !== '') return shorten(text);
  }
  return undefined;
}

function shorten(text: string): string {
  if (text.length <= TAKEN_TITLE_LENGTH) return text;
  let cut = text.slice(0, TAKEN_TITLE_LENGTH - 1);
  // End at a word when one ends in the second half, and never between the halves of a surrogate pair.
  const space = cut.lastIndexOf(' ');
  if (space >= TAKEN_TITLE_LENGTH / 2) cut = cut.slice(0, space);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
