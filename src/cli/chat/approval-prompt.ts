/**
 * Approvals in `sessionloom chat`: when a turn stops to ask about a tool call, the REPL asks the
 * person `y/n` for each request, one line each, then continues the run (`Runner.resume`) with the
 * answers. A denial reaches the model with the reason below.
 */
import type { ApprovalAnswer } from '../../session/approvals.js';
import type { RunApproval } from '../../types.js';
import { truncate } from '../output.js';

const INPUT_PREVIEW_LENGTH = 120;
export const CHAT_DENIAL_REASON = 'The user said no in sessionloom chat.';

/** A turn waiting for the person's answers, with the ones given so far. */
export class WaitingTurn {
  readonly answers: ApprovalAnswer[] = [];

  constructor(
    readonly runId: string,
    readonly input: string,
    private readonly approvals: Array<Pick<RunApproval, 'approvalId' | 'toolName' | 'input'>>,
  ) {}

  /** The request being asked about, or undefined once every one is answered. */
  get current(): Pick<RunApproval, 'approvalId' | 'toolName' | 'input'> | undefined {
    return this.approvals[this.answers.length];
  }

  /** The question for the current request. */
  question(): string {
    const approval = this.current;
    return approval ? `allow ${approval.toolName} ${truncate(JSON.stringify(approval.input) ?? '', INPUT_PREVIEW_LENGTH)}? [y/n] ` : '';
  }

  /** Takes a line as the answer to the current request; false when it is neither yes nor no. */
  answer(line: string): boolean {
    const approval = this.current;
    const approved = parseYesNo(line);
    if (!approval || approved === undefined) return false;
    this.answers.push({ approvalId: approval.approvalId, approved, ...(approved ? {} : { reason: CHAT_DENIAL_REASON }) });
    return true;
  }
}

function parseYesNo(line: string): boolean | undefined {
  const word = line.trim().toLowerCase();
  if (word === 'y' || word === 'yes') return true;
  if (word === 'n' || word === 'no') return false;
  return undefined;
}
