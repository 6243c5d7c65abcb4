/**
 * `RunStream`: what `Runner.stream` returns. The run starts at once and goes on whether or not
 * anyone iterates; events wait in a buffer until they are read. Breaking out of the loop stops
 * the buffering, not the run (cancel with the `signal` option).
 */
import type { RunStreamEvent } from './run-events.js';
import type { RunResult } from './run-result.js';

/**
 * The events of a run as they happen, ending with the same result `Runner.run` returns.
 *
 * @example
 * const stream = Runner.stream(agent, { input: 'Hi', session: { store } });
 * for await (const event of stream) if (event.type === 'text-delta') process.stdout.write(event.text);
 * const { sessionId, output } = await stream.result;
 */
export class RunStream implements AsyncIterable<RunStreamEvent> {
  /** The run's result; rejects with the run's error (or the cancellation) when it fails. */
  readonly result: Promise<RunResult>;
  private readonly buffer: RunStreamEvent[] = [];
  private wake: (() => void) | undefined;
  private outcome: { result: RunResult } | { error: unknown } | undefined;
  private iterated = false;
  private detached = false;

  constructor(start: (emit: (event: RunStreamEvent) => void) => Promise<RunResult>) {
    this.result = start((event) => this.push(event)).then(
      (result) => {
        this.settle({ result });
        return result;
      },
      (error: unknown) => {
        this.settle({ error });
        throw error;
      },
    );
    // Whoever iterates sees a failure there; a `result` nobody awaits must not crash the process.
    this.result.catch(() => {});
  }

  /** Only the text as it arrives. Consumes the stream (iterate one or the other). */
  get textStream(): AsyncIterable<string> {
    const events: AsyncIterable<RunStreamEvent> = this;
    return (async function* () {
      for await (const event of events) if (event.type === 'text-delta') yield event.text;
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<RunStreamEvent, RunResult | undefined> {
    if (this.iterated) throw new Error('A run stream can be iterated only once; await `result` for the outcome.');
    this.iterated = true;
    return {
      next: async () => {
        for (;;) {
          const event = this.buffer.shift();
          if (event) return { done: false, value: event };
          if (this.outcome && 'error' in this.outcome) throw this.outcome.error;
          if (this.outcome) return { done: true, value: this.outcome.result };
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: async () => {
        this.detached = true;
        this.buffer.length = 0;
        return { done: true, value: undefined };
      },
    };
  }

  private push(event: RunStreamEvent): void {
    if (this.detached) return;
    this.buffer.push(event);
    this.notify();
  }

  private settle(outcome: { result: RunResult } | { error: unknown }): void {
    this.outcome = outcome;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
