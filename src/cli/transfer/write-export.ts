/**
 * Writing a store's export stream to a file or to stdout, with a progress bar over sessions.
 *
 * A file is written under `FILE.partial` and renamed to FILE only once complete and synced, so a
 * failed or interrupted export never leaves a truncated file under the name a later import would
 * trust. It is created with mode 0600: an export holds every message of every session.
 */
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import type { SessionStore } from '../../session/store.js';
import { startProgressBar } from '../progress.js';
import { unusableFile } from './file-error.js';

/** Lines are joined into chunks of about this many characters: one write per line would make a large export syscall-bound. */
const CHUNK_CHARACTERS = 64 * 1024;
const PRIVATE_FILE_MODE = 0o600;

export interface ExportCounts {
  sessions: number;
  lines: number;
}

/** Exports `ids` (none: every session) to `file`, which holds the whole export or, on failure, is left untouched. */
export async function exportToFile(store: SessionStore, ids: string[], file: string): Promise<ExportCounts> {
  const partial = `${file}.partial`;
  // A leftover from an interrupted export is ours to replace; creating afresh ('wx') guarantees the
  // private mode, which an existing file would keep, and never writes through a planted symlink.
  await rm(partial, { force: true });
  const handle = await open(partial, 'wx', PRIVATE_FILE_MODE).catch((error: unknown) => {
    // Named as the user gave it: a missing directory or a denied permission is the same for both names.
    throw unusableFile('export file', file, error);
  });
  try {
    // appendFile writes at the handle's position and retries short writes until the chunk is all out.
    const counts = await exportLines(store, ids, (chunk) => handle.appendFile(chunk));
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    return counts;
  } catch (error) {
    await handle.close().catch(() => {}); // already closed when the rename failed
    await rm(partial, { force: true });
    throw error;
  }
}

/** Exports `ids` (none: every session) to a stream such as stdout, waiting whenever it is full. */
export function exportToStream(store: SessionStore, ids: string[], stream: NodeJS.WritableStream): Promise<ExportCounts> {
  return exportLines(store, ids, async (chunk) => {
    // 'drain' rejects `once` if the stream fails instead; a reader that went away (EPIPE) is main.ts's to handle.
    if (!stream.write(chunk)) await once(stream, 'drain');
  });
}

async function exportLines(store: SessionStore, ids: string[], write: (chunk: string) => Promise<unknown>): Promise<ExportCounts> {
  const bar = startProgressBar('Exporting', 'sessions');
  let sessions = 0;
  const lines = store.export(ids.length === 0 ? undefined : ids, {
    onProgress: (progress) => {
      sessions = progress.sessions;
      bar.update(progress.sessions, progress.totalSessions);
    },
  });
  try {
    let count = 0;
    let chunk = '';
    for await (const line of lines) {
      count += 1;
      chunk += `${line}\n`;
      if (chunk.length >= CHUNK_CHARACTERS) {
        await write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await write(chunk);
    return { sessions, lines: count };
  } finally {
    bar.stop();
  }
}
