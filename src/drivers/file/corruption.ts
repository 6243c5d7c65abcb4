/**
 * A damaged line in a store file. It names the file and the line so a person can look at it; it
 * is thrown only for the file that holds it, so every other session stays readable.
 */
export class FileCorruptionError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(options: { file: string; line: number; reason: string; cause?: unknown }) {
    super(
      `FileDriver: ${options.file} line ${options.line} is damaged (${options.reason}). ` +
        'The sessions that need this file cannot be read until it is repaired or removed; other sessions are unaffected.',
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'FileCorruptionError';
    this.file = options.file;
    this.line = options.line;
  }
}

/** Parses one line of JSON that must be an object, or throws `FileCorruptionError`. */
export function parseObjectLine(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileCorruptionError({ file, line, reason: 'not valid JSON', cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FileCorruptionError({ file, line, reason: 'not a JSON object' });
  }
  return value as Record<string, unknown>;
}
