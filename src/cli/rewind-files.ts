/** How `sessionloom rewind --files` reports the workspace: what went back, what went away, and conflicts. */
import type { RewoundFiles } from '../types.js';
import { plural } from './output.js';

/** One line per path, grouped by what happened to it (or, in a dry run, would happen). */
export function fileLines(files: RewoundFiles, dryRun: boolean): string[] {
  const groups: Array<[title: string, paths: string[]]> = [
    [dryRun ? 'Would restore' : 'Restored', files.restored],
    [dryRun ? 'Would remove' : 'Removed', files.removed],
    [dryRun ? 'Would remove directories' : 'Removed directories', files.removedDirectories],
    // Only a dry run or --force gets here with conflicts: without --force a conflict stops the rewind.
    [dryRun ? 'Conflicts (changed by someone else; a rewind needs --force)' : 'Overwritten despite changes by someone else', files.conflicts],
    ['Skipped (not in the checkpoint, left as they are)', files.skipped],
  ];
  const changes = files.restored.length + files.removed.length + files.removedDirectories.length;
  const lines = [`Workspace ${files.workspace}: ${changes === 0 ? 'no file changes' : plural(changes, 'change')}${dryRun ? ' planned' : ''}.`];
  for (const [title, paths] of groups) {
    if (paths.length === 0) continue;
    lines.push(`${title} (${paths.length}):`, ...paths.map((path) => `  ${path}`));
  }
  return lines;
}

export function workspaceConflictMessage(sessionId: string, files: string[]): string {
  return [
    `Rewinding session "${sessionId}" would overwrite ${plural(files.length, 'file')} changed since the agent's last turn by someone else:`,
    ...files.map((path) => `  ${path}`),
    'Nothing was changed. Save those changes elsewhere, then run again with --force to overwrite them, or with --dry-run to see the whole plan.',
  ].join('\n');
}

/** `--workspace` holds the command's own store (with `--workspace .`, the default ./sessions.db does). */
export function storeInWorkspaceMessage(workspace: string, storeUrl: string): string {
  return [
    `"${workspace}" holds this command's session store (${storeUrl}), so its files cannot be rewound: a rewind would put old copies of the store's own files back and lose what was written since.`,
    'Nothing was changed. Keep the store outside the workspace: pass --store (or set SESSIONLOOM_STORE) with a path in another directory, ' +
      'for example --store sqlite:$HOME/.sessionloom/sessions.db (sessionloom migrate --to URL moves the sessions there).',
  ].join('\n');
}
