/**
 * The change watches of one workspace: one non-recursive `fs.watch` per visible directory (libuv's
 * inotify on Linux; Node 20's recursive mode there is a JavaScript walk, not what we want), and
 * the workspace-relative paths they reported since the last `take`.
 *
 * The watches are trusted only while nothing went wrong. They stop being trusted, for good (the
 * caller replaces them by a full scan, which sets up new ones), when a watch could not be set
 * (ENOSPC: the user's inotify watch limit; EMFILE), a watch emitted 'error', an event came without
 * a name, the workspace has more directories than we are willing to watch, or the events since the
 * last take reached half the kernel's queue size. libuv drops the queue-overflow event silently,
 * but an overflow can only happen once that many events were queued unread, all of which we then
 * read, so counting them detects it (the events of all the process's watches: they share one queue).
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';

/** A workspace with more directories than this is scanned in full each time (each watch costs kernel memory and counts against a per-user limit). */
export const MAX_WATCHED_DIRECTORIES = 4096;
const DEFAULT_MAX_QUEUED_EVENTS = 16_384;

/**
 * Events seen by every DirectoryWatches of the process. They all share libuv's one inotify queue,
 * so an overflow is detected by counting the events of all of them, not of one workspace alone.
 * (Watches the application sets itself with `fs.watch` share that queue too and are not counted:
 * the limit is half the queue for them.)
 */
let processEvents = 0;

export type Taken = { trusted: true; dirty: Set<string> } | { trusted: false; why: string };

export class DirectoryWatches {
  private readonly watchers = new Map<string, FSWatcher>();
  private dirty = new Set<string>();
  /** `processEvents` at the last take. */
  private eventsAtTake = processEvents;
  private untrusted: string | undefined;

  constructor(private readonly eventLimit = defaultEventLimit()) {}

  get trusted(): boolean {
    return this.untrusted === undefined;
  }

  /** Watches the directory at workspace-relative `path` (call before listing it: a change after this is reported). */
  watch(path: string, absolute: string): void {
    if (this.untrusted !== undefined) return;
    if (!this.watchers.has(path) && this.watchers.size >= MAX_WATCHED_DIRECTORIES) {
      this.distrust(`more than ${MAX_WATCHED_DIRECTORIES} directories`);
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(absolute, { persistent: false }, (_type, name) => this.changed(path, name));
    } catch (error) {
      this.distrust(`watching "${absolute}" failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return;
    }
    watcher.on('error', (error: NodeJS.ErrnoException) => this.distrust(`a watch failed (${error.code ?? error.message})`));
    this.watchers.get(path)?.close();
    this.watchers.set(path, watcher);
  }

  /** Stops watching `path` and every directory under it (the caller walks that subtree again, watching what is there now). */
  unwatchUnder(path: string): void {
    const under = `${path}/`;
    for (const [watched, watcher] of this.watchers) {
      if (watched === path || path === '' || watched.startsWith(under)) {
        watcher.close();
        this.watchers.delete(watched);
      }
    }
  }

  /** The paths reported since the last take (the caller has passed the barrier: watch-barrier.ts), or why they cannot be relied on. */
  take(): Taken {
    this.checkEventCount();
    if (this.untrusted !== undefined) return { trusted: false, why: this.untrusted };
    const dirty = this.dirty;
    this.dirty = new Set();
    this.eventsAtTake = processEvents;
    return { trusted: true, dirty };
  }

  /** Marks the watches as not to be relied on (also what a test uses to stand for an overflow or a failed watch). */
  distrust(why: string): void {
    if (this.untrusted === undefined) this.untrusted = why;
    this.dirty.clear();
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.distrust('closed');
  }

  /** True (and distrusted) when the process's watches saw as many events since the last take as the limit. */
  private checkEventCount(): boolean {
    const events = processEvents - this.eventsAtTake;
    if (events < this.eventLimit) return false;
    this.distrust(`${events} events since the last checkpoint, as many as the kernel's queue may hold`);
    return true;
  }

  get watchedDirectories(): number {
    return this.watchers.size;
  }

  private changed(directory: string, name: string | Buffer | null): void {
    processEvents += 1;
    if (this.untrusted !== undefined) return;
    if (this.checkEventCount()) return;
    if (typeof name !== 'string') return this.distrust('an event came without a file name');
    // An event about the watched directory itself carries its own name; recorded as a child of it, it is looked at and found absent: harmless.
    this.dirty.add(directory === '' ? name : `${directory}/${name}`);
  }
}

/** Counted by the barrier's sentinel too (watch-barrier.ts): its events share the queue. */
export function countSharedQueueEvent(): void {
  processEvents += 1;
}

/** Half of /proc/sys/fs/inotify/max_queued_events (the default when it cannot be read). */
function defaultEventLimit(): number {
  let queued = DEFAULT_MAX_QUEUED_EVENTS;
  try {
    const read = Number.parseInt(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'), 10);
    if (Number.isSafeInteger(read) && read > 0) queued = read;
  } catch {
    // not Linux, or /proc not mounted: the default
  }
  return Math.max(1, Math.floor(queued / 2));
}
