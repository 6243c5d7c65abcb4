/**
 * The barrier a watched scan waits at before it trusts what its watches reported (watched-scan.ts).
 *
 * A change made just before a checkpoint may not have been delivered yet: the kernel queued its
 * inotify event, but the event loop has not read it. Every `fs.watch` of a process's main event
 * loop shares libuv's ONE inotify descriptor, whose events are queued and read in order. So the
 * barrier creates a file of a fresh name in a private directory (outside any workspace, watched
 * through the same descriptor) and waits for that file's event: once it arrives, every event queued
 * before it has been read and handed to its watcher. It costs a create, an unlink and one turn of
 * the event loop (well under a millisecond).
 *
 * When the event does not come (the queue overflowed and dropped it, the directory vanished), the
 * barrier answers false after a timeout and the caller scans everything instead.
 */
import { mkdtempSync, rmSync, unlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countSharedQueueEvent } from './directory-watches.js';

/** Far longer than a loop turn on a loaded machine, short enough that a lost event costs little. */
const BARRIER_TIMEOUT_MS = 2_000;

interface Sentinel {
  directory: string;
  watcher: FSWatcher;
  waiting: Map<string, () => void>;
  next: number;
}

let sentinel: Sentinel | undefined;
let unavailable = false;
let cleanupRegistered = false;

/** True once every inotify event queued before the call has been delivered to its watcher; false when that cannot be established. */
export async function watchBarrier(): Promise<boolean> {
  const current = openSentinel();
  if (current === undefined) return false;
  const name = `barrier-${current.next}`;
  current.next += 1;
  return new Promise<boolean>((resolve) => {
    // Kept referenced: a process with nothing else to do must not exit while a checkpoint waits here.
    const timer = setTimeout(() => {
      current.waiting.delete(name);
      resolve(false);
    }, BARRIER_TIMEOUT_MS);
    current.waiting.set(name, () => {
      clearTimeout(timer);
      resolve(true);
    });
    try {
      const path = join(current.directory, name);
      writeFileSync(path, '');
      unlinkSync(path);
    } catch {
      clearTimeout(timer);
      current.waiting.delete(name);
      closeSentinel(); // the next barrier makes a new directory
      resolve(false);
    }
  });
}

function openSentinel(): Sentinel | undefined {
  if (sentinel !== undefined || unavailable) return sentinel;
  let directory: string | undefined;
  try {
    directory = mkdtempSync(join(tmpdir(), 'sessionloom-watch-'));
    const waiting = new Map<string, () => void>();
    // Not persistent: the sentinel never keeps a process alive on its own.
    const watcher = watch(directory, { persistent: false }, (_type, name) => {
      countSharedQueueEvent();
      const done = name === null ? undefined : waiting.get(name);
      if (done === undefined) return;
      waiting.delete(name!);
      done();
    });
    watcher.on('error', () => closeSentinel());
    sentinel = { directory, watcher, waiting, next: 0 };
    if (!cleanupRegistered) process.once('exit', closeSentinel);
    cleanupRegistered = true;
    return sentinel;
  } catch {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    // No temporary directory or no watch available: every scan is a full one in this process.
    unavailable = true;
    return undefined;
  }
}

function closeSentinel(): void {
  const current = sentinel;
  if (current === undefined) return;
  sentinel = undefined;
  current.watcher.close();
  rmSync(current.directory, { recursive: true, force: true });
}
