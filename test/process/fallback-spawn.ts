/** Spawning fallback writer processes (see fallback-writer.ts). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const writerScript = fileURLToPath(new URL('./fallback-writer.ts', import.meta.url));

export interface FallbackWriter {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  ready: Promise<void>;
  exited: Promise<number | string>;
  /** Resolves once the writer has acknowledged at least `count` appends (rejects if it exits first). */
  waitForAcks(count: number): Promise<void>;
  /** Resolves once the writer has printed this exact line (rejects if it exits first). */
  waitForLine(line: string): Promise<void>;
}

export function spawnFallbackWriter(url: string, journal: string, sessionId: string, writer: string, start: number, count: number): FallbackWriter {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, url, journal, sessionId, writer, String(start), String(count)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  const acks = () => lines.filter((line) => line.startsWith('ack ')).length;
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (line.startsWith('ready')) markReady();
    for (const waiter of waiters.splice(0)) {
      if (waiter.done()) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const waitFor = (done: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      waiters.push({ done, resolve });
      void exited.then((code) => reject(new Error(`writer exited (${code}) after ${acks()} acks, waiting for ${what}: ${stderr.join('')}`)));
    });
  return {
    child,
    lines,
    ready,
    exited,
    waitForAcks: (count) => waitFor(() => acks() >= count, `${count} acks`),
    waitForLine: (expected) => waitFor(() => lines.includes(expected), `"${expected}"`),
  };
}

export function acknowledgedContents(writer: FallbackWriter): string[] {
  return writer.lines.filter((line) => line.startsWith('ack ')).map((line) => line.slice('ack '.length));
}
