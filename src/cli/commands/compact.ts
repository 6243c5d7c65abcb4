/**
 * `sessionloom compact ID [--keep-tokens N] [--keep-messages N] (--summary TEXT | --model M)`: the
 * session's path becomes a summary followed by its newest messages; every message stays stored
 * (`show ID --history` reads them all).
 */
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { CompactOptions, CompactResult } from '../../types.js';
import { plural, printJson, printLines, wantsJson } from '../output.js';
import { suggestCommand, withStore } from '../store-url.js';

interface CompactCommandOptions {
  summary?: string;
  model?: string;
  keepTokens?: number;
  keepMessages?: number;
}

export function addCompactCommand(program: Command): void {
  program
    .command('compact')
    .description('replace a session\'s path by a summary and its newest messages (the full history stays stored)')
    .argument('<id>', 'session id')
    .option('--summary <text>', 'the summary of what is replaced')
    .option('--model <spec>', 'write the summary with this model ("scripted", "openai:MODEL", "anthropic:MODEL")')
    .option('--keep-tokens <n>', 'keep the newest messages up to this many tokens (o200k count)', parseCount)
    .option('--keep-messages <n>', 'keep at most this many of the newest messages', parseCount)
    .addHelpText(
      'after',
      ['', 'Example:', '  sessionloom compact ID --keep-tokens 4000 --summary "The user is planning a trip to Lisbon."'].join('\n'),
    )
    .action(async (id: string, options: CompactCommandOptions, command: Command) => {
      if ((options.summary === undefined) === (options.model === undefined)) {
        throw new InvalidArgumentError({ argument: '--summary', message: 'give --summary TEXT, or --model M to have a model write it (one of the two).' });
      }
      const keep = {
        ...(options.keepTokens === undefined ? {} : { lastTokens: options.keepTokens }),
        ...(options.keepMessages === undefined ? {} : { lastMessages: options.keepMessages }),
      };
      const summarizer = options.model === undefined ? undefined : await modelSummarizer(options.model);
      const compactOptions: CompactOptions = {
        ...(summarizer === undefined ? { summary: options.summary! } : { summarize: summarizer }),
        ...(Object.keys(keep).length === 0 ? {} : { keep }),
      };
      const result = await withStore(command, (store) => store.compact(id, compactOptions));
      if (wantsJson(command)) {
        printJson({ sessionId: id, ...result });
        return;
      }
      printLines(...summaryLines(command, id, result));
    });
}

async function modelSummarizer(spec: string): Promise<NonNullable<CompactOptions['summarize']>> {
  // Loaded only when a model writes the summary: the AI SDK is not needed otherwise.
  const [{ resolveModel }, { summarizeWithModel }] = await Promise.all([import('../../agent/resolve-model.js'), import('../../agent/run-compaction.js')]);
  const model = await resolveModel(spec);
  return async (messages) => (await summarizeWithModel(model, messages)).text;
}

function summaryLines(command: Command, id: string, result: CompactResult): string[] {
  if (!result.compacted || result.compaction === undefined) return [`Nothing compacted: ${result.reason ?? 'nothing to compact.'}`];
  const { compaction } = result;
  return [
    `Compacted ${id}: ${plural(compaction.count, 'message')} replaced by a summary (${compaction.messageId}, ${plural(compaction.tokens, 'token')}), ${compaction.kept} kept after it.`,
    `Every message is still stored: ${suggestCommand(command, 'show', id, '--history')}`,
  ];
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count)) throw new CommanderArgumentError('Expected a whole number.');
  return count;
}
