/**
 * What the CLI prints. Every command prints either a view for people (aligned columns, relative
 * times, short previews) or, with `--json`, exactly one JSON document on stdout and nothing else,
 * so a script can pipe it to `jq` without filtering out chatter.
 */
import type { Command } from 'commander';
import type { Session, StoredMessage } from '../types.js';

const DEFAULT_PREVIEW_LENGTH = 60;

/**
 * A content part as read back, typed loosely on purpose: stored messages may hold part types newer
 * than this CLI (or the AI SDK types it was built with), and a preview must never throw on them.
 */
interface LooseContentPart {
  type?: unknown;
  text?: unknown;
  toolName?: unknown;
  mediaType?: unknown;
}
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Whether `--json` was given, before or after the subcommand. */
export function wantsJson(command: Command): boolean {
  return command.optsWithGlobals<{ json?: boolean }>().json === true;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(...lines: string[]): void {
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

/** Rows under a header, each column as wide as its widest cell; the last column is not padded, so lines carry no trailing spaces. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const formatRow = (row: string[]): string =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [formatRow(header), ...rows.map(formatRow)];
}

/** `label: value` lines with the values aligned; undefined values are left out rather than printed as blanks. */
export function formatFields(fields: Array<[label: string, value: string | undefined]>): string[] {
  const present = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length + 1));
  return present.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`);
}

/** "just now", "5m ago", "in 2h", "40d ago"; past a year the date reads better than a count of days. */
export function relativeTime(at: number, now: number = Date.now()): string {
  const distance = Math.abs(now - at);
  if (distance < 5 * SECOND) return 'just now';
  if (distance >= YEAR) return new Date(at).toISOString().slice(0, 10);
  const amount =
    distance < MINUTE
      ? `${Math.floor(distance / SECOND)}s`
      : distance < HOUR
        ? `${Math.floor(distance / MINUTE)}m`
        : distance < DAY
          ? `${Math.floor(distance / HOUR)}h`
          : `${Math.floor(distance / DAY)}d`;
  return at <= now ? `${amount} ago` : `in ${amount}`;
}

/** The absolute time, plus the relative one while it says something the date does not. */
export function describeTime(at: number, now: number = Date.now()): string {
  const absolute = new Date(at).toISOString();
  return Math.abs(now - at) >= YEAR ? absolute : `${absolute} (${relativeTime(at, now)})`;
}

/** One line saying what a message holds: its text, and a bracketed tag for each non-text part. */
export function previewMessage(message: StoredMessage, maxLength: number = DEFAULT_PREVIEW_LENGTH): string {
  const content: unknown = message.content;
  const pieces = typeof content === 'string' ? [content] : Array.isArray(content) ? content.map((part: LooseContentPart | null) => previewPart(part)) : [];
  return truncate(pieces.filter((piece) => piece.length > 0).join(' ').replace(/\s+/g, ' ').trim(), maxLength);
}

function previewPart(part: LooseContentPart | null): string {
  switch (part?.type) {
    case 'text':
      return typeof part.text === 'string' ? part.text : '';
    case 'tool-call':
      return `[tool-call ${String(part.toolName)}]`;
    case 'tool-result':
      return `[tool-result ${String(part.toolName)}]`;
    case 'image':
      return '[image]';
    case 'file':
      return `[file ${String(part.mediaType)}]`;
    default:
      // Parts this CLI does not know yet still show up, so a message never previews as empty.
      return `[${String(part?.type ?? 'part')}]`;
  }
}

export function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 1))}…`;
}

/** "1 message", "3 messages"; `pluralNoun` for the irregular ones ("1 entry", "2 entries"). */
export function plural(count: number, noun: string, pluralNoun: string = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

/** A session's fields, one per line; fields it does not have (no user, no tags) are left out. */
export function sessionFields(session: Session): string[] {
  const now = Date.now();
  const usage = session.usage;
  return formatFields([
    ['id', session.id],
    ['title', session.title],
    ['state', session.state],
    ['user', session.userId],
    ['agent', session.agentId],
    ['workspace', session.workspaceId],
    ['tags', session.tags.length > 0 ? session.tags.join(', ') : undefined],
    ['metadata', Object.keys(session.metadata).length > 0 ? JSON.stringify(session.metadata) : undefined],
    ['surfaces', session.attachedSurfaces.length > 0 ? session.attachedSurfaces.join(', ') : undefined],
    ['forked from', session.forkedFrom ? `${session.forkedFrom.sessionId} at ${session.forkedFrom.messageId}` : undefined],
    ['messages', String(session.messageCount)],
    ['usage', usage.totalTokens > 0 ? `${usage.inputTokens} in, ${usage.outputTokens} out, ${usage.totalTokens} total tokens` : undefined],
    ['version', String(session.version)],
    ['created', describeTime(session.createdAt, now)],
    ['updated', describeTime(session.updatedAt, now)],
    ['last active', describeTime(session.lastActiveAt, now)],
    ['expires', session.expiresAt === undefined ? undefined : describeTime(session.expiresAt, now)],
  ]);
}
