/**
 * Reads of a segment file that do not index it: its record (line 1), and whether the message line
 * a message-index entry points at is still there. A process that has not seen a segment before
 * would otherwise read and index the whole file (10,000 messages: ~2 MB, ~20 ms) to answer
 * `getSegment` or `locateMessage`, which is what made a fork from the middle of a long session
 * grow with its length in a fresh process. Both read a few hundred bytes, whatever the depth.
 */
import type { SegmentRecord } from '../../driver/driver.js';
import { readIfPresent, readSyncAt } from './durable-write.js';
import { MESSAGE_PREFIX, PREFIX_BYTES, parseHeader } from './segment-log.js';

const HEADER_CHUNK_BYTES = 4096;
const NEWLINE = 0x0a;

/**
 * The segment record of `path`, or undefined when the file is missing or its first line is not
 * complete yet (a create in progress, as the indexing reader treats it). A damaged record throws
 * naming the file, as the indexing reader does.
 */
export function peekSegmentHeader(path: string, segmentId: string): SegmentRecord | undefined {
  return readIfPresent(path, (descriptor) => {
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const chunk = Buffer.alloc(HEADER_CHUNK_BYTES);
      const bytesRead = readSyncAt(descriptor, chunk, 0, chunk.length, position);
      if (bytesRead === 0) return undefined;
      const newline = chunk.subarray(0, bytesRead).indexOf(NEWLINE);
      if (newline !== -1) {
        chunks.push(chunk.subarray(0, newline));
        return parseHeader(Buffer.concat(chunks).toString('utf8'), path, segmentId);
      }
      chunks.push(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
  });
}

/**
 * True when a message line for (`seq`, `id`) starts at byte `offset` of `path`: a line start (the
 * byte before is a newline: line 1 is the segment record, so no message starts at 0) whose prefix
 * names exactly that seq and id. False tells the caller only that this shortcut cannot answer.
 */
export function messageLineAt(path: string, offset: number, seq: number, id: string): boolean {
  if (!Number.isSafeInteger(offset) || offset < 1) return false;
  return (
    readIfPresent(path, (descriptor) => {
      const buffer = Buffer.alloc(PREFIX_BYTES + 1);
      const bytesRead = readSyncAt(descriptor, buffer, 0, buffer.length, offset - 1);
      if (bytesRead < 2 || buffer[0] !== NEWLINE) return false;
      const prefix = MESSAGE_PREFIX.exec(buffer.subarray(1, bytesRead).toString('latin1'));
      return prefix !== null && Number(prefix[1]) === seq && prefix[2] === id;
    }) ?? false
  );
}
