/**
 * Before appending to a JSONL file, the writer (holding the lock, so no write of ours is in
 * progress) makes sure the file ends at a line boundary. A last line without its newline was cut
 * short by a crash mid-write outside any journaled commit (or by damage): it is removed, with a
 * warning, so the next line does not get glued to it and the next append at that position wins.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import type { DurableWriter } from './durable-write.js';
import { isMissing, openFlags, readSyncAt } from './durable-write.js';

const NEWLINE = 0x0a;
const SCAN_BYTES = 64 * 1024;

/** The file's length after removing an incomplete last line; `existed` is false for a missing file. */
export async function cleanTail(
  path: string,
  writer: DurableWriter,
  warn: (message: string) => void,
): Promise<{ length: number; existed: boolean }> {
  let descriptor: number;
  try {
    descriptor = openSync(path, openFlags.read);
  } catch (error) {
    if (isMissing(error)) return { length: 0, existed: false };
    throw error;
  }
  let cut: number;
  let size: number;
  try {
    size = fstatSync(descriptor).size;
    cut = endOfLastLine(descriptor, size);
  } finally {
    closeSync(descriptor);
  }
  if (cut < size) {
    await writer.truncate(path, cut);
    warn(`FileDriver: ${path} ended with an incomplete line (a write cut short by a crash); removed its ${size - cut} bytes.`);
  }
  return { length: cut, existed: true };
}

/** The offset just after the last newline (0 when there is none). */
function endOfLastLine(descriptor: number, size: number): number {
  if (size === 0) return 0;
  // The common case, a clean file, costs one byte.
  const last = Buffer.alloc(1);
  readSyncAt(descriptor, last, 0, 1, size - 1);
  if (last[0] === NEWLINE) return size;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - SCAN_BYTES);
    const buffer = Buffer.alloc(end - start);
    readSyncAt(descriptor, buffer, 0, buffer.length, start);
    const newline = buffer.lastIndexOf(NEWLINE);
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}
