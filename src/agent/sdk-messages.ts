/**
 * Stored messages in the shape the installed AI SDK major accepts. One session may hold messages
 * written under AI SDK 6 and under 7, and they differ only in how files are carried:
 *
 * - 7 tags a file part's data (`{ type: 'data' | 'url' | 'reference' | 'text', ... }`), gives tool
 *   results one `file` content variant, and adds `reasoning-file` and `custom` assistant parts;
 *   6 refuses all of these.
 * - 6 wrote `image` parts and tool-result content `media` (7 refuses), `file-data`, `image-data`,
 *   `file-url`, `image-url` and `file-id` (7 converts them, warning on every call).
 *
 * The conversion is done on the way to the model only: the store keeps each message as written,
 * so nothing is lost when the application later moves to the other major. What has no equivalent
 * in 6 (a provider file reference in a user part, reasoning files, provider `custom` parts) is
 * left out of what 6 is sent, as 6 could not send it either.
 */
import type { ModelMessage } from '../types.js';
import type { AiMajor } from './ai-module.js';

type Part = { type: string } & Record<string, unknown>;

export function messagesForSdk(messages: readonly ModelMessage[], major: AiMajor): ModelMessage[] {
  return messages.map((message) => messageForSdk(message, major));
}

function messageForSdk(message: ModelMessage, major: AiMajor): ModelMessage {
  if (typeof message.content === 'string' || !Array.isArray(message.content)) return message;
  const parts = message.content as unknown as Part[];
  const converted = major === 7 ? parts.map(partForSeven) : parts.flatMap(partForSix);
  if (converted.length === parts.length && converted.every((part, index) => part === parts[index])) return message;
  return { ...message, content: converted } as unknown as ModelMessage;
}

// ---- AI SDK 7 ----------------------------------------------------------------------------------

function partForSeven(part: Part): Part {
  if (part.type === 'image') {
    return withOptions({ type: 'file', data: part.image, mediaType: stringOr(part.mediaType, 'image') }, part);
  }
  if (part.type === 'tool-result') return withToolContent(part, toolContentForSeven);
  return part;
}

function toolContentForSeven(item: Part): Part {
  switch (item.type) {
    case 'media':
    case 'file-data':
    case 'image-data':
      return withOptions({ type: 'file', data: { type: 'data', data: item.data }, mediaType: item.mediaType, ...filenameOf(item) }, item);
    case 'image-url':
      return withOptions({ type: 'file', data: { type: 'url', url: new URL(String(item.url)) }, mediaType: 'image' }, item);
    case 'file-url':
      // Without a media type, 7 infers one from the URL's extension: left for it to do.
      if (typeof item.mediaType !== 'string') return item;
      return withOptions({ type: 'file', data: { type: 'url', url: new URL(String(item.url)) }, mediaType: item.mediaType }, item);
    case 'file-id':
    case 'image-file-id':
      // A bare id names no provider; 7 pairs it with the model's provider itself.
      if (typeof item.fileId !== 'object' || item.fileId === null) return item;
      return withOptions({ type: 'file', data: { type: 'reference', reference: item.fileId }, mediaType: item.type === 'file-id' ? 'application' : 'image' }, item);
    default:
      return item;
  }
}

// ---- AI SDK 6 ----------------------------------------------------------------------------------

function partForSix(part: Part): Part[] {
  switch (part.type) {
    case 'reasoning-file':
    case 'custom':
      return [];
    case 'file': {
      const data = untaggedFileData(part.data);
      return data === undefined ? [] : data === part.data ? [part] : [{ ...part, data }];
    }
    case 'tool-result':
      return [withToolContent(part, toolContentForSix)];
    default:
      return [part];
  }
}

/** 6's bare file data (bytes, base64 or a URL) for 7's tagged data; undefined when 6 has none. */
function untaggedFileData(data: unknown): unknown {
  if (!isTagged(data)) return data;
  switch (data.type) {
    case 'data':
      return data.data;
    case 'url':
      return data.url;
    case 'text':
      return Buffer.from(String(data.text), 'utf8').toString('base64');
    default:
      return undefined; // a provider reference: 6 cannot send one in a message part
  }
}

function toolContentForSix(item: Part): Part {
  if (item.type === 'file-reference') return withOptions({ type: 'file-id', fileId: item.providerReference }, item);
  if (item.type !== 'file' || !isTagged(item.data)) return item;
  const { data } = item;
  switch (data.type) {
    case 'data':
      return withOptions({ type: 'file-data', data: base64Of(data.data), mediaType: item.mediaType, ...filenameOf(item) }, item);
    case 'url':
      return withOptions({ type: 'file-url', url: String(data.url), mediaType: item.mediaType }, item);
    case 'reference':
      return withOptions({ type: 'file-id', fileId: data.reference }, item);
    case 'text':
      return withOptions({ type: 'text', text: data.text }, item);
    default:
      return item;
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** A tool result with its `content` output's items converted (the same part when none changed). */
function withToolContent(part: Part, convert: (item: Part) => Part): Part {
  const output = part.output;
  if (!isContentOutput(output)) return part;
  const value = output.value.map(convert);
  return value.every((item, index) => item === output.value[index]) ? part : { ...part, output: { ...output, value } };
}

function isContentOutput(output: unknown): output is { type: 'content'; value: Part[] } {
  return typeof output === 'object' && output !== null && (output as { type?: unknown }).type === 'content' && Array.isArray((output as { value?: unknown }).value);
}

function isTagged(data: unknown): data is { type: string } & Record<string, unknown> {
  if (typeof data !== 'object' || data === null || data instanceof URL || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return false;
  return typeof (data as { type?: unknown }).type === 'string';
}

function base64Of(data: unknown): unknown {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('base64');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  return data;
}

function withOptions(converted: Part, original: Part): Part {
  return original.providerOptions === undefined ? converted : { ...converted, providerOptions: original.providerOptions };
}

function filenameOf(item: Part): { filename?: unknown } {
  return item.filename === undefined ? {} : { filename: item.filename };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
