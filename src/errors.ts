/**
 * Typed errors. Every error sessionloom throws on purpose is a `SessionloomError` with a
 * stable `code`, so callers can branch on `error.code` (or `SessionNotFoundError.isInstance`)
 * without string matching. `isInstance` checks a `Symbol.for` marker rather than `instanceof`,
 * so it still works when two copies of the package are installed side by side.
 */

const marker = Symbol.for('sessionloom.error');

export type ErrorCode =
  | 'SESSION_NOT_FOUND'
  | 'MESSAGE_NOT_FOUND'
  | 'RUN_NOT_FOUND'
  | 'SESSION_CONFLICT'
  | 'SESSION_EXPIRED'
  | 'INVALID_ARGUMENT'
  | 'STORE_UNAVAILABLE'
  | 'WORKSPACE_CONFLICT'
  | 'IMPORT_INVALID'
  | 'CONFIGURATION';

export interface SessionloomErrorOptions {
  message: string;
  cause?: unknown;
}

export class SessionloomError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, options: SessionloomErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any sessionloom error, from this copy of the package or another. */
  static isSessionloomError(error: unknown): error is SessionloomError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  protected static hasCode(error: unknown, code: ErrorCode): boolean {
    return SessionloomError.isSessionloomError(error) && error.code === code;
  }
}

/** The session does not exist, or is outside the store's scope (another user's session reads as missing). */
export class SessionNotFoundError extends SessionloomError {
  readonly sessionId: string;
  constructor(options: { sessionId: string; message?: string; cause?: unknown }) {
    super('SESSION_NOT_FOUND', {
      message: options.message ?? `Session "${options.sessionId}" was not found.`,
      cause: options.cause,
    });
    this.sessionId = options.sessionId;
  }
  static isInstance(error: unknown): error is SessionNotFoundError {
    return SessionloomError.hasCode(error, 'SESSION_NOT_FOUND');
  }
}

/** The message id does not exist, or is not on the session's current path. */
export class MessageNotFoundError extends SessionloomError {
  readonly sessionId: string;
  readonly messageId: string;
  constructor(options: { sessionId: string; messageId: string; message?: string }) {
    super('MESSAGE_NOT_FOUND', {
      message:
        options.message ??
        `Message "${options.messageId}" is not on the path of session "${options.sessionId}". ` +
          'Use getMessages() to list the ids on its path, or branches() for rewound tails.',
    });
    this.sessionId = options.sessionId;
    this.messageId = options.messageId;
  }
  static isInstance(error: unknown): error is MessageNotFoundError {
    return SessionloomError.hasCode(error, 'MESSAGE_NOT_FOUND');
  }
}

/** The run does not exist, or belongs to a session outside the store's scope. */
export class RunNotFoundError extends SessionloomError {
  readonly runId: string;
  constructor(options: { runId: string; message?: string }) {
    super('RUN_NOT_FOUND', { message: options.message ?? `Run "${options.runId}" was not found. List a session's runs with runs(sessionId).` });
    this.runId = options.runId;
  }
  static isInstance(error: unknown): error is RunNotFoundError {
    return SessionloomError.hasCode(error, 'RUN_NOT_FOUND');
  }
}

/** A write with `expectedVersion` found the session at another version; nothing was changed. */
export class SessionConflictError extends SessionloomError {
  readonly sessionId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;
  /** When a run was refused because the session already has one in progress: that run. */
  readonly runningRunId?: string;
  constructor(options: { sessionId: string; expectedVersion: number; actualVersion: number; runningRunId?: string; message?: string }) {
    super('SESSION_CONFLICT', {
      message:
        options.message ??
        `Session "${options.sessionId}" is at version ${options.actualVersion}, not the expected ${options.expectedVersion}; ` +
          'another writer changed it. Re-read the session and retry.',
    });
    this.sessionId = options.sessionId;
    this.expectedVersion = options.expectedVersion;
    this.actualVersion = options.actualVersion;
    if (options.runningRunId !== undefined) this.runningRunId = options.runningRunId;
  }
  static isInstance(error: unknown): error is SessionConflictError {
    return SessionloomError.hasCode(error, 'SESSION_CONFLICT');
  }
}

