/** Spawning agent child processes (`node --import tsx`) and reading their line-based reports. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The `staleRunMs` agent-turn.ts opens its store with: short, so a test sees heartbeats and silence. */
export const AGENT_TURN_STALE_RUN_MS = 2_000;

export interface AgentChild {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: string[];
  /** Resolves with the first line that starts with `prefix`. */
  lineStartingWith(prefix: string): Promise<string>;
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | string>;
}

export function spawnAgentChild(script: string, scriptArguments: string[]): AgentChild {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...scriptArguments], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiting: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiting]) {
      if (!line.startsWith(waiter.prefix)) continue;
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const lineStartingWith = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return resolve(found);
      waiting.push({ prefix, resolve });
      // A child that dies first would leave the wait hanging until the test's timeout; say why instead.
      void exited.then((code) => reject(new Error(`child exited (${code}) before printing "${prefix}": ${stderr.join('')}`)));
    });
  return { child, lines, stderr, lineStartingWith, exited };
}

/** Runs a child to the end and returns its JSON report (the line starting with `result `). */
export async function runAgentChild<T>(script: string, scriptArguments: string[]): Promise<T> {
  const child = spawnAgentChild(script, scriptArguments);
  const code = await child.exited;
  const line = child.lines.find((candidate) => candidate.startsWith('result '));
  if (code !== 0 || line === undefined) throw new Error(`child ${script} ${scriptArguments.join(' ')} exited ${code}: ${child.stderr.join('')}`);
  return JSON.parse(line.slice('result '.length)) as T;
}
