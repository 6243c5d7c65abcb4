/**
 * Prints an agent's answer as it streams: text as it arrives, and each tool call and result on a
 * line of its own, so a person sees what the agent is doing while it does it.
 */
import type { RunStreamEvent, ToolResultOutput } from '../../agent/run-events.js';
import { truncate } from '../output.js';

const REPLY_PREFIX = 'assistant> ';
const TOOL_PREVIEW_LENGTH = 160;

export class ReplyPrinter {
  private atLineStart = true;
  private wroteText = false;

  constructor(private readonly write: (text: string) => void) {}

  /** Shows one event of the run; events that say nothing to a reader (step boundaries) print nothing. */
  show(event: RunStreamEvent): void {
    switch (event.type) {
      case 'text-delta':
        if (event.text.length === 0) return;
        if (this.atLineStart) this.write(REPLY_PREFIX);
        this.write(event.text);
        this.atLineStart = event.text.endsWith('\n');
        this.wroteText = true;
        return;
      case 'tool-call':
        this.line(`  [calls ${event.toolName} ${truncate(JSON.stringify(event.input) ?? '', TOOL_PREVIEW_LENGTH)}]`);
        return;
      case 'tool-result':
        this.line(`  [${event.toolName} ${event.isError ? 'failed' : 'answered'}: ${truncate(describeOutput(event.output), TOOL_PREVIEW_LENGTH)}]`);
        return;
      default:
        return;
    }
  }

  /** Ends the answer's last line, then prints `note` if given; without one, says so when the agent answered with no text at all. */
  finish(note?: string): void {
    if (note === undefined && !this.wroteText) this.line(`${REPLY_PREFIX}(no text)`);
    if (note !== undefined && note !== '') this.line(note);
    this.endLine();
  }

  private line(text: string): void {
    this.endLine();
    this.write(`${text}\n`);
  }

  private endLine(): void {
    if (!this.atLineStart) this.write('\n');
    this.atLineStart = true;
  }
}

function describeOutput(output: ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    default:
      return `[${output.type}]`;
  }
}
