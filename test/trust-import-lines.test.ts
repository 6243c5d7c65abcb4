/**
 * The import line splitter is linear and bounded (issue 10, item 5). The reproduction: one 200 MB
 * line without a line end took 283 s and 1.3 GB before it was refused, because the splitter
 * searched the whole growing line again after every chunk. Now a line is refused as soon as it
 * passes the record size limit: the test counts the bytes the import pulled from its source.
 */
import { describe, expect, it } from 'vitest';
import { ImportError, SessionStore } from '../src/index.js';
import { BLOB_PART_BYTES, blobParts } from '../src/transfer/blob-parts.js';
import { encodeLine } from '../src/transfer/format.js';
import { lineReader, MAX_LINE_BYTES } from '../src/transfer/source.js';

const CHUNK_BYTES = 64 * 1024;

/** A file stream's worth of chunks: a first line, then `totalBytes` of one line with no line end. */
function endlessLine(totalBytes: number, counter: { bytes: number; chunks: number }) {
  return async function* (): AsyncGenerator<Uint8Array> {
    const header = Buffer.from(`${await exportHeader()}\n`);
    counter.bytes += header.length;
    yield header;
    for (let sent = 0; sent < totalBytes; sent += CHUNK_BYTES) {
      // A fresh buffer per chunk, as a file stream hands them out: memory held is memory kept.
      const chunk = Buffer.alloc(CHUNK_BYTES, 0x61);
      counter.bytes += chunk.length;
      counter.chunks += 1;
      yield chunk;
    }
  };
}

/** A real export's first line, so the check pass accepts line 1 and meets the long line at line 2. */
async function exportHeader(): Promise<string> {
  const store = SessionStore.memory();
  for await (const line of store.export()) return line;
  throw new Error('an export always starts with a header');
}

async function lines(chunks: Array<string | Uint8Array>, maxLineBytes?: number): Promise<Array<{ text: string; line: number }>> {
  const read = lineReader(chunks, maxLineBytes === undefined ? {} : { maxLineBytes });
  const found: Array<{ text: string; line: number }> = [];
  for await (const entry of read()) found.push(entry);
  return found;
}

describe('import line splitting', () => {
  it('reads back every line of a blob of the default part size and more (a blob an export splits)', async () => {
    const bytes = Buffer.alloc(BLOB_PART_BYTES + 1000, 0x5a);
    const parts = [...blobParts('0'.repeat(64), bytes)].map((part) => `${encodeLine('blob-part', part)}\n`);
    expect(parts).toHaveLength(2);
    const read = await lines(parts);
    expect(read.map((entry) => entry.line)).toEqual([1, 2]);
    expect(Buffer.byteLength(read[0]!.text)).toBeGreaterThan(BLOB_PART_BYTES);
    expect(Buffer.byteLength(read[0]!.text)).toBeLessThan(MAX_LINE_BYTES);
  });

  it('refuses a 200 MB line without a line end as soon as it passes the limit, having read no more than the limit and one chunk', async () => {
    const store = SessionStore.memory();
    const counter = { bytes: 0, chunks: 0 };
    const source = endlessLine(200 * 1024 * 1024, counter);
    const error = await store.import(source).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ImportError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ line: 2 });
    expect((error as Error).message).toMatch(/longer than 67108864 bytes/);
    expect(counter.bytes).toBeGreaterThan(MAX_LINE_BYTES);
    expect(counter.bytes).toBeLessThanOrEqual(MAX_LINE_BYTES + 2 * CHUNK_BYTES);
    expect((await store.list()).sessions).toEqual([]);
    await store.close();
  });

  it('also refuses the long line from a one-shot iterator and from a string', async () => {
    const counter = { bytes: 0, chunks: 0 };
    const read = lineReader(endlessLine(10 * 1024 * 1024, counter)(), { maxLineBytes: 1024 * 1024 });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const { line } of read()) seen.push(line);
      })(),
    ).rejects.toSatisfy((error) => ImportError.isInstance(error) && (error as ImportError).line === 2);
    expect(seen).toEqual([1]);
    expect(counter.bytes).toBeLessThanOrEqual(1024 * 1024 + 2 * CHUNK_BYTES);
    await expect(lines(['short\n' + 'x'.repeat(2000)], 1000)).rejects.toSatisfy((error) => ImportError.isInstance(error) && (error as ImportError).line === 2);
  });

  it('still splits lines exactly wherever the chunks break: multi-byte characters, CRLF, a byte order mark, no final line end', async () => {
    const text = '\ufeff{"a":"ünïcödé ✓"}\r\n{"b":2}\n\n{"c":"€"}';
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
      expect(await lines(chunks)).toEqual([
        { text: '{"a":"ünïcödé ✓"}', line: 1 },
        { text: '{"b":2}', line: 2 },
        { text: '', line: 3 },
        { text: '{"c":"€"}', line: 4 },
      ]);
    }
    // A line of exactly the limit is accepted; one byte more is not.
    expect(await lines([Buffer.from('x'.repeat(100) + '\n')], 100)).toEqual([{ text: 'x'.repeat(100), line: 1 }]);
    await expect(lines([Buffer.from('x'.repeat(101) + '\n')], 100)).rejects.toSatisfy((error) => ImportError.isInstance(error));
    // Bytes that are not UTF-8 name their line.
    await expect(lines([Buffer.from('ok\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])])).rejects.toSatisfy(
      (error) => ImportError.isInstance(error) && (error as ImportError).line === 2,
    );
  });
});
