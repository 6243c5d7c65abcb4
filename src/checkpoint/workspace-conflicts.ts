/**
 * Conflicts: files a rewind would overwrite or delete that someone other than the agent changed
 * since sessionloom last knew the workspace. What it last knew is a checkpoint's state with, when
 * the turn that followed was recorded as finished, that turn's changes on top. A file whose
 * current content differs from that was changed by someone else (a person, another program).
 *
 * When the end of the turn was not recorded (the process died mid-turn, or an agent of your own
 * did not call `finishCheckpoint`), the agent's own edits cannot be told apart from anyone else's,
 * and every file the rewind would change since that checkpoint is reported: reporting too much is
 * recoverable (`force`), overwriting a person's work silently is not.
 */
import { sameContent, type FileEntry } from './file-entry.js';
import type { RestorePlan } from './restore-plan.js';
import type { StateDelta, WorkspaceState } from './workspace-state.js';

export interface KnownWorkspace {
  state: WorkspaceState;
  /** What the turn after the checkpoint changed, if its end was recorded. */
  after?: StateDelta;
}

/** The paths of the plan whose current content is not what sessionloom last knew, sorted. */
export function findConflicts(plan: RestorePlan, known: KnownWorkspace): string[] {
  const conflicts: string[] = [];
  for (const [path, current] of plan.current) {
    if (!sameContent(current, expectedEntry(known, path))) conflicts.push(path);
  }
  return conflicts.sort();
}

function expectedEntry(known: KnownWorkspace, path: string): FileEntry | undefined {
  const changed = known.after?.files.get(path);
  if (changed !== undefined) return changed === 'absent' ? undefined : changed;
  return known.state.files.get(path);
}
