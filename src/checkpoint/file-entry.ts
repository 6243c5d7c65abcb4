/**
 * What a checkpoint knows about one path: a regular file (its content hash, size and permission
 * bits), a symlink (its target text, never followed), or a file it had to skip (too large,
 * unreadable, not a regular file), whose content it does not have and so never touches.
 */
import { createHash } from 'node:crypto';

export type SkipReason = 'too-large' | 'unreadable' | 'not-a-file';

export type FileEntry =
  | {
      kind: 'file';
      /** SHA-256 of the content, lowercase hex: the blob's address. */
      hash: string;
      size: number;
      /** Permission bits (`mode & 0o777`). Set-id and sticky bits are not kept: a shared store must not hand them out. */
      mode: number;
      /** Kept only when old enough to trust (see scan-index.ts), so a later process can skip hashing the file. */
      mtimeMs?: number;
    }
  | { kind: 'link'; target: string }
  | { kind: 'skipped'; reason: SkipReason; size: number };

export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Files larger than this are skipped (with a warning) unless a checkpoint says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Same content, as a restore sees it: for files the bytes and permission bits (not the time), for
 * links the target. Two skipped entries count as equal, since a restore leaves skipped files alone.
 */
export function sameContent(left: FileEntry | undefined, right: FileEntry | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  if (left.kind === 'file') return right.kind === 'file' && left.hash === right.hash && left.mode === right.mode;
  if (left.kind === 'link') return right.kind === 'link' && left.target === right.target;
  return right.kind === 'skipped';
}

/** A short human description of a size: "12.3 MiB". */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