/** The session has expired: it can be read for audit but not appended to, forked, rewound or resumed. */
export class SessionExpiredError extends SessionloomError {
  readonly sessionId: string;
  constructor(options: { sessionId: string; message?: string }) {
    super('SESSION_EXPIRED', {
      message:
        options.message ??
        `Session "${options.sessionId}" has expired; it can still be read, but not changed. Create a new session instead.`,
    });
    this.sessionId = options.sessionId;
  }
  static isInstance(error: unknown): error is SessionExpiredError {
    return SessionloomError.hasCode(error, 'SESSION_EXPIRED');
  }
}

/** The caller passed something invalid; the message says what and nothing was changed. */
export class InvalidArgumentError extends SessionloomError {
  readonly argument: string;
  constructor(options: { argument: string; message: string; cause?: unknown }) {
    super('INVALID_ARGUMENT', { message: `Invalid ${options.argument}: ${options.message}`, cause: options.cause });
    this.argument = options.argument;
  }
  static isInstance(error: unknown): error is InvalidArgumentError {
    return SessionloomError.hasCode(error, 'INVALID_ARGUMENT');
  }
}

/**
 * The store is set up wrongly: a bad store option, a malformed store URL, a client library that is
 * not installed, an object that is not a driver. Thrown at construction or `open`, never later, and
 * never mistaken for an outage (a fallback store refuses to start over a misconfigured primary
 * instead of running degraded forever). The message names the fix.
 */
export class ConfigurationError extends SessionloomError {
  /** What was misconfigured: `store URL`, `driver`, `pg`, ... */
  readonly setting: string;
  constructor(options: { setting: string; message: string; cause?: unknown }) {
    super('CONFIGURATION', { message: options.message, cause: options.cause });
    this.setting = options.setting;
  }
  static isInstance(error: unknown): error is ConfigurationError {
    return SessionloomError.hasCode(error, 'CONFIGURATION');
  }
}

/** The backend could not be reached or did not answer in time; `cause` is the driver's own error. */
export class StoreUnavailableError extends SessionloomError {
  readonly store: string;
  constructor(options: { store: string; message?: string; cause?: unknown }) {
    super('STORE_UNAVAILABLE', {
      message: options.message ?? `The ${options.store} store is unavailable.`,
      cause: options.cause,
    });
    this.store = options.store;
  }
  static isInstance(error: unknown): error is StoreUnavailableError {
    return SessionloomError.hasCode(error, 'STORE_UNAVAILABLE');
  }
}

/**
 * A rewind with `rewindFiles` would overwrite or delete files that someone other than the agent
 * changed since the agent's last turn. Nothing was changed; `files` names them. Pass `force: true`
 * to rewind anyway, or `dryRun: true` to see the whole plan first.
 */
export class WorkspaceConflictError extends SessionloomError {
  readonly sessionId: string;
  /** Workspace-relative paths, sorted. */
  readonly files: string[];
  constructor(options: { sessionId: string; files: string[]; message?: string }) {
    const listed = options.files.slice(0, 20).join(', ') + (options.files.length > 20 ? `, and ${options.files.length - 20} more` : '');
    super('WORKSPACE_CONFLICT', {
      message:
        options.message ??
        `Rewinding session "${options.sessionId}" would overwrite changes made since the agent's last turn by someone else: ${listed}. ` +
          'Nothing was changed. Save those changes elsewhere, or pass force: true to rewind anyway.',
    });
    this.sessionId = options.sessionId;
    this.files = options.files;
  }
  static isInstance(error: unknown): error is WorkspaceConflictError {
    return SessionloomError.hasCode(error, 'WORKSPACE_CONFLICT');
  }
}

/**
 * An export stream `import` refuses, at `line` (1-based): not sessionloom's format, a newer format
 * version, a line that is not JSON or fails its checksum, a record out of place or a stream cut
 * short (found before anything is written: nothing was imported), or a record that contradicts
 * what the store holds (`applied`: the sessions before that line were imported).
 */
export class ImportError extends SessionloomError {
  readonly line: number;
  /** True when sessions before `line` were imported; importing again after fixing the cause carries on. */
  readonly applied: boolean;
  constructor(options: { line: number; reason: string; applied?: boolean }) {
    const outcome = options.applied
      ? 'The sessions before this line were imported; importing again after resolving it carries on from there.'
      : 'Nothing was imported.';
    super('IMPORT_INVALID', { message: `Import refused at line ${options.line}: ${options.reason} ${outcome}` });
    this.line = options.line;
    this.applied = options.applied ?? false;
  }
  static isInstance(error: unknown): error is ImportError {
    return SessionloomError.hasCode(error, 'IMPORT_INVALID');
  }
}
