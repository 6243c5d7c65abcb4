/**
 * Calls raced against one fixed deadline, watched by one timer. A timer per call (setTimeout and
 * clearTimeout around every driver call) cost an append about a twentieth of its CPU, profiled: an
 * append makes several driver calls. Every call of a queue has the same deadline, so calls expire
 * in the order they were made: the queue is a FIFO, and one timer, armed for its oldest call still
 * running, watches them all.
 *
 * The timer holds the process open only while a call is running (as a timer per call did): when
 * the last call settles it is unref'd, not cleared, so the next call only refs it again.
 */

interface PendingCall {
  expiresAt: number;
  settled: boolean;
  /** Cleared once settled: a settled call must not keep its promise (and its result) reachable. */
  fail: ((error: unknown) => void) | undefined;
  expire: () => Error;
}

export class DeadlineQueue {
  private pending: PendingCall[] = [];
  /** Index of the oldest entry still held: settled entries before it are dropped lazily. */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deadlineMs: number) {}

  /** Runs `run`, failing with `expire()` if it has not settled within the deadline. */
  race<Result>(run: () => Promise<Result>, expire: () => Error): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const call: PendingCall = { expiresAt: performance.now() + this.deadlineMs, settled: false, fail: reject, expire };
      this.pending.push(call);
      if (this.timer === undefined) this.arm();
      else this.timer.ref();
      let running: Promise<Result>;
      try {
        running = run();
      } catch (error) {
        this.settle(call);
        reject(error);
        return;
      }
      running.then(
        (value) => {
          if (call.settled) return; // expired already
          this.settle(call);
          resolve(value);
        },
        (error: unknown) => {
          if (call.settled) return;
          this.settle(call);
          reject(error);
        },
      );
    });
  }

  private settle(call: PendingCall): void {
    call.settled = true;
    call.fail = undefined;
    this.dropSettled();
    if (this.head === this.pending.length) {
      // Nothing runs: start the array afresh and let the process exit if it has nothing else to do.
      this.pending = [];
      this.head = 0;
      this.timer?.unref();
    }
  }

  /** Drops settled calls at the front (the common case: calls settle in the order they were made). */
  private dropSettled(): void {
    while (this.head < this.pending.length && this.pending[this.head]!.settled) this.head += 1;
    // Compact once most of the array is behind the head, so a long busy stretch does not grow it forever.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private arm(): void {
    const oldest = this.pending[this.head];
    if (oldest === undefined) return;
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, oldest.expiresAt - performance.now()));
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = performance.now();
    for (let call = this.pending[this.head]; call !== undefined && (call.settled || call.expiresAt <= now); call = this.pending[this.head]) {
      this.head += 1;
      if (call.settled) continue;
      const fail = call.fail;
      call.settled = true;
      call.fail = undefined;
      fail?.(call.expire());
    }
    this.dropSettled();
    this.arm();
  }
}
