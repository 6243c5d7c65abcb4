/**
 * A writer process for the process-level tests: opens the store at URL, says "ready", waits for
 * "go" on stdin (so every writer starts at once), then appends `count` messages to one session,
 * printing "ack <content> <messageId>" after each append returns. With count 0 it appends forever.
 */
import { createInterface } from 'node:readline';
import { SessionStore } from '../../src/index.js';

const [url, sessionId, writer, countText] = process.argv.slice(2);
if (!url || !sessionId || !writer || !countText) {
  console.error('usage: append-writer STORE_URL SESSION_ID WRITER COUNT');
  process.exit(2);
}
const count = Number(countText);
const store = await SessionStore.open(url);
await store.get(sessionId); // connects before "ready", so startup is not part of the race
console.log('ready');

const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;

for (let index = 0; count === 0 || index < count; index += 1) {
  const content = `${writer}:${index}`;
  const [message] = await store.append(sessionId, { role: 'user', content });
  console.log(`ack ${content} ${message?.id}`);
}
await store.close();
process.exit(0);
