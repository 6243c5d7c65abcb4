/**
 * The manifest: the JSON a checkpoint stores (`CheckpointRecord.manifest`). Version 1:
 *
 * ```json
 * {
 *   "format": 1,
 *   "base": "msg_01J...",                 // absent: a full manifest; else a delta against that checkpoint
 *   "depth": 3,                            // deltas since the last full manifest in the chain
 *   "rules": { "ignore": ["*.log"], "maxFileBytes": 10485760 },
 *   "files": {
 *     "src/app.ts":   { "hash": "<sha-256 hex>", "size": 1234, "mode": 420, "mtimeMs": 1718000000000 },
 *     "bin/tool":     { "link": "../scripts/tool.sh" },
 *     "data/big.bin": { "skipped": "too-large", "size": 52428800 },
 *     "notes.txt":    "absent"
 *   },
 *   "directories": { "src": "present", "build": "absent" },
 *   "after": { "at": 1718000000500, "files": { ... }, "directories": { ... } },
 *   "workspace": { "path": "/home/me/repo", "device": "2049", "inode": "1835009" }
 * }
 * ```
 *
 * `files` and `directories` are the change from the base's state (for a full manifest: every
 * path). `"absent"` means the path did not exist (it existed in the base). `after`, written when the
 * turn ends, is what the turn changed relative to this checkpoint: a rewind compares the workspace
 * with it to tell the agent's edits from someone else's. `mode` is the permission bits as a number
 * (420 is 0o644). `workspace` (absent in checkpoints older than it) is the directory the checkpoint
 * was taken of, as its real path and its device and inode numbers (decimal strings: they can exceed
 * 2^53): a rewind that names no workspace restores that one, and only while the path still leads to
 * that same directory (see checkpoint-workspace.ts). The blobs a manifest needs are the hashes of its own file entries; those of the
 * unchanged files are in its base chain, which retention keeps (a base is always an earlier
 * message on the same path, and a path's prefix is never collected while the path is reachable).
 *
 * A manifest read back is untrusted input: every path is checked (`..`, absolute paths, NUL and
 * backslashes are refused with `InvalidArgumentError`), every hash and number validated.
 */
import { HASH_PATTERN, type FileEntry, type SkipReason } from './file-entry.js';
import { assertRelativePath } from './workspace-path.js';
import { emptyDelta, type StateDelta } from './workspace-state.js';

export const MANIFEST_FORMAT = 1;

export interface CheckpointRules {
  /** Extra gitignore patterns (besides `.git`, `node_modules` and the root `.gitignore`). */
  ignore: string[];
  maxFileBytes: number;
}

export interface CheckpointManifest {
  base?: string;
  depth: number;
  rules: CheckpointRules;
  delta: StateDelta;
  after?: { at: number; delta: StateDelta };
  /** The directory the checkpoint was taken of (untrusted when read back: see checkpoint-workspace.ts). */
  workspace?: WorkspaceIdentity;
}

/** A directory as a checkpoint records it: its real path, and the device and inode that tell it from another at that path. */
export interface WorkspaceIdentity {
  path: string;
  device: string;
  inode: string;
}

type EncodedEntry =
  | { hash: string; size: number; mode: number; mtimeMs?: number }
  | { link: string }
  | { skipped: SkipReason; size: number }
  | 'absent';

const SKIP_REASONS: ReadonlySet<string> = new Set<SkipReason>(['too-large', 'unreadable', 'not-a-file']);

export function encodeManifest(manifest: CheckpointManifest): string {
  return JSON.stringify({
    format: MANIFEST_FORMAT,
    ...(manifest.base === undefined ? {} : { base: manifest.base }),
    depth: manifest.depth,
    rules: manifest.rules,
    ...encodeDelta(manifest.delta),
    ...(manifest.after === undefined ? {} : { after: { at: manifest.after.at, ...encodeDelta(manifest.after.delta) } }),
    ...(manifest.workspace === undefined ? {} : { workspace: manifest.workspace }),
  });
}

function encodeDelta(delta: StateDelta): { files: Record<string, EncodedEntry>; directories: Record<string, 'present' | 'absent'> } {
  const files: Record<string, EncodedEntry> = {};
  // Sorted, so the same state always encodes to the same text.
  for (const path of [...delta.files.keys()].sort()) files[path] = encodeEntry(delta.files.get(path)!);
  const directories: Record<string, 'present' | 'absent'> = {};
  for (const path of [...delta.directories.keys()].sort()) directories[path] = delta.directories.get(path)!;
  return { files, directories };
}

