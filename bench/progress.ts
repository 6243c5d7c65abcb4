/**
 * Progress of the run, one line per phase: when it started (since the start of the run), what it
 * does, and how long it took. On a terminal a long phase also shows a live count on its line; in a
 * log (no TTY) only the finished line is written, so captured output stays one clean line per phase.
 */
const runStart = process.hrtime.bigint();
const interactive = process.stdout.isTTY === true;
/** Redraw a live count at most this often: drawing must not cost the phase being timed. */
const REDRAW_INTERVAL_MS = 200;

function clock(): string {
  const seconds = Math.floor(Number(process.hrtime.bigint() - runStart) / 1e9);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

function formatSeconds(milliseconds: number): string {
  return milliseconds >= 10_000 ? `${(milliseconds / 1000).toFixed(0)} s` : `${(milliseconds / 1000).toFixed(1)} s`;
}

export interface Phase {
  /** Reports `done` of `total` units (drawn on a terminal only, throttled). */
  advance(done: number, total: number): void;
  /** Text added to the phase's finished line (e.g. how fast its setup went). */
  note(text: string): void;
}

function startPhase(store: string, description: string): Phase & { finish(outcome: 'done' | 'failed'): void } {
  const prefix = `[${clock()}] ${store.padEnd(8)} ${description}`;
  const started = Date.now();
  const notes: string[] = [];
  let lastDrawn = 0;
  if (interactive) process.stdout.write(`${prefix} …`);
  return {
    advance(done, total) {
      if (!interactive || Date.now() - lastDrawn < REDRAW_INTERVAL_MS) return;
      lastDrawn = Date.now();
      process.stdout.write(`\r\x1b[2K${prefix} … ${done}/${total}`);
    },
    note(text) {
      notes.push(text);
    },
    finish(outcome) {
      const details = [formatSeconds(Date.now() - started), ...notes, ...(outcome === 'failed' ? ['FAILED'] : [])];
      const line = `${prefix}: ${details.join(', ')}`;
      process.stdout.write(interactive ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}

/** A line that is not a phase (a skipped store, a server started). */
export function announce(store: string, message: string): void {
  process.stdout.write(`[${clock()}] ${store.padEnd(8)} ${message}\n`);
}

/** Runs `action` as a phase, finishing its line even when the action throws. */
export async function inPhase<Result>(store: string, description: string, action: (phase: Phase) => Promise<Result>): Promise<Result> {
  const phase = startPhase(store, description);
  try {
    const result = await action(phase);
    phase.finish('done');
    return result;
  } catch (error) {
    phase.finish('failed');
    throw error;
  }
}
