/**
 * A run's events as the AI SDK's UI message stream (protocol v1: SSE frames `data: <chunk JSON>`,
 * ending with `data: [DONE]`), which `DefaultChatTransport` and `readUIMessageStream` read. The
 * stream is made from the run's log as stored, so the answer to `POST /api/chat` and a reconnect
 * after a reload (`GET /api/chat/:id/stream`, which replays the run from its start, as the SDK's
 * transport expects) are the same chunks, and the message id is the run's id.
 *
 * The log has each step's text twice: coalesced `text-delta` events as it streamed, and the whole
 * `text` event once the step is stored. The chunks carry the deltas; the `text` event only adds
 * what the deltas lacked (a run recorded without streaming, or a delta flush the store missed).
 */
import type { RunEvent } from '../types.js';
import { pulledStream, sseFrame } from './sse.js';

export const UI_MESSAGE_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
  'x-vercel-ai-ui-message-stream': 'v1',
} as const;

export type UiChunk = { type: string } & Record<string, unknown>;

type PartKind = 'text' | 'reasoning';

interface StepState {
  step: number;
  /** What each kind of part of the step has sent so far, while its part is open. */
  open: Map<PartKind, string>;
  /** Parts already closed in this step (a `text` event after the deltas only closes). */
  closed: Set<PartKind>;
}

/** The UI chunks of a run's events; `messageId` names the assistant message they build. */
export async function* uiChunks(events: AsyncIterable<RunEvent>, messageId: string): AsyncGenerator<UiChunk> {
  yield { type: 'start', messageId };
  let current: StepState | undefined;

  function* stepOf(step: number): Generator<UiChunk, StepState> {
    if (current?.step === step) return current;
    if (current) yield* endStep();
    current = { step, open: new Map(), closed: new Set() };
    yield { type: 'start-step' };
    return current;
  }
  function* closePart(state: StepState, kind: PartKind): Generator<UiChunk> {
    if (!state.open.has(kind)) return;
    state.open.delete(kind);
    state.closed.add(kind);
    yield { type: `${kind}-end`, id: `${kind}-${state.step}` };
  }
  /** `delta`: more text; `whole`: the step's whole text (then the part closes); `partial`: all there was of it when the run stopped. */
  function* addText(kind: PartKind, step: number, text: string, mode: 'delta' | 'whole' | 'partial'): Generator<UiChunk> {
    const state = yield* stepOf(step);
    if (state.closed.has(kind)) return;
    const sent = state.open.get(kind);
    if (sent === undefined && text.length > 0) {
      yield { type: `${kind}-start`, id: `${kind}-${step}` };
      state.open.set(kind, '');
    }
    const already = state.open.get(kind) ?? '';
    // A whole (or partial) text adds only what the deltas lacked, when they are a prefix of it.
    const delta = mode === 'delta' ? text : text.startsWith(already) ? text.slice(already.length) : '';
    if (delta.length > 0) {
      state.open.set(kind, already + delta);
      yield { type: `${kind}-delta`, id: `${kind}-${step}`, delta };
    }
    if (mode === 'whole') yield* closePart(state, kind);
  }
  function* endStep(): Generator<UiChunk> {
    if (!current) return;
    yield* closePart(current, 'reasoning');
    yield* closePart(current, 'text');
    current = undefined;
    yield { type: 'finish-step' };
  }

  // A run that stopped to ask a person ends its stream as the AI SDK's does: the requests, then finish.
  let awaitingApproval = false;
  for await (const event of events) {
    const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
    const step = typeof data.step === 'number' ? data.step : (current?.step ?? 1);
    switch (event.type) {
      case 'text-delta':
      case 'reasoning-delta':
        yield* addText(event.type === 'text-delta' ? 'text' : 'reasoning', step, String(data.text ?? ''), 'delta');
        break;
      case 'text':
      case 'reasoning':
        yield* addText(event.type, step, String(data.text ?? ''), data.partial === true ? 'partial' : 'whole');
        break;
      case 'step-start':
        yield* stepOf(step);
        break;
      case 'tool-call': {
        const state = yield* stepOf(step);
        yield* closePart(state, 'reasoning');
        yield* closePart(state, 'text');
        yield { type: 'tool-input-available', toolCallId: String(data.toolCallId), toolName: String(data.toolName), input: data.input ?? {} };
        break;
      }
      case 'tool-result':
        yield* stepOf(step);
        yield toolResultChunk(data);
        break;
      case 'approval-requested':
        yield* stepOf(step);
        for (const approval of Array.isArray(data.approvals) ? (data.approvals as Array<Record<string, unknown>>) : []) {
          yield { type: 'tool-approval-request', approvalId: String(approval.approvalId), toolCallId: String(approval.toolCallId) };
        }
        awaitingApproval = true;
        break;
      case 'run-resume':
        awaitingApproval = false;
        break;
      case 'step-end':
        yield* endStep();
        break;
      case 'error':
        yield* endStep();
        if (data.status === 'cancelled') yield { type: 'abort', reason: String(data.message ?? 'cancelled') };
        else yield { type: 'error', errorText: String(data.message ?? 'The run failed.') };
        break;
      case 'run-end':
        yield* endStep();
        if (data.status === 'completed') yield { type: 'finish', ...(isFinishReason(data.finishReason) ? { finishReason: data.finishReason } : {}) };
        return;
      default:
        break;
    }
  }
  yield* endStep();
  if (awaitingApproval) {
    yield { type: 'finish', finishReason: 'tool-calls' };
    return;
  }
  // Ended without run-end: the writer died (the run reads interrupted) or the run was deleted.
  yield { type: 'error', errorText: 'The run ended without finishing (its process stopped).' };
}

function toolResultChunk(data: Record<string, unknown>): UiChunk {
  const toolCallId = String(data.toolCallId);
  const output = (data.output ?? {}) as { type?: string; value?: unknown };
  if (output.type === 'execution-denied') return { type: 'tool-output-denied', toolCallId };
  if (data.isError === true) {
    const text = typeof output.value === 'string' ? output.value : JSON.stringify(output.value ?? output);
    return { type: 'tool-output-error', toolCallId, errorText: text };
  }
  const value = output.type === 'json' || output.type === 'text' ? output.value : output;
  return { type: 'tool-output-available', toolCallId, output: value };
}

const FINISH_REASONS = new Set(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other']);
function isFinishReason(value: unknown): value is string {
  return typeof value === 'string' && FINISH_REASONS.has(value);
}

/** The UI message stream of a run, as SSE frames, pulled as the client reads. */
export function uiMessageStream(options: {
  follow(signal: AbortSignal): AsyncIterable<RunEvent>;
  messageId: string;
  heartbeatMs?: number;
  onError?(error: unknown): void;
}): ReadableStream<Uint8Array> {
  return pulledStream({
    async *frames(signal) {
      for await (const chunk of uiChunks(options.follow(signal), options.messageId)) yield sseFrame({ data: chunk });
      if (!signal.aborted) yield sseFrame({ rawData: '[DONE]' });
    },
    failure: () => sseFrame({ data: { type: 'error', errorText: 'The stream failed; reconnect to resume.' } }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
}
