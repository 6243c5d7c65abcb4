/**
 * Coalescing a streamed answer's deltas into run events, so a follower in another process sees the
 * text as it is generated without the log getting one row (and one durable write) per token.
 *
 * Deltas are held until `FLUSH_AFTER_MS` after the first one (or `FLUSH_AT_CHARS` characters), then
 * written as one `text-delta` (or `reasoning-delta`) event per run of same-kind deltas of a step.
 * 100 ms is below what a reader notices as lag and keeps a run to at most ten writes a second
 * (models stream 30-100 tokens a second: a write carries a few tokens, not one); the size bound caps
 * one event and what a crash can take from the live view in a burst. The stored assistant message
 * and the step's `text` event stay the truth: deltas are a live view of them.
 */
import type { RunEventInput } from '../types.js';

export const FLUSH_AFTER_MS = 100;
export const FLUSH_AT_CHARS = 2_048;

export type DeltaKind = 'text-delta' | 'reasoning-delta';

interface PendingDelta {
  type: DeltaKind;
  step: number;
  text: string;
}

export class DeltaBuffer {
  private pending: PendingDelta[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `flush` is called when the held deltas are due; it should `take()` them (now or once earlier writes are done). */
  constructor(private readonly flush: () => void) {}

  add(type: DeltaKind, step: number, text: string): void {
    if (text.length === 0) return;
    const last = this.pending.at(-1);
    if (last && last.type === type && last.step === step) last.text += text;
    else this.pending.push({ type, step, text });
    this.chars += text.length;
    if (this.chars >= FLUSH_AT_CHARS) return this.due();
    if (!this.timer) {
      this.timer = setTimeout(() => this.due(), FLUSH_AFTER_MS);
      // A run in progress holds its process open anyway; a forgotten buffer must not.
      this.timer.unref();
    }
  }

  /** The held deltas as events, oldest first; the buffer is empty afterwards. */
  take(): RunEventInput[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending.map((delta) => ({ type: delta.type, data: { step: delta.step, text: delta.text } }));
    this.pending = [];
    this.chars = 0;
    return events;
  }

  private due(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
