/** The new messages of a run: `input` (a string becomes a user message) or `messages`. */
import { InvalidArgumentError } from '../errors.js';
import type { ModelMessage } from '../types.js';

export type RunInput = string | ModelMessage | ModelMessage[];

export function toInputMessages(input: RunInput | undefined, messages: ModelMessage[] | undefined): ModelMessage[] {
  if (input !== undefined && messages !== undefined) {
    throw new InvalidArgumentError({ argument: 'run options', message: 'give `input` or `messages`, not both.' });
  }
  if (messages !== undefined) {
    if (!Array.isArray(messages)) throw new InvalidArgumentError({ argument: 'messages', message: 'expected an array of model messages.' });
    return [...messages];
  }
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (Array.isArray(input)) return [...input];
  if (typeof input === 'object' && input !== null) return [input];
  throw new InvalidArgumentError({ argument: 'input', message: 'expected a string, a model message or an array of them.' });
}
