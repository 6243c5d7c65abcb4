/**
 * The demo's agent: a travel assistant on the scripted model, with one tool, so the demo runs
 * through `Runner` exactly as an application with a real model does (steps stored as they
 * complete, a tool call and its result, a run recorded with its events), yet stays offline and
 * prints the same conversation every time.
 */
import type { Tool } from 'ai';
import { z } from 'zod';
import { Agent } from '../../agent/agent.js';
import { ScriptedLanguageModel, type ScriptContext, type ScriptedTurn } from '../../agent/scripted-model.js';

/** The demo's questions, in the order it asks them. */
export const QUESTIONS = {
  weather: 'What is the weather in Lisbon today?',
  packing: 'What should I pack for a day of walking there?',
  tomorrow: 'And tomorrow?',
  porto: 'Actually, what about Porto instead?',
} as const;

/** The model's answer to each question; the weather question is answered with a tool call first. */
const ANSWERS: Record<string, ScriptedTurn> = {
  [QUESTIONS.weather]: {
    text: 'Let me check.',
    toolCalls: [{ toolName: 'get_weather', input: { city: 'Lisbon' }, toolCallId: 'call_weather_1' }],
  },
  [QUESTIONS.packing]: { text: 'Sunscreen, water, comfortable shoes and a light jacket for the evening breeze.' },
  [QUESTIONS.tomorrow]: { text: 'Tomorrow: 19°C with light rain in the afternoon; take an umbrella.' },
  [QUESTIONS.porto]: { text: 'Porto is cooler: 18°C and cloudy, windy by the sea.' },
};

/** Today's weather as the tool knows it: fixed, so the demo never depends on the network. */
const WEATHER: Record<string, { temperatureC: number; conditions: string }> = {
  Lisbon: { temperatureC: 22, conditions: 'sunny' },
  Porto: { temperatureC: 18, conditions: 'cloudy' },
};

const weatherInput = z.object({ city: z.string() });

/** An AI SDK tool (the object `tool()` would return; built directly so the CLI does not load `ai` to start). */
const getWeather: Tool<z.infer<typeof weatherInput>, { city: string; temperatureC: number; conditions: string }> = {
  description: "Today's weather in a city.",
  inputSchema: weatherInput,
  execute: async ({ city }) => {
    const weather = WEATHER[city];
    if (!weather) throw new Error(`no weather for ${city}`);
    return { city, ...weather };
  },
};

/** The scripted model's turn: the scripted answer to the question, or a sentence made from the tool's result. */
function answer(context: ScriptContext): ScriptedTurn {
  if (context.afterToolResults) return { text: describeWeather(context) };
  const scripted = context.lastUserText === undefined ? undefined : ANSWERS[context.lastUserText];
  // Only reached if the demo asks something its script does not know: say so rather than make something up.
  return scripted ?? { text: `(the demo script has no answer for "${context.lastUserText ?? ''}")` };
}

function describeWeather(context: ScriptContext): string {
  const result = context.prompt.at(-1);
  const part = result?.role === 'tool' ? result.content.find((content) => content.type === 'tool-result') : undefined;
  const output = part?.type === 'tool-result' && part.output.type === 'json' ? (part.output.value as { city?: string; temperatureC?: number; conditions?: string }) : {};
  return `It is ${output.temperatureC}°C and ${output.conditions} in ${output.city} today.`;
}

export function createTravelAgent(): Agent {
  return new Agent({
    name: 'travel assistant',
    id: 'travel-assistant',
    // Instructions, not a stored system message: they go with every model call and may change between runs.
    instructions: 'You are a concise travel assistant.',
    model: new ScriptedLanguageModel({ fallback: answer, modelId: 'scripted' }),
    tools: { get_weather: getWeather },
  });
}
