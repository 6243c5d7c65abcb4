/**
 * A stored conversation as the AI SDK's UI messages (what `useChat` holds), for a chat front end
 * that loads a conversation (after a reload, say) before it reconnects to a run still answering.
 * A user message keeps the id its UI message had (kept in its metadata by the chat route); a run's
 * assistant and tool messages become one assistant message whose id is the run's id, the id the UI
 * message stream of that run carries, so a reloaded answer and a resumed one are the same message.
 */
import type { StoredMessage } from '../types.js';

export interface UiMessage {
  id: string;
  role: 'system' | 'user' | 'assistant';
  parts: Array<Record<string, unknown> & { type: string }>;
}

type Part = UiMessage['parts'][number];

export function toUiMessages(messages: readonly StoredMessage[]): UiMessage[] {
  const result: UiMessage[] = [];
  for (const message of messages) {
    if (message.role === 'user' || message.role === 'system') {
      const uiMessageId = (message.metadata as { uiMessageId?: unknown } | undefined)?.uiMessageId;
      result.push({ id: typeof uiMessageId === 'string' ? uiMessageId : message.id, role: message.role, parts: contentParts(message.content) });
      continue;
    }
    const last = result.at(-1);
    const answerId = message.runId ?? message.id;
    const answer = last?.role === 'assistant' && last.id === answerId ? last : undefined;
    const target = answer ?? { id: answerId, role: 'assistant' as const, parts: [] };
    if (!answer) result.push(target);
    if (message.role === 'assistant') target.parts.push({ type: 'step-start' }, ...contentParts(message.content));
    else {
      for (const part of message.content) {
        if (part.type === 'tool-approval-response') answerApproval(target, part as unknown as Record<string, unknown>);
        else if (part.type === 'tool-result') settleToolPart(target, part as unknown as Record<string, unknown>);
      }
    }
  }
  return result;
}

function contentParts(content: StoredMessage['content']): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content, state: 'done' }];
  const parts: Part[] = [];
  for (const part of content as ReadonlyArray<Record<string, unknown> & { type: string }>) {
    if (part.type === 'text') parts.push({ type: 'text', text: part.text, state: 'done' });
    else if (part.type === 'reasoning') parts.push({ type: 'reasoning', text: part.text, state: 'done' });
    else if (part.type === 'tool-call') parts.push({ type: `tool-${String(part.toolName)}`, toolCallId: part.toolCallId, state: 'input-available', input: part.input });
    else if (part.type === 'tool-approval-request') {
      // The call waits for a person, as the AI SDK shows it: `approval-requested` with the approval's id.
      const call = parts.find((candidate) => candidate.toolCallId === part.toolCallId);
      if (call) Object.assign(call, { state: 'approval-requested', approval: { id: part.approvalId } });
    }
    else if (part.type === 'file' || part.type === 'image') {
      const data = part.type === 'image' ? part.image : part.data;
      if (typeof data === 'string' && /^(https?:|data:)/.test(data)) parts.push({ type: 'file', url: data, mediaType: part.mediaType ?? 'application/octet-stream' });
    }
  }
  return parts;
}

/** A person's answer: the call's part carries it (`approval-responded` until its result comes). */
function answerApproval(answer: UiMessage, response: Record<string, unknown>): void {
  const part = answer.parts.find((candidate) => (candidate.approval as { id?: unknown } | undefined)?.id === response.approvalId);
  if (!part) return;
  part.state = 'approval-responded';
  part.approval = { id: response.approvalId, approved: response.approved === true, ...(typeof response.reason === 'string' ? { reason: response.reason } : {}) };
}

function settleToolPart(answer: UiMessage, result: Record<string, unknown>): void {
  const part = answer.parts.find((candidate) => candidate.toolCallId === result.toolCallId);
  if (!part) return;
  const output = (result.output ?? {}) as { type?: string; value?: unknown };
  if (output.type === 'execution-denied') {
    part.state = 'output-denied';
  } else if (output.type === 'error-text' || output.type === 'error-json') {
    part.state = 'output-error';
    part.errorText = typeof output.value === 'string' ? output.value : JSON.stringify(output.value);
  } else {
    part.state = 'output-available';
    part.output = output.type === 'json' || output.type === 'text' ? output.value : output;
  }
}
