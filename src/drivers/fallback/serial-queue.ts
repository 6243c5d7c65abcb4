/**
 * Runs jobs one after another, whether or not the previous one failed. Degraded writes and the end
 * of a replay go through one, so no write slips in between a replay's last entry and the switch back.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<Result>(job: () => Promise<Result>): Promise<Result> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Settles when every job queued so far has. */
  drained(): Promise<void> {
    return this.tail.then(() => {});
  }
}
