/**
 * A deterministic language model that replays a script: for offline demos, the CLI without a
 * `--model`, and tests. It implements the AI SDK's `LanguageModelV3`, so it runs through
 * `generateText`, `streamText` and `Runner` exactly as a provider's model does, streaming included.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';

export interface ScriptedToolCall {
  toolName: string;
  input: unknown;
  /** Default: derived from the prompt's length, so ids stay unique along one conversation. */
  toolCallId?: string;
}

/** One model answer. */
export interface ScriptedTurn {
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: `tool-calls` when the turn calls tools, else `stop`. */
  finishReason?: LanguageModelV3FinishReason['unified'];
  /** Default: about one token per four characters of prompt and answer. */
  usage?: { inputTokens?: number; outputTokens?: number; cachedInputTokens?: number };
}

export interface ScriptContext {
  /** The prompt the model received. */
  prompt: LanguageModelV3Prompt;
  /** 0 for the model's first call, 1 for the second, ... */
  callIndex: number;
  /** The text of the prompt's last user message. */
  lastUserText: string | undefined;
  /** The prompt's last message is a tool result: the model is answering after its tools ran. */
  afterToolResults: boolean;
  /** Names of the tools offered to the model. */
  toolNames: string[];
}

/** A fixed turn, or one computed from what the model was sent. */
export type ScriptedReply = ScriptedTurn | ((context: ScriptContext) => ScriptedTurn);

export interface ScriptedModelOptions {
  /** Replayed in order, one per model call. */
  turns?: ScriptedReply[];
  /** The reply once the script has run out (default: a short echo of the last user message). */
  fallback?: ScriptedReply;
  /** Throw instead of using the fallback once the script has run out. */
  strict?: boolean;
  modelId?: string;
  provider?: string;
  /** Pause between streamed chunks, for demos that should look like typing (default 0). */
  chunkDelayMs?: number;
}

/** The default reply: says what it received, so a demo conversation visibly remembers. */
export const echoReply: ScriptedReply = (context) => {
  if (context.afterToolResults) return { text: `The tool answered: ${lastToolOutput(context.prompt)}` };
  if (context.lastUserText === undefined) return { text: 'Hello from the scripted model.' };
  const earlier = context.prompt.filter((message) => message.role === 'user').length - 1;
  return { text: `You said: "${context.lastUserText}" (${earlier} earlier message${earlier === 1 ? '' : 's'} from you in this conversation).` };
};

/**
 * A scripted model.
 *
 * @example
 * const model = new ScriptedLanguageModel({
 *   turns: [
 *     { toolCalls: [{ toolName: 'weather', input: { city: 'Lisbon' } }] },
 *     ({ prompt }) => ({ text: `It is sunny (I was sent ${prompt.length} messages).` }),
 *   ],
 * });
 * const agent = new Agent({ name: 'demo', model, tools: { weather } });
 */
