/**
 * Checks in a fresh process that importing sessionloom, opening stores and chats, does not load
 * the AI SDK, and that running an agent does. A resolve hook appends every `ai` / `@ai-sdk/*`
 * specifier to a log file synchronously, so the log is complete when each `await` returns.
 * Prints `result {json}` with the specifiers loaded at each point.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';

const log = process.argv[2];
if (!log) {
  console.error('usage: agent-import-check LOG_FILE');
  process.exit(2);
}
writeFileSync(log, '');
const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === 'ai' || specifier.startsWith('ai/') || specifier.startsWith('@ai-sdk/')) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
const loaded = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);

const report: Record<string, string[]> = {};
const { Agent, Runner, ScriptedLanguageModel, SessionStore } = await import('../../src/index.js');
report.afterImport = loaded();
const store = SessionStore.memory();
const agent = new Agent({ name: 'lazy', model: new ScriptedLanguageModel() });
const chat = await store.chat(agent);
await store.transcript(chat.id);
report.afterChatOpened = loaded();
await Runner.run(agent, { input: 'hello', session: { store, resume: chat.id } });
report.afterRun = loaded();
console.log(`result ${JSON.stringify(report)}`);
