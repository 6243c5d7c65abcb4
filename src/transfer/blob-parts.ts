/**
 * Blobs too large for one line of an export. An import reads a line whole, and refuses one longer
 * than MAX_LINE_BYTES (64 MiB: the guard against a stream whose line ends are missing), while a file
 * checkpoint keeps files up to its `maxFileBytes`, which a caller may raise past that (and a base64
 * string of a few hundred MiB is past what V8 can build at all). So a blob larger than
 * BLOB_PART_BYTES goes out as consecutive `blob-part` records, each a slice of its bytes, and the
 * import puts it back together, checks its hash, and stores it as one blob. Smaller blobs stay one
 * `blob` record, as every export before this wrote them.
 */
import { createHash } from 'node:crypto';

/** Bytes of a blob per part: 24 MiB, 32 MiB of base64, half the longest line an import reads. */
export const BLOB_PART_BYTES = 24 * 1024 * 1024;

export interface BlobPart {
  hash: string;
  part: number;
  parts: number;
  base64: string;
}

/** The parts of a blob of these bytes (one part when it fits in `partBytes`: write a plain blob then). */
export function* blobParts(hash: string, bytes: Uint8Array, partBytes: number = BLOB_PART_BYTES): Generator<BlobPart> {
  const parts = Math.max(1, Math.ceil(bytes.length / partBytes));
  for (let part = 0; part < parts; part += 1) {
    const slice = Buffer.from(bytes.buffer, bytes.byteOffset + part * partBytes, Math.min(partBytes, bytes.length - part * partBytes));
    yield { hash, part, parts, base64: slice.toString('base64') };
  }
}

/** Decodes base64 that must be exactly what Buffer writes (no whitespace, padding as written). */
export function strictBase64(base64: string): Buffer | undefined {
  const bytes = Buffer.from(base64, 'base64');
  return bytes.toString('base64') === base64 ? bytes : undefined;
}

/**
 * Puts a blob's parts back together, in order. `accept` answers the whole blob once its last part
 * is in; a part out of order, of another blob, or with a count that changed is refused (by `fail`),
 * and so is a whole blob that does not hash to its name.
 */
export class BlobAssembler {
  private current: { hash: string; parts: number; next: number; chunks: Buffer[] } | undefined;

  accept(part: BlobPart, fail: (reason: string) => never): { hash: string; bytes: Uint8Array } | undefined {
    const bytes = strictBase64(part.base64);
    if (bytes === undefined) fail(`part ${part.part} of blob ${part.hash} is not valid base64.`);
    const current = this.current;
    if (current === undefined) {
      if (part.part !== 0) fail(`part ${part.part} of blob ${part.hash} comes without the parts before it.`);
      this.current = { hash: part.hash, parts: part.parts, next: 1, chunks: [bytes!] };
    } else {
      if (part.hash !== current.hash) fail(`a part of blob ${part.hash} while blob ${current.hash} has ${current.parts - current.next} of its ${current.parts} parts to come.`);
      if (part.parts !== current.parts || part.part !== current.next) {
        fail(`part ${part.part} of ${part.parts} of blob ${part.hash} where part ${current.next} of ${current.parts} was next.`);
      }
      current.chunks.push(bytes!);
      current.next += 1;
    }
    const assembling = this.current!;
    if (assembling.next < assembling.parts) return undefined;
    this.current = undefined;
    const whole = Buffer.concat(assembling.chunks);
    if (createHash('sha256').update(whole).digest('hex') !== assembling.hash) fail(`blob ${assembling.hash} does not hash to its name.`);
    return { hash: assembling.hash, bytes: new Uint8Array(whole.buffer, whole.byteOffset, whole.length) };
  }

  /** What is missing when a record other than the next part arrives (or the stream ends), else undefined. */
  unfinished(): string | undefined {
    const current = this.current;
    return current === undefined ? undefined : `blob ${current.hash} ends after ${current.next} of its ${current.parts} parts.`;
  }
}