export class ScriptedLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls: Record<string, RegExp[]> = {};
  /** Every call's options, in order: what the model was sent. */
  readonly calls: LanguageModelV3CallOptions[] = [];
  private readonly turns: ScriptedReply[];
  private readonly options: ScriptedModelOptions;

  constructor(options: ScriptedModelOptions = {}) {
    this.options = options;
    this.turns = [...(options.turns ?? [])];
    this.modelId = options.modelId ?? 'scripted';
    this.provider = options.provider ?? 'scripted';
  }

  /** How many scripted turns have not been used yet. */
  get remainingTurns(): number {
    return Math.max(0, this.turns.length - this.calls.length);
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    options.abortSignal?.throwIfAborted();
    const { turn, callIndex } = this.nextTurn(options);
    const content: LanguageModelV3Content[] = [];
    if (turn.reasoning) content.push({ type: 'reasoning', text: turn.reasoning });
    if (turn.text) content.push({ type: 'text', text: turn.text });
    for (const call of toolCallsOf(turn, options.prompt)) content.push(call);
    return {
      content,
      finishReason: finishReasonOf(turn),
      usage: usageOf(turn, options.prompt),
      warnings: [],
      response: { id: `scripted-${callIndex}`, modelId: this.modelId, timestamp: new Date(0) },
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const { turn, callIndex } = this.nextTurn(options);
    const parts: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', id: `scripted-${callIndex}`, modelId: this.modelId, timestamp: new Date(0) },
    ];
    if (turn.reasoning) {
      parts.push({ type: 'reasoning-start', id: 'reasoning-0' });
      for (const chunk of chunksOf(turn.reasoning)) parts.push({ type: 'reasoning-delta', id: 'reasoning-0', delta: chunk });
      parts.push({ type: 'reasoning-end', id: 'reasoning-0' });
    }
    if (turn.text) {
      parts.push({ type: 'text-start', id: 'text-0' });
      for (const chunk of chunksOf(turn.text)) parts.push({ type: 'text-delta', id: 'text-0', delta: chunk });
      parts.push({ type: 'text-end', id: 'text-0' });
    }
    for (const call of toolCallsOf(turn, options.prompt)) {
      parts.push({ type: 'tool-input-start', id: call.toolCallId, toolName: call.toolName });
      parts.push({ type: 'tool-input-delta', id: call.toolCallId, delta: call.input });
      parts.push({ type: 'tool-input-end', id: call.toolCallId });
      parts.push(call);
    }
    parts.push({ type: 'finish', finishReason: finishReasonOf(turn), usage: usageOf(turn, options.prompt) });
    return { stream: streamOf(parts, this.options.chunkDelayMs ?? 0, options.abortSignal) };
  }

  private nextTurn(options: LanguageModelV3CallOptions): { turn: ScriptedTurn; callIndex: number } {
    const callIndex = this.calls.length;
    this.calls.push(options);
    let reply = this.turns[callIndex];
    if (reply === undefined) {
      if (this.options.strict) throw new Error(`The scripted model has no turn left for call ${callIndex + 1} (the script has ${this.turns.length}).`);
      reply = this.options.fallback ?? echoReply;
    }
    const context: ScriptContext = {
      prompt: options.prompt,
      callIndex,
      lastUserText: lastUserText(options.prompt),
      afterToolResults: options.prompt.at(-1)?.role === 'tool',
      toolNames: (options.tools ?? []).map((tool) => tool.name),
    };
    return { turn: typeof reply === 'function' ? reply(context) : reply, callIndex };
  }
}

function lastUserText(prompt: LanguageModelV3Prompt): string | undefined {
  for (let index = prompt.length - 1; index >= 0; index -= 1) {
    const message = prompt[index];
    if (message?.role !== 'user') continue;
    return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
  return undefined;
}

function lastToolOutput(prompt: LanguageModelV3Prompt): string {
  const message = prompt.at(-1);
  if (message?.role !== 'tool') return '';
  return message.content
    .map((part) => {
      if (part.type !== 'tool-result') return '';
      const { output } = part;
      if (output.type === 'text' || output.type === 'error-text') return output.value;
      if (output.type === 'json' || output.type === 'error-json') return JSON.stringify(output.value);
      return output.type;
    })
    .join('; ');
}

function toolCallsOf(turn: ScriptedTurn, prompt: LanguageModelV3Prompt) {
  return (turn.toolCalls ?? []).map((call, index) => ({
    type: 'tool-call' as const,
    toolCallId: call.toolCallId ?? `call_${prompt.length}_${index}`,
    toolName: call.toolName,
    input: JSON.stringify(call.input ?? {}),
  }));
}

function finishReasonOf(turn: ScriptedTurn): LanguageModelV3FinishReason {
  const unified = turn.finishReason ?? ((turn.toolCalls?.length ?? 0) > 0 ? 'tool-calls' : 'stop');
  return { unified, raw: unified };
}

function usageOf(turn: ScriptedTurn, prompt: LanguageModelV3Prompt): LanguageModelV3Usage {
  const inputTokens = turn.usage?.inputTokens ?? estimateTokens(JSON.stringify(prompt));
  const outputTokens = turn.usage?.outputTokens ?? estimateTokens((turn.reasoning ?? '') + (turn.text ?? '') + JSON.stringify(turn.toolCalls ?? []));
  const cached = turn.usage?.cachedInputTokens;
  return {
    inputTokens: { total: inputTokens, noCache: cached === undefined ? inputTokens : inputTokens - cached, cacheRead: cached, cacheWrite: undefined },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined },
  };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Word by word (each chunk keeps its trailing space), as providers stream. */
function chunksOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function streamOf(parts: LanguageModelV3StreamPart[], chunkDelayMs: number, signal: AbortSignal | undefined): ReadableStream<LanguageModelV3StreamPart> {
  let index = 0;
  return new ReadableStream({
    async pull(controller) {
      const part = parts[index];
      index += 1;
      if (part !== undefined && chunkDelayMs > 0 && (part.type === 'text-delta' || part.type === 'reasoning-delta')) await delay(chunkDelayMs, signal);
      // Checked after the pause too: an abort during it must not let one more chunk through.
      if (signal?.aborted) controller.error(signal.reason);
      else if (part === undefined) controller.close();
      else controller.enqueue(part);
    },
  });
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