function encodeEntry(entry: FileEntry | 'absent'): EncodedEntry {
  if (entry === 'absent') return 'absent';
  if (entry.kind === 'file') return { hash: entry.hash, size: entry.size, mode: entry.mode, ...(entry.mtimeMs === undefined ? {} : { mtimeMs: entry.mtimeMs }) };
  if (entry.kind === 'link') return { link: entry.target };
  return { skipped: entry.reason, size: entry.size };
}

/** Parses and checks a stored manifest. `messageId` only names it in errors. */
export function decodeManifest(text: string, messageId: string): CheckpointManifest {
  const damaged = (detail: string) => new Error(`sessionloom: the file checkpoint of message "${messageId}" is damaged (${detail}).`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damaged(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw damaged('not an object');
  if (parsed.format !== MANIFEST_FORMAT) {
    throw damaged(`format ${JSON.stringify(parsed.format)}; this version of sessionloom reads format ${MANIFEST_FORMAT}`);
  }
  const { base, depth, rules } = parsed;
  if (base !== undefined && typeof base !== 'string') throw damaged('base is not a message id');
  if (!isCount(depth)) throw damaged('depth is not a count');
  if (!isObject(rules) || !Array.isArray(rules.ignore) || !rules.ignore.every((pattern) => typeof pattern === 'string') || !isCount(rules.maxFileBytes)) {
    throw damaged('rules are malformed');
  }
  const manifest: CheckpointManifest = {
    depth,
    rules: { ignore: rules.ignore as string[], maxFileBytes: rules.maxFileBytes },
    delta: decodeDelta(parsed, damaged),
    ...(base === undefined ? {} : { base }),
  };
  if (parsed.after !== undefined) {
    if (!isObject(parsed.after) || !isCount(parsed.after.at)) throw damaged('after is malformed');
    manifest.after = { at: parsed.after.at, delta: decodeDelta(parsed.after, damaged) };
  }
  if (parsed.workspace !== undefined) manifest.workspace = decodeWorkspace(parsed.workspace, damaged);
  return manifest;
}

function decodeDelta(source: Record<string, unknown>, damaged: (detail: string) => Error): StateDelta {
  const delta = emptyDelta();
  if (!isObject(source.files) || !isObject(source.directories)) throw damaged('files or directories missing');
  for (const [path, value] of Object.entries(source.files)) {
    assertRelativePath(path, 'checkpoint manifest path');
    delta.files.set(path, decodeEntry(value, path, damaged));
  }
  for (const [path, value] of Object.entries(source.directories)) {
    assertRelativePath(path, 'checkpoint manifest directory');
    if (value !== 'present' && value !== 'absent') throw damaged(`directory "${path}" is neither present nor absent`);
    delta.directories.set(path, value);
  }
  return delta;
}

/** Shape only: whether the path may be used is decided where it is used (checkpoint-workspace.ts). */
function decodeWorkspace(value: unknown, damaged: (detail: string) => Error): WorkspaceIdentity {
  const decimal = /^[0-9]{1,20}$/;
  if (
    !isObject(value) ||
    typeof value.path !== 'string' ||
    value.path.length === 0 ||
    value.path.length > 4096 ||
    typeof value.device !== 'string' ||
    !decimal.test(value.device) ||
    typeof value.inode !== 'string' ||
    !decimal.test(value.inode)
  ) {
    throw damaged('workspace is malformed');
  }
  return { path: value.path, device: value.device, inode: value.inode };
}

function decodeEntry(value: unknown, path: string, damaged: (detail: string) => Error): FileEntry | 'absent' {
  if (value === 'absent') return 'absent';
  if (isObject(value)) {
    if (typeof value.hash === 'string' && HASH_PATTERN.test(value.hash) && isCount(value.size) && isCount(value.mode) && value.mode <= 0o777) {
      if (value.mtimeMs !== undefined && typeof value.mtimeMs !== 'number') throw damaged(`entry "${path}" has a bad mtimeMs`);
      return { kind: 'file', hash: value.hash, size: value.size, mode: value.mode, ...(value.mtimeMs === undefined ? {} : { mtimeMs: value.mtimeMs }) };
    }
    if (typeof value.link === 'string' && value.link.length > 0 && !value.link.includes('\0')) return { kind: 'link', target: value.link };
    if (typeof value.skipped === 'string' && SKIP_REASONS.has(value.skipped) && isCount(value.size)) {
      return { kind: 'skipped', reason: value.skipped as SkipReason, size: value.size };
    }
  }
  throw damaged(`entry "${path}" is malformed`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
