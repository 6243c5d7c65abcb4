/** One user turn of the REPL: the message sent, the answer streamed to the screen as it arrives. */
import type { RunResult } from '../../agent/run-result.js';
import type { WaitingTurn } from './approval-prompt.js';
import type { Conversation } from './conversation.js';
import type { ChatEntry } from './entries.js';
import type { ReplyPrinter } from './reply-printer.js';

/** Runs the turn; the printer (absent with --json) shows the answer as it streams. */
export async function runTurn(conversation: Conversation, input: string, signal: AbortSignal, printer: ReplyPrinter | undefined): Promise<ChatEntry> {
  const stream = await conversation.send(input, signal);
  try {
    for await (const event of stream) printer?.show(event);
  } catch (error) {
    // What streamed before the failure stays on screen; close its line before the error is reported.
    printer?.finish(signal.aborted ? "(stopped: your message stays in the conversation, the partial answer only in the run's log)" : '');
    throw error;
  }
  const result = await stream.result;
  printer?.finish(result.status === 'awaiting-approval' ? '' : undefined);
  return turnEntry(input, result);
}

/** Continues a turn that waited for approval with the person's answers; the rest of the answer is printed when it is done. */
export async function resumeTurn(conversation: Conversation, waiting: WaitingTurn, write: ((text: string) => void) | undefined): Promise<ChatEntry> {
  const result = await conversation.resume(waiting.runId, waiting.answers);
  if (write && result.output) write(`assistant> ${result.output}\n`);
  return turnEntry(waiting.input, result);
}

function turnEntry(input: string, result: RunResult): Extract<ChatEntry, { type: 'turn' }> {
  return {
    type: 'turn',
    sessionId: result.sessionId,
    input,
    output: result.output,
    runId: result.runId,
    usage: result.usage,
    steps: result.steps,
    ...(result.status === 'awaiting-approval'
      ? { awaitingApproval: (result.pendingApprovals ?? []).map(({ approvalId, toolName, input: toolInput }) => ({ approvalId, toolName, input: toolInput })) }
      : {}),
  };
}
