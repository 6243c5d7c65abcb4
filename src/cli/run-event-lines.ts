/**
 * One run event as a line of `sessionloom replay`: when it happened relative to the run's start,
 * its type, and what it says. Event data is read loosely on purpose: logs outlive the code that
 * wrote them, and a replay must show an event it does not know rather than fail on it.
 */
import type { RunEvent } from '../types.js';
import { truncate } from './output.js';
import { formatCost, formatOffset, formatUsage } from './run-format.js';

/** Wide enough for the longest event type the runner writes (`tool-result`). */
const TYPE_WIDTH = 11;
const UNKNOWN_DATA_PREVIEW_LENGTH = 120;
const TOOL_OUTPUT_PREVIEW_LENGTH = 200;

type Fields = Record<string, unknown>;

/** What the lines need to know about the run: when it started, and the model it asked for. */
export interface ReplayContext {
  startedAt: number;
  model: string | undefined;
}

export function runEventLines(event: RunEvent, context: ReplayContext): string[] {
  const [first = '', ...rest] = describeEvent(event.type, fieldsOf(event.data), context);
  const prefix = `${formatOffset(event.at - context.startedAt).padStart(8)}  ${event.type.padEnd(TYPE_WIDTH)}  `;
  // Continuation lines (a multi-line answer) line up under the first line's text.
  return [`${prefix}${first}`.trimEnd(), ...rest.map((line) => `${' '.repeat(prefix.length)}${line}`.trimEnd())];
}

function describeEvent(type: string, data: Fields, context: ReplayContext): string[] {
  switch (type) {
    case 'run-start':
      return [describeRunStart(data)];
    case 'step-start':
      return [`step ${text(data.step)}`];
    case 'reasoning':
    case 'text':
      return quoted(text(data.text), data.partial === true ? ' (partial: the step did not complete)' : '');
    case 'tool-call': {
      const invalid = data.invalid === true ? ' (invalid input)' : '';
      const provider = data.providerExecuted === true ? ' (run by the provider)' : '';
      return [`${text(data.toolName)} ${json(data.input)}${invalid}${provider}  [${text(data.toolCallId)}]`];
    }
    case 'tool-result':
      return [`${text(data.toolName)} ${data.isError === true ? 'failed: ' : '-> '}${describeToolOutput(data.output)}  [${text(data.toolCallId)}]`];
    case 'approval-requested':
      return (Array.isArray(data.approvals) ? data.approvals : []).map((approval) => {
        const request = fieldsOf(approval);
        return `waits for a person: ${text(request.toolName)} ${json(request.input)}  [${text(request.approvalId)}]`;
      });
    case 'run-resume':
      return [`resumed after approval (${(Array.isArray(data.approvals) ? data.approvals : []).length} answered)`];
    case 'step-end': {
      const usage = fieldsOf(data.usage);
      const cost = typeof usage.costUsd === 'number' ? `, ${formatCost(usage.costUsd)}` : '';
      // The model that answered, when the provider named a more specific one than the run asked for (gpt-4o-2024-08-06).
      const answeredBy = data.model === undefined || data.model === context.model ? '' : `, answered by ${text(data.model)}`;
      return [`step ${text(data.step)}: ${text(data.finishReason)}, ${formatUsage(usage)}${cost}${answeredBy}`];
    }
    case 'compaction': {
      const before = `before step ${text(data.step)}: ${text(data.tokensBefore)} tokens`;
      if (data.failed === true) return [`${before}, summarizing failed (the session is unchanged): ${text(data.error)}`];
      if (data.skipped !== undefined) return [`${before}, nothing to compact: ${text(data.skipped)}`];
      return [`${before} -> ${text(data.tokensAfter)}, ${text(data.replaced)} messages replaced by a summary, ${text(data.kept)} kept`];
    }
    case 'error':
      return [`${text(data.status ?? 'failed')}${data.step === undefined ? '' : ` in step ${text(data.step)}`}: ${text(data.message)}${data.name === undefined ? '' : ` (${text(data.name)})`}`];
    case 'run-end': {
      const usage = fieldsOf(data.usage);
      const steps = typeof data.steps === 'number' ? ` after ${data.steps} step${data.steps === 1 ? '' : 's'}` : '';
      const finish = data.finishReason === undefined ? '' : `, finish ${text(data.finishReason)}`;
      return [`${text(data.status)}${steps}, ${formatUsage(usage)}${finish}`];
    }
    default:
      return [truncate(json(data), UNKNOWN_DATA_PREVIEW_LENGTH)];
  }
}

function describeRunStart(data: Fields): string {
  const parts = [`agent "${text(data.agent)}"`, `model ${text(data.model)}`];
  if (data.created === true) parts.push('new session');
  if (typeof data.resumed === 'string') parts.push(`resumed ${data.resumed}`);
  const forkedFrom = fieldsOf(data.forkedFrom);
  if (typeof forkedFrom.sessionId === 'string') parts.push(`forked from ${forkedFrom.sessionId}${typeof forkedFrom.messageId === 'string' ? ` at ${forkedFrom.messageId}` : ''}`);
  if (typeof data.historyLength === 'number') parts.push(`${data.historyLength} earlier message${data.historyLength === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** What a tool told the model, shaped as the AI SDK shapes tool output (`{ type: 'json', value }`, ...). */
function describeToolOutput(output: unknown): string {
  const fields = fieldsOf(output);
  switch (fields.type) {
    case 'text':
    case 'error-text':
      return truncate(text(fields.value), TOOL_OUTPUT_PREVIEW_LENGTH);
    case 'json':
    case 'error-json':
      return truncate(json(fields.value), TOOL_OUTPUT_PREVIEW_LENGTH);
    case 'content':
      return '[content parts]';
    case 'execution-denied':
      return `denied${fields.reason === undefined ? '' : `: ${truncate(text(fields.reason), TOOL_OUTPUT_PREVIEW_LENGTH)}`}`;
    default:
      return truncate(json(output), TOOL_OUTPUT_PREVIEW_LENGTH);
  }
}

/** The text in quotes, kept whole (a replay is where one reads exactly what the model said), line by line. */
function quoted(value: string, suffix: string): string[] {
  const lines = `"${value}"`.split('\n');
  lines[lines.length - 1] += suffix;
  return lines;
}

function fieldsOf(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '?' : json(value);
}

function json(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
