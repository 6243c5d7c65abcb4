/**
 * Writing files so that what a commit wrote survives the way its durability promises.
 *
 * `durable` (default): every write is followed by `fsync` of the file before the commit goes on,
 * and a file that was created, renamed or removed is followed by `fsync` of its directory (a new
 * directory entry is only on disk once the directory is). So once `commit` returns, a power loss
 * loses nothing.
 *
 * `relaxed`: no `fsync` at all. Every write still reaches the kernel before `commit` returns, so a
 * crash of the process (kill -9) loses nothing; only a crash of the machine may lose recent commits
 * (the journal still keeps what survives consistent).
 *
 * The cheap system calls (open, write, rename, unlink) are made synchronously: each takes
 * microseconds, where a round trip through libuv's thread pool costs about a hundred, and a commit
 * makes dozens. Only `fsync`, which waits for the disk, runs off the event loop.
 *
 * Files are opened with `O_NOFOLLOW` where the platform has it: a symlink planted inside the store
 * directory can never redirect a write outside it.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

export type Durability = 'durable' | 'relaxed';

const fsyncDescriptor = promisify(fsync);

/** 0 where the platform lacks it (Windows), so the flag is simply not applied there. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export const openFlags = {
  read: constants.O_RDONLY | NO_FOLLOW,
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW,
  createNew: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW,
  readWrite: constants.O_RDWR | constants.O_CREAT | NO_FOLLOW,
  existingReadWrite: constants.O_RDWR | NO_FOLLOW,
} as const;

export const FILE_MODE = 0o644;
/** Names of the temporary files of `replace`; no encoded id starts with a dot. */
export const TEMPORARY_PREFIX = '.tmp-';

export class DurableWriter {
  constructor(readonly durability: Durability) {}

  get syncs(): boolean {
    return this.durability === 'durable';
  }

  /** Appends `data` at the end of the file (creating it if needed) and syncs it (unless `sync: false`: a cache checked on use). */
  async append(path: string, data: Buffer, options: { sync?: boolean } = {}): Promise<void> {
    await this.withDescriptor(path, openFlags.append, async (descriptor) => {
      writeAll(descriptor, data, null);
      if (options.sync !== false) await this.sync(descriptor);
    });
  }

  /** Creates a file that must not exist yet, with `data`, and syncs it (the caller syncs the directory). */
  async create(path: string, data: Buffer): Promise<void> {
    await this.withDescriptor(path, openFlags.createNew, async (descriptor) => {
      writeAll(descriptor, data, 0);
      await this.sync(descriptor);
    });
  }

  /**
   * Replaces the file atomically: a reader sees the old content or the new, never a mix. Write a
   * temporary file beside it, sync it, rename it over the target, sync the directory.
   */
  async replace(path: string, data: Buffer): Promise<void> {
    // Short, so it fits beside the longest name (a temporary name never needs the target's).
    const temporary = join(dirname(path), `${TEMPORARY_PREFIX}${randomUUID()}`);
    try {
      await this.create(temporary, data);
      renameSync(temporary, path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created, or already renamed
      }
      throw error;
    }
    await this.syncDirectory(dirname(path));
  }

  /**
   * Renames `from` to `to` (same directory, so the rename is atomic); false when `from` does not
   * exist. The caller syncs the directory.
   */
  async rename(from: string, to: string): Promise<boolean> {
    try {
      renameSync(from, to);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Removes the file if it exists; true when it did (the caller syncs the directory). */
  async remove(path: string): Promise<boolean> {
    try {
      unlinkSync(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Cuts the file back to `length` bytes (no-op when it is missing or not longer); true when it cut. */
  async truncate(path: string, length: number): Promise<boolean> {
    let descriptor: number;
    try {
      descriptor = openSync(path, openFlags.existingReadWrite);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    try {
      if (fstatSync(descriptor).size <= length) return false;
      ftruncateSync(descriptor, length);
      await this.sync(descriptor);
      return true;
    } finally {
      closeSync(descriptor);
    }
  }

  /** Makes created, renamed and removed entries of a directory durable. */
  async syncDirectory(directory: string): Promise<void> {
    if (!this.syncs || process.platform === 'win32') return; // Windows cannot open a directory to sync it
    const descriptor = openSync(directory, constants.O_RDONLY);
    try {
      await fsyncDescriptor(descriptor);
    } catch (error) {
      // Some file systems refuse fsync on a directory; there is nothing more to do there.
      if (!isUnsupported(error)) throw error;
    } finally {
      closeSync(descriptor);
    }
  }

  /** fsync in durable mode. */
  async sync(descriptor: number): Promise<void> {
    if (this.syncs) await fsyncDescriptor(descriptor);
  }

  private async withDescriptor(path: string, flags: number, work: (descriptor: number) => Promise<void>): Promise<void> {
    const descriptor = openSync(path, flags, FILE_MODE);
    try {
      await work(descriptor);
    } finally {
      closeSync(descriptor);
    }
  }
}

/** Removes the temporary files of interrupted replaces from `directory` (only the lock holder makes them there). */
export function removeTemporaryFilesIn(directory: string): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const name of names) {
    if (!name.startsWith(TEMPORARY_PREFIX)) continue;
    try {
      unlinkSync(join(directory, name));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}

/** Writes every byte (a single `write` may write less), at `position` or, with null, at the current end. */
export function writeAll(descriptor: number, data: Buffer, position: number | null): void {
  let written = 0;
  while (written < data.length) {
    written += writeSync(descriptor, data, written, data.length - written, position === null ? null : position + written);
  }
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EPERM' || code === 'EISDIR';
}

/** The file's whole content as UTF-8, or undefined when it does not exist. Never follows a symlink. */
export function readTextIfPresent(path: string): string | undefined {
  return readBytesIfPresent(path)?.toString('utf8');
}

/** The file's whole content, or undefined when it does not exist. Never follows a symlink. */
export function readBytesIfPresent(path: string): Buffer | undefined {
  return readIfPresent(path, (descriptor) => {
    const size = fstatSync(descriptor).size;
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const bytes = readSyncAt(descriptor, buffer, read, size - read, read);
      if (bytes === 0) break;
      read += bytes;
    }
    return buffer.subarray(0, read);
  });
}

/** `read` on the file opened for reading (never through a symlink), or undefined when it does not exist. */
export function readIfPresent<Result>(path: string, read: (descriptor: number) => Result): Result | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, openFlags.read);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    return read(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** `readSync` at a position (a helper so callers read the same way). */
export function readSyncAt(descriptor: number, buffer: Buffer, offset: number, length: number, position: number): number {
  return readSync(descriptor, buffer, offset, length, position);
}
