// Run with `node --import tsx`: prints which phase first resolved the tokenizer, as a JSON line.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const resolved: string[] = [];
port1.on('message', (specifier: string) => resolved.push(specifier));
port1.unref();
register(
  `data:text/javascript,${encodeURIComponent(`
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      if (specifier.startsWith('gpt-tokenizer')) port.postMessage(specifier);
      return next(specifier, context);
    }
  `)}`,
  { data: { port: port2 }, transferList: [port2] },
);

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const { SessionStore } = await import('../../src/index.js');
const store = SessionStore.memory();
const session = await store.create({ messages: [{ role: 'user', content: 'hello' }] });
await store.transcript(session.id, { last: 5 });
await settle();
const afterImport = resolved.length;
await store.transcript(session.id, { maxTokens: 1000 });
await settle();
console.log(JSON.stringify({ afterImport, afterTokenWindow: resolved.length }));
await store.close();
