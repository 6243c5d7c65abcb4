/**
 * Scanning a workspace: every visible file, symlink and directory under the root, with ignore
 * rules applied and symlinks recorded, never followed (so a scan never reads outside the root,
 * and never loops). A file's hash is taken from the index when its size and times have not
 * changed since a trustworthy observation; only the others are read and hashed. Files over the
 * size limit, unreadable files, special files (sockets, FIFOs) and symlinks leading out of the
 * workspace are recorded as skipped and reported, so a restore knows to leave them alone.
 *
 * The calls are synchronous, in slices of a few milliseconds separated by a yield to the event
 * loop: on 10,000 small files that is about 7 times faster than one promise per call (each async
 * call pays a thread-pool round trip), and the process still answers between slices.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import type { SkippedFile } from '../types.js';
import type { IgnoreRules } from './ignore-rules.js';
import { sha256, type FileEntry } from './file-entry.js';
import { RACY_MARGIN_MS, type ScanIndex } from './scan-index.js';
import { dirname, sep } from 'node:path';
import { absolutePath, isInside, linkTargetProblem, parentOf, realDirectorySoFar } from './workspace-path.js';
import { emptyState, type StateChanges, type WorkspaceState } from './workspace-state.js';

/** Paths longer than this are not recorded (the same bound a manifest path has). */
export const MAX_SCANNED_PATH_LENGTH = 4096;

/** Longest stretch of synchronous file system work before the event loop gets a turn. */
const SLICE_MS = 8;

export type { SkippedFile };

export interface ScanOptions {
  rules: IgnoreRules;
  maxFileBytes: number;
  index: ScanIndex;
  /** Real absolute paths never recorded nor touched, with everything under them, whatever the rules: the store's own files (see store-files.ts). */
  excluded?: ReadonlySet<string>;
  /** Names everything `rules`, `maxFileBytes` and `excluded` depend on, so a watched scan (watched-scan.ts) knows when they are the same as last time. */
  rulesKey?: string;
}

export interface ScanResult {
  state: WorkspaceState;
  /** Sorted by path. Names a manifest cannot hold (`unsupported-name`) are left out of the state entirely. */
  skipped: SkippedFile[];
  /** How many files were read and hashed (the others were known from the index). */
  hashedFiles: number;
  /** From a watched scan: where `state` can differ from the state it returned before (watched-scan.ts). */
  changes?: StateChanges;
}

/** Yields to the event loop once a slice of synchronous work has run long enough. */
export class TimeSlicer {
  private sliceStart = performance.now();
  async pause(): Promise<void> {
    if (this.due()) await this.yield();
  }

  /**
   * True when the slice has run long enough. For loops over thousands of entries: checking this and
   * awaiting `yield` only then spares a promise and a microtask turn per entry, which `pause` costs.
   */
  due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

/**
 * Lets a caller follow the walk (workspace-watch.ts): `beforeListing` runs before a directory is
 * listed, so a change watch set there sees every change the listing misses; `entrySeen` gets each
 * recorded non-directory entry's stats.
 */
export interface WalkHooks {
  beforeListing?(path: string, absolute: string): void;
  entrySeen?(path: string, stats: Stats): void;
}

export async function scanWorkspace(root: string, options: ScanOptions, hooks: WalkHooks = {}): Promise<ScanResult> {
  const result: ScanResult = { state: emptyState(), skipped: [], hashedFiles: 0 };
  await walkDirectories(root, [{ path: '', absolute: root }], result, options, hooks);
  result.skipped.sort(byPath);
  return result;
}

export const byPath = (left: { path: string }, right: { path: string }) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0);

/**
 * Records into `result` everything under the `pending` directories (each already recorded by the
 * caller, or the root): the whole scan, or one subtree of it (workspace-watch.ts).
 */
export async function walkDirectories(
  root: string,
  pending: Array<{ path: string; absolute: string }>,
  result: ScanResult,
  options: ScanOptions,
  hooks: WalkHooks,
): Promise<void> {
  const observedAt = Date.now();
  const { state, skipped } = result;
  const slicer = new TimeSlicer();
  // Per entry, the work besides its lstat is most of a settled scan's cost: keep it to string checks.
  const excluded = excludedPrefixes(options);
  // Each directory is listed by its absolute path; children are checked by name alone (their parent already was).
  while (pending.length > 0) {
    const directory = pending.pop()!;
    const prefix = directory.path === '' ? '' : `${directory.path}/`;
    const absolutePrefix = directory.absolute.endsWith(sep) ? directory.absolute : directory.absolute + sep;
    hooks.beforeListing?.(directory.path, directory.absolute);
    for (const name of listDirectory(directory.absolute)) {
      if (slicer.due()) await slicer.yield();
      const path = prefix + name;
      if (!isPlainName(name) || path.length > MAX_SCANNED_PATH_LENGTH) {
        skipped.push({ path, size: 0, reason: 'unsupported-name' });
        continue;
      }
      // The directory's absolute path is already normal and the name has no separator: no join needed.
      const absolute = absolutePrefix + name;
      if (excluded.length > 0 && excluded.some((entry) => absolute === entry.path || absolute.startsWith(entry.under))) continue;
      const stats = lstatIfPresent(absolute);
      if (stats === undefined) continue; // removed while we looked
      if (stats.isDirectory()) {
        if (options.rules.ignores(path, true)) continue;
        state.directories.add(path);
        pending.push({ path, absolute });
        continue;
      }
      if (options.rules.ignores(path, false)) continue;
      const inspected = inspectEntry(root, directory.absolute, absolute, stats, options, observedAt, path);
      if (inspected === undefined) continue; // removed while we looked
      if (inspected.hashed) result.hashedFiles += 1;
      hooks.entrySeen?.(path, stats);
      state.files.set(path, inspected.entry);
      if (inspected.entry.kind === 'skipped') skipped.push({ path, size: inspected.entry.size, reason: inspected.entry.reason });
    }
  }
}

