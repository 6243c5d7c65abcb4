/** One user turn of the REPL: the message sent, the answer streamed to the screen as it arrives. */
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
  printer?.finish();
  return { type: 'turn', sessionId: result.sessionId, input, output: result.output, runId: result.runId, usage: result.usage, steps: result.steps };
}
