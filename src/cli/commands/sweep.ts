/**
 * `sessionloom sweep`: the lifecycle pass a deployment runs on a schedule: active sessions idle
 * past their TTL become suspended, suspended ones past retention become expired.
 */
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { plural, printJson, printLines, wantsJson } from '../output.js';
import { withStore } from '../store-url.js';

export function addSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('suspend sessions idle past their TTL and expire suspended ones past retention')
    .option('--now <epoch-ms>', 'sweep as if it were this time (epoch milliseconds or an ISO date); default: now', parseNow)
    .action(async (options: { now?: number }, command: Command) => {
      const now = options.now ?? Date.now();
      const result = await withStore(command, (store) => store.sweepStale({ now }));
      if (wantsJson(command)) {
        printJson({ now, ...result });
        return;
      }
      printLines(
        `Swept as of ${new Date(now).toISOString()}:`,
        `  ${plural(result.suspended, 'session')} suspended (idle past their TTL)`,
        `  ${plural(result.expired, 'session')} expired (suspended past retention)`,
      );
    });
}

function parseNow(value: string): number {
  // Digits are epoch milliseconds; anything else must be a date Date.parse understands (2030-01-01T00:00:00Z).
  const now = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(now) || now < 0) throw new CommanderArgumentError('Expected epoch milliseconds or an ISO date.');
  return now;
}
