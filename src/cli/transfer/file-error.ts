/**
 * A file the command was given but cannot use, as a typed error naming the file and the reason in
 * words (exit 1), rather than Node's `ENOENT: no such file or directory, open ...` with a stack hint.
 */
import { InvalidArgumentError } from '../../errors.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent of it is not a directory',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
};

/** `problem`: the error the file system gave, or the reason in words. */
export function unusableFile(argument: string, file: string, problem: unknown): InvalidArgumentError {
  return new InvalidArgumentError({ argument, message: `cannot use "${file}": ${reasonOf(problem)}.`, cause: problem });
}

function reasonOf(problem: unknown): string {
  if (typeof problem === 'string') return problem;
  const code = (problem as NodeJS.ErrnoException | undefined)?.code;
  return (code === undefined ? undefined : REASONS[code]) ?? (problem instanceof Error ? problem.message : String(problem));
}
