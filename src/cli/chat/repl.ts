/**
 * The read-eval-print loop of `sessionloom chat`, on node:readline: each line is a user turn or a
 * slash command. At a terminal it shows a prompt and Ctrl-C stops the answer in progress; with
 * piped input (scripts, tests) it echoes each line so the output reads as a transcript, and it
 * ends at the end of the input. A failed turn or command is reported and the loop goes on.
 */
import { createInterface } from 'node:readline/promises';
import { errorCode, reportError } from '../report-error.js';
import type { Conversation } from './conversation.js';
import type { ChatEntry } from './entries.js';
import { renderEntry } from './render.js';
import { ReplyPrinter } from './reply-printer.js';
import { parseSlashCommand, runSlashCommand } from './slash-commands.js';
import { resumeTurn, runTurn } from './turn.js';
import { WaitingTurn } from './approval-prompt.js';

const PROMPT = 'you> ';

export interface ReplOptions {
  /** Print nothing as it goes (the caller prints the entries as one JSON document). */
  json: boolean;
  /** A person at a terminal: prompt, line editing, Ctrl-C handling. */
  interactive: boolean;
}

export interface ReplOutcome {
  entries: ChatEntry[];
  /** Turns and commands that failed (each already reported on stderr). */
  failures: number;
}

export async function runRepl(conversation: Conversation, options: ReplOptions): Promise<ReplOutcome> {
  const write = (text: string): void => {
    if (!options.json) process.stdout.write(text);
  };
  const lines = createInterface(
    options.interactive ? { input: process.stdin, output: process.stdout, terminal: true, prompt: PROMPT } : { input: process.stdin, terminal: false },
  );
  const entries: ChatEntry[] = [];
  let failures = 0;
  let turnInProgress: AbortController | undefined;
  let quit = false;
  // A turn that stopped to ask about tool calls: the next lines answer it, y or n.
  let waiting: WaitingTurn | undefined;
  const waitFor = (entry: ChatEntry): void => {
    waiting = entry.type === 'turn' && entry.awaitingApproval ? new WaitingTurn(entry.runId, entry.input, entry.awaitingApproval) : undefined;
    if (waiting && options.interactive) lines.setPrompt(waiting.question());
    else if (options.interactive) lines.setPrompt(PROMPT);
  };
  lines.on('SIGINT', () => {
    if (turnInProgress) turnInProgress.abort(new Error('stopped with Ctrl-C'));
    else lines.close();
  });

  /** One y/n line for the current request; once all are answered the run continues (and may ask again). */
  const answerApproval = async (turn: WaitingTurn, text: string): Promise<void> => {
    if (!turn.answer(text)) {
      write('Please answer y or n.\n');
      return;
    }
    const answer = turn.answers.at(-1)!;
    entries.push({ type: 'approval', runId: turn.runId, approvalId: answer.approvalId, approved: answer.approved });
    if (turn.current) {
      if (options.interactive) lines.setPrompt(turn.question());
      return;
    }
    const approved = turn.answers.filter((given) => given.approved).length;
    write(`  [${approved} approved, ${turn.answers.length - approved} denied; continuing]\n`);
    const entry = await resumeTurn(conversation, turn, options.json ? undefined : write);
    entries.push(entry);
    waitFor(entry);
  };

  if (options.interactive) lines.prompt();
  for await (const line of lines) {
    if (!options.interactive) write(`${waiting ? waiting.question() : PROMPT}${line}\n`);
    const text = line.trim();
    if (waiting) {
      try {
        await answerApproval(waiting, text);
      } catch (error) {
        failures += 1;
        reportError(error);
        const code = errorCode(error);
        entries.push({ type: 'error', input: text, message: error instanceof Error ? error.message : String(error), ...(code === undefined ? {} : { code }) });
        waitFor({ type: 'error', input: text, message: '' });
      }
      if (options.interactive) lines.prompt();
      continue;
    }
    if (text !== '') {
      try {
        const command = parseSlashCommand(text);
        if (command) {
          const outcome = await runSlashCommand(conversation, command);
          if ('quit' in outcome) {
            quit = true;
            break;
          }
          const shown = 'entry' in outcome ? (entries.push(outcome.entry), renderEntry(outcome.entry)) : outcome.lines;
          write(shown.map((shownLine) => `${shownLine}\n`).join(''));
        } else {
          turnInProgress = new AbortController();
          const entry = await runTurn(conversation, text, turnInProgress.signal, options.json ? undefined : new ReplyPrinter(write));
          entries.push(entry);
          waitFor(entry);
        }
      } catch (error) {
        // A turn stopped with Ctrl-C is what the person asked for, not a failure.
        if (!turnInProgress?.signal.aborted) {
          failures += 1;
          reportError(error);
        }
        const code = errorCode(error);
        entries.push({ type: 'error', input: text, message: error instanceof Error ? error.message : String(error), ...(code === undefined ? {} : { code }) });
      } finally {
        turnInProgress = undefined;
      }
    }
    if (options.interactive) lines.prompt();
  }
  lines.close();
  if (waiting) write(`The run ${waiting.runId} still waits for approval: sessionloom approvals lists it.\n`);
  // Ctrl-D leaves the cursor after the prompt; end that line so the shell's prompt starts on its own.
  if (options.interactive && !quit) write('\n');
  return { entries, failures };
}
