// Run with test/process/block-native.mjs preloaded: the whole memory-store workflow, then proof
// that no native client was loaded, then what asking for SQLite says. Prints one JSON line.
import { createRequire } from 'node:module';
import { Agent, ConfigurationError, Runner, ScriptedLanguageModel, SessionStore, echoReply } from '../../src/index.js';

const store = SessionStore.memory();
const session = await store.create({ userId: 'user-1' });
const [question] = await store.append(session.id, { role: 'user', content: 'hello' });
await store.append(session.id, { role: 'assistant', content: 'hi' });
const fork = await store.fork(session.id, { fromMessage: question!.id });
await store.rewind(session.id, { toMessage: question!.id });
const lines: string[] = [];
for await (const line of store.export()) lines.push(line);
const copy = SessionStore.memory();
const imported = await copy.import(lines);
const agent = new Agent({ name: 'echo', model: new ScriptedLanguageModel({ fallback: echoReply }) });
const run = await Runner.run(agent, { input: 'ping', session: { store } });
const fallback = SessionStore.fallback(SessionStore.memory(), { fallback: 'memory' });
await fallback.create({ id: 'through-fallback' });

const require = createRequire(import.meta.url);
const loadedNative = Object.keys(require.cache).filter((path) => /node_modules\/(better-sqlite3|pg|ioredis)\//.test(path));

let sqliteError: { name: string; code?: string; message: string } | undefined;
try {
  await SessionStore.open('sqlite::memory:');
} catch (error) {
  sqliteError = { name: (error as Error).name, code: (error as ConfigurationError).code, message: (error as Error).message };
}

console.log(
  JSON.stringify({
    path: (await store.getMessages(session.id)).map((message) => message.content),
    forkPath: (await store.getMessages(fork.id)).length,
    imported: imported.sessions.imported,
    runOutput: run.output,
    fallbackCreated: (await fallback.get('through-fallback'))?.id,
    loadedNative,
    sqliteError,
  }),
);
