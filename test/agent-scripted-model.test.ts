/**
 * The scripted model (offline demos, the CLI without --model) through the AI SDK and the Runner,
 * and `resolveModel`'s specs and errors.
 */
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, InvalidArgumentError, resolveModel, Runner, ScriptedLanguageModel, SessionStore, type ScriptContext } from '../src/index.js';

const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });

describe('ScriptedLanguageModel', () => {
  it('replays its turns through generateText, tools included, then echoes', async () => {
    const model = new ScriptedLanguageModel({ turns: [{ text: 'Checking.', toolCalls: [{ toolName: 'weather', input: { city: 'Oslo' } }] }] });
    const result = await generateText({ model, tools: { weather }, stopWhen: stepCountIs(3), prompt: 'Weather in Oslo?' });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['weather', { city: 'Oslo' }]]);
    expect(result.steps[0]?.toolResults.map((toolResult) => toolResult.output)).toEqual(['Sunny in Oslo']);
    // After the script: the default reply, which reports the tool's answer it was sent.
    expect(result.text).toBe('The tool answered: Sunny in Oslo');
    expect(model.calls).toHaveLength(2);
    expect(model.remainingTurns).toBe(0);
  });

  it('streams text in several deltas that add up to the turn, and tool calls', async () => {
    const turn = { text: 'A calm and sunny day is expected in Oslo.', toolCalls: [{ toolName: 'weather', input: { city: 'Oslo' } }] };
    const model = new ScriptedLanguageModel({ turns: [turn, { text: 'Done.' }] });
    const result = streamText({ model, tools: { weather }, prompt: 'Weather?' });
    const deltas: string[] = [];
    const calls: unknown[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') deltas.push(part.text);
      if (part.type === 'tool-call') calls.push(part.input);
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(turn.text);
    expect(calls).toEqual([{ city: 'Oslo' }]);
  });

  it('computes turns from what it was sent', async () => {
    const contexts: ScriptContext[] = [];
    const model = new ScriptedLanguageModel({
      fallback: (context) => {
        contexts.push(context);
        return { text: `call ${context.callIndex}: ${context.lastUserText}` };
      },
    });
    const agent = new Agent({ name: 'scripted', model, tools: { weather } });
    const store = SessionStore.memory();
    const first = await Runner.run(agent, { input: 'first', session: { store } });
    const second = await Runner.run(agent, { input: 'second', session: { store, resume: first.sessionId } });
    expect([first.output, second.output]).toEqual(['call 0: first', 'call 1: second']);
    expect(contexts.map((context) => [context.afterToolResults, context.toolNames])).toEqual([
      [false, ['weather']],
      [false, ['weather']],
    ]);
    expect(contexts[1]?.prompt.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('is deterministic: the same conversation gives the same answers and usage', async () => {
    const runOnce = async () => {
      const store = SessionStore.memory();
      const agent = new Agent({ name: 'scripted', model: await resolveModel('scripted') });
      const first = await Runner.run(agent, { input: 'Hello', session: { store } });
      const stream = Runner.stream(agent, { input: 'Again', session: { store, resume: first.sessionId } });
      const second = await stream.result;
      return [first.output, first.usage, second.output, second.usage];
    };
    const [one, two] = [await runOnce(), await runOnce()];
    expect(one).toEqual(two);
    expect(one[2]).toContain('Again');
  });

  it('in strict mode, fails the run once the script has run out', async () => {
    const store = SessionStore.memory();
    const agent = new Agent({ name: 'strict', model: new ScriptedLanguageModel({ turns: [{ text: 'only turn' }], strict: true }) });
    const first = await Runner.run(agent, { input: 'one', session: { store } });
    await expect(Runner.run(agent, { input: 'two', session: { store, resume: first.sessionId } })).rejects.toThrow(/no turn left/);
    expect((await store.runs(first.sessionId)).map((run) => run.status)).toEqual(['completed', 'failed']);
  });

  it('stops streaming when the call is aborted', async () => {
    const model = new ScriptedLanguageModel({ turns: [{ text: 'one two three four five six seven' }], chunkDelayMs: 1 });
    const controller = new AbortController();
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], abortSignal: controller.signal });
    const reader = stream.getReader();
    const seen: string[] = [];
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        seen.push(value.type);
        if (value.type === 'text-delta') controller.abort(new Error('stop it'));
      }
    })();
    await expect(reading).rejects.toThrow('stop it');
    expect(seen.filter((type) => type === 'text-delta')).toHaveLength(1);
    expect(seen).not.toContain('finish');
  });
});

describe('resolveModel', () => {
  it('resolves the scripted model without any provider package', async () => {
    const model = await resolveModel('scripted', { importModule: () => Promise.reject(new Error('must not import')) });
    expect(model).toBeInstanceOf(ScriptedLanguageModel);
    expect(model.modelId).toBe('scripted');
  });

  it('builds OpenAI and Anthropic models from the environment, without calling them', async () => {
    const responses = await resolveModel('openai:gpt-4o-mini', { env: { OPENAI_API_KEY: 'sk-test' } });
    expect([responses.provider, responses.modelId]).toEqual(['openai.responses', 'gpt-4o-mini']);
    const compatible = await resolveModel('openai:local-model', { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect([compatible.provider, compatible.modelId]).toEqual(['openai.chat', 'local-model']);
    const chat = await resolveModel('openai-chat:gpt-4o', { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(chat.provider).toBe('openai.chat');
    const claude = await resolveModel('anthropic:claude-sonnet-4-5', { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
    expect([claude.provider, claude.modelId]).toEqual(['anthropic.messages', 'claude-sonnet-4-5']);
  });

  it('explains what is missing: a key, a model name, a package, or a known provider', async () => {
    await expect(resolveModel('openai:gpt-4o', { env: {} })).rejects.toThrow(/OPENAI_API_KEY/);
    await expect(resolveModel('anthropic:claude', { env: {} })).rejects.toThrow(/ANTHROPIC_API_KEY/);
    await expect(resolveModel('openai:', { env: { OPENAI_API_KEY: 'k' } })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(resolveModel('mistral:large', { env: {} })).rejects.toThrow(/unknown model "mistral:large"/);
    const notInstalled = Object.assign(new Error("Cannot find package '@ai-sdk/anthropic'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const missing = resolveModel('anthropic:claude', { env: { ANTHROPIC_API_KEY: 'k' }, importModule: () => Promise.reject(notInstalled) });
    await expect(missing).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(missing).rejects.toThrow(/npm install @ai-sdk\/anthropic/);
  });
});
