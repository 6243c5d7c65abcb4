/** Spawning writer processes (real processes, so crashes and locks are real). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const writerScript = fileURLToPath(new URL('./append-writer.ts', import.meta.url));

export interface Writer {
  child: ChildProcessWithoutNullStreams;
  /** Every line the writer printed so far. */
  lines: string[];
  /** Resolves once the writer printed "ready". */
  ready: Promise<void>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stderr: string[];
}

export function spawnWriter(url: string, sessionId: string, writer: string, count: number): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, url, sessionId, writer, String(count)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (line === 'ready') markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, lines, ready, exited, stderr };
}

/** The contents each writer acknowledged (`ack <content> <id>` lines). */
export function acknowledged(writer: Writer): Array<{ content: string; id: string }> {
  return writer.lines
    .filter((line) => line.startsWith('ack '))
    .map((line) => {
      const [, content, id] = line.split(' ');
      return { content: content ?? '', id: id ?? '' };
    });
}
