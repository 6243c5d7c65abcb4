/**
 * `sessionloom search TEXT`: messages whose text holds every word of TEXT (the last one as a
 * prefix while it is being typed), best first, each with the session, the message and the text
 * around the match; rewound and compacted messages included. On a terminal the matches are bold.
 */
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import type { SearchHit, SearchOptions } from '../../audit-types.js';
import { formatTable, plural, printJson, printLines, relativeTime, wantsJson } from '../output.js';
import { suggestCommand, withReadOnlyStore } from '../store-url.js';

const MAX_LIMIT = 100;
const BOLD = '\u001b[1m';
const PLAIN = '\u001b[22m';

interface SearchCommandOptions {
  user?: string;
  session?: string;
  agent?: string;
  limit?: number;
  cursor?: string;
}

export function addSearchCommand(program: Command): void {
  program
    .command('search')
    .description('find messages by their text, rewound and compacted ones included')
    .argument('<text...>', 'the words to find (quotes and operators are only punctuation)')
    .option('--user <id>', "only this user's sessions")
    .option('--session <id>', 'only what this session can read (its path and its rewound tails)')
    .option('--agent <id>', "only this agent's sessions")
    .option('--limit <n>', `matches per page, 1 to ${MAX_LIMIT} (default 20)`, parseLimit)
    .option('--cursor <cursor>', 'the next page: the cursor printed by the previous page')
    .action(async (words: string[], options: SearchCommandOptions, command: Command) => {
      const text = words.join(' ');
      const result = await withReadOnlyStore(command, (store) => store.search(text, toSearchOptions(options)));
      if (wantsJson(command)) {
        printJson(result);
        return;
      }
      if (result.hits.length === 0) {
        printLines(options.cursor === undefined ? `No messages match ${JSON.stringify(text)}.` : 'No more matches.');
      } else {
        printLines(`${plural(result.hits.length, 'match', 'matches')} for ${JSON.stringify(text)}, best first:`, '', ...hitLines(result.hits));
        const first = result.hits[0]!;
        printLines('', `Read one whole: ${suggestCommand(command, 'show', first.sessionId, '--message', first.messageId)}`);
      }
      if (result.partial === true) {
        printLines('', 'This store is searched by reading its messages, and the search stopped at its limit: narrow it with --user or --session.');
      }
      if (result.nextCursor !== undefined) printLines('', `Next page: the same command with --cursor ${result.nextCursor}`);
    });
}

function toSearchOptions(options: SearchCommandOptions): SearchOptions {
  return {
    ...(options.user === undefined ? {} : { userId: options.user }),
    ...(options.session === undefined ? {} : { sessionId: options.session }),
    ...(options.agent === undefined ? {} : { agentId: options.agent }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  };
}

function hitLines(hits: SearchHit[]): string[] {
  const now = Date.now();
  const header = formatTable(
    ['SESSION', 'MESSAGE', 'ROLE', 'WRITTEN'],
    hits.map((hit) => [hit.sessionId, hit.messageId, hit.role, relativeTime(hit.createdAt, now)]),
  );
  const [columns, ...rows] = header;
  return [columns!, ...rows.flatMap((row, index) => [row, `    ${highlighted(hits[index]!)}`])];
}

/** The snippet, its matches in bold on a terminal (plain when piped, so scripts and files get text). */
function highlighted(hit: SearchHit): string {
  if (!process.stdout.isTTY) return hit.snippet;
  let text = '';
  let at = 0;
  for (const [start, end] of hit.highlights) {
    text += `${hit.snippet.slice(at, start)}${BOLD}${hit.snippet.slice(start, end)}${PLAIN}`;
    at = end;
  }
  return text + hit.snippet.slice(at);
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    throw new CommanderArgumentError(`Expected a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return limit;
}