/**
 * What is at one path now, looked at alone (for paths a restore needs that the scan did not
 * visit, such as files the current rules ignore): an entry, `directory`, or undefined when absent.
 */
export function inspectPath(root: string, path: string, options: ScanOptions): FileEntry | 'directory' | undefined {
  if (isExcluded(options, absolutePath(root, path))) return undefined;
  const stats = lstatIfPresent(absolutePath(root, path));
  if (stats === undefined) return undefined;
  if (stats.isDirectory()) return 'directory';
  const absolute = absolutePath(root, path);
  const parent = realDirectorySoFar(root, parentOf(path)) ?? dirname(absolute);
  return inspectEntry(root, parent, absolute, stats, options, Date.now(), path)?.entry;
}

/** Each excluded path, and the prefix of the paths under it. */
function excludedPrefixes(options: Pick<ScanOptions, 'excluded'>): Array<{ path: string; under: string }> {
  return [...(options.excluded ?? [])].map((path) => ({ path, under: path.endsWith(sep) ? path : path + sep }));
}

/**
 * `relativePathProblem` for one directory entry's name, without splitting it: a name from
 * readdir never holds a slash or NUL, so what is left to refuse is emptiness, `.`/`..`, and a backslash.
 */
export function isPlainName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('\\') && !name.includes('/') && !name.includes('\0');
}

/** True for an excluded path or a path under one. */
export function isExcluded(options: Pick<ScanOptions, 'excluded'>, absolute: string): boolean {
  if (options.excluded === undefined) return false;
  for (const excluded of options.excluded) if (isInside(excluded, absolute)) return true;
  return false;
}

/** What is at `absolute` (in the real directory `parent` of the workspace `root`), or undefined when it vanished. */
export function inspectEntry(
  root: string,
  parent: string,
  absolute: string,
  stats: Stats,
  options: ScanOptions,
  observedAt: number,
  path: string,
): { entry: FileEntry; hashed: boolean } | undefined {
  if (stats.isSymbolicLink()) {
    const target = readlinkSync(absolute);
    // A link leading out of the workspace is left alone, as a special file is: never recorded, so never restored.
    if (linkTargetProblem(root, parent, target) !== undefined) return { entry: { kind: 'skipped', reason: 'not-a-file', size: stats.size }, hashed: false };
    return { entry: { kind: 'link', target }, hashed: false };
  }
  if (!stats.isFile()) return { entry: { kind: 'skipped', reason: 'not-a-file', size: stats.size }, hashed: false };
  if (stats.size > options.maxFileBytes) return { entry: { kind: 'skipped', reason: 'too-large', size: stats.size }, hashed: false };
  const mode = stats.mode & 0o777;
  // Recorded only when trustworthy, so a process seeding its index from the manifest can rely on it.
  const trustedTime = observedAt - stats.mtimeMs > RACY_MARGIN_MS ? { mtimeMs: stats.mtimeMs } : {};
  const known = options.index.trustedHash(path, stats);
  if (known !== undefined) return { entry: { kind: 'file', hash: known, size: stats.size, mode, ...trustedTime }, hashed: false };
  let bytes: Buffer;
  try {
    bytes = readRegularFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { entry: { kind: 'skipped', reason: 'unreadable', size: stats.size }, hashed: false };
    if (code === 'ENOENT') return undefined;
    throw error;
  }
  const hash = sha256(bytes);
  options.index.record(path, { size: bytes.length, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, hash, observedAt });
  return { entry: { kind: 'file', hash, size: bytes.length, mode, ...(bytes.length === stats.size ? trustedTime : {}) }, hashed: true };
}

/**
 * Reads a file without following a symlink at its name (`O_NOFOLLOW`): the scan saw a regular
 * file there, and if it was swapped for a link since, nothing outside the workspace is read.
 */
export function readRegularFile(absolute: string): Buffer {
  // O_NONBLOCK: if a FIFO took the file's place since the lstat, opening it must not wait for a writer.
  const descriptor = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(descriptor).isFile()) throw Object.assign(new Error(`"${absolute}" is no longer a regular file`), { code: 'ENOENT' });
    return readFileSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** The names in a directory (empty when it vanished meanwhile). */
function listDirectory(absolute: string): string[] {
  try {
    return readdirSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

export function lstatIfPresent(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}
