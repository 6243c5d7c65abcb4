/**
 * Permission failures, in a child process running as an unprivileged user (as root, permission
 * bits would not stop anything and the test could not fail): see test/process/restore-permissions.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./process/restore-permissions.ts', import.meta.url));
/** `nobody` on Debian and most Linux systems. */
const UNPRIVILEGED = 65534;

describe('permission failures', () => {
  it('skips an unreadable file with a reason, and a read-only directory makes the rewind fail with every file put back and the head unmoved', async () => {
    const asRoot = process.getuid?.() === 0;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      ...(asRoot ? { uid: UNPRIVILEGED, gid: UNPRIVILEGED } : {}),
      env: { ...process.env, HOME: '/tmp' },
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.uid).not.toBe(0);
    expect(report.skipped).toEqual([{ path: 'secret.txt', size: 17, reason: 'unreadable' }]);
    expect(report.error).toMatch(/restoring "locked\/b.txt" failed \(EACCES.*put back/);
    expect(report.workspaceUnchanged).toBe(true);
    expect(report.after).toEqual(['a.txt:644:a2', 'locked/b.txt:644:b2', 'secret.txt:0:unreadable']);
    expect(report.headUnchanged).toBe(true);
  });
});
