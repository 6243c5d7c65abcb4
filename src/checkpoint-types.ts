/** Public types of file checkpoints: `store.checkpoint`'s options and result, and `store.checkpoints`' summaries. */

/** Options of `store.checkpoint`. */
export interface CheckpointOptions {
  /** The directory whose files are recorded. */
  workspace: string;
  /** The message the checkpoint belongs to: rewinding to it restores the files recorded now. Default: the session's head. */
  atMessage?: string;
  /** Extra paths not to record, in gitignore syntax (besides `.git`, `node_modules` and the root `.gitignore`). */
  ignore?: string[];
  /** Files larger than this are skipped with a warning naming them. Default 10 MiB. */
  maxFileBytes?: number;
}

/** A file a checkpoint did not record, and why. */
export interface SkippedFile {
  path: string;
  size: number;
  reason: 'too-large' | 'unreadable' | 'not-a-file' | 'unsupported-name';
}

export interface CheckpointResult {
  messageId: string;
  /** Files (and symlinks) the checkpoint records. */
  files: number;
  /** Bytes of file content newly stored (content already in the store, from any checkpoint or session, is not stored again). */
  bytesStored: number;
  /** Size of the stored manifest: the changes since the previous checkpoint on the session's path. */
  manifestBytes: number;
  /** Files recorded as changed since the previous checkpoint on the path (all of them for a first checkpoint). */
  changedFiles: number;
  /** Files not recorded (each is also named in a process warning). */
  skipped: SkippedFile[];
  /** True when the message already had a checkpoint, which was kept (the first one taken at a message wins). */
  existing: boolean;
}

/** A message that has a file checkpoint, as `store.checkpoints(id)` lists it. */
export interface CheckpointSummary {
  messageId: string;
  /** The session that took it (a fork lists its source's checkpoints on the shared history too). */
  sessionId: string;
  createdAt: number;
  /** The role of the message it belongs to. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** Files changed since the previous checkpoint on the path (all of them for a full manifest). */
  changedFiles: number;
  /** Bytes of those changed files' content (what the checkpoint records as new; the store keeps each content once). */
  changedBytes: number;
  /** Size of the stored manifest. */
  manifestBytes: number;
  /** Whether the end of the turn that followed was recorded (what tells the agent's edits from someone else's). */
  turnFinished: boolean;
}
