/**
 * A run's events as Server-Sent Events: `id:` is the event's seq (so a browser's EventSource
 * reconnects with `Last-Event-ID` and misses nothing), `data:` the event as JSON, a comment line as
 * a heartbeat so proxies do not cut a quiet stream, and `event: end` (with the run's status) when
 * the run is over.
 *
 * The stream is pulled: the next event is read from the store only when the client has taken the
 * previous one (the Node adapter waits for the socket to drain before it reads on). A client that
 * stops reading therefore holds at most one event and the socket's buffers on the server, however
 * long the run; heartbeats are only queued while the queue is empty.
 */
import type { RunEvent } from '../types.js';

export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface RunEventStreamOptions {
  /** The follow, stopped through the signal when the client goes away. */
  follow(signal: AbortSignal): AsyncIterable<RunEvent>;
  /** What the closing `end` event says (the run's status), worked out once the follow is over. */
  ending(lastEvent: RunEvent | undefined): Promise<Record<string, unknown>>;
  heartbeatMs?: number;
  /** Told when the stream failed after it began (its headers were sent: the client sees `event: stream-error`). */
  onError?(error: unknown): void;
}

const encoder = new TextEncoder();

/** One SSE frame. JSON never contains a raw line break, so `data:` is always a single line. */
export function sseFrame(fields: { id?: number; event?: string; data?: unknown; comment?: string; retry?: number }): Uint8Array {
  let text = '';
  if (fields.comment !== undefined) text += `: ${fields.comment}\n`;
  if (fields.retry !== undefined) text += `retry: ${fields.retry}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  if (fields.data !== undefined) text += `data: ${JSON.stringify(fields.data)}\n`;
  return encoder.encode(`${text}\n`);
}

export function runEventStream(options: RunEventStreamOptions): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  let iterator: AsyncIterator<RunEvent> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let lastEvent: RunEvent | undefined;
  const finish = () => {
    clearInterval(heartbeat);
    stop.abort();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(stream) {
        // A first frame at once: the client learns the stream is open, and how soon to reconnect.
        stream.enqueue(sseFrame({ comment: 'sessionloom run events', retry: 1_000 }));
        iterator = options.follow(stop.signal)[Symbol.asyncIterator]();
        heartbeat = setInterval(() => {
          if ((stream.desiredSize ?? 0) > 0) stream.enqueue(sseFrame({ comment: 'heartbeat' }));
        }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      },
      async pull(stream) {
        try {
          const next = await iterator!.next();
          if (stop.signal.aborted) return;
          if (!next.done) {
            lastEvent = next.value;
            stream.enqueue(sseFrame({ id: next.value.seq, data: next.value }));
            return;
          }
          stream.enqueue(sseFrame({ event: 'end', data: await options.ending(lastEvent) }));
        } catch (error) {
          if (stop.signal.aborted) return;
          options.onError?.(error);
          // Not `event: error`: EventSource fires its own connection errors under that name.
          stream.enqueue(sseFrame({ event: 'stream-error', data: { message: 'The event stream failed; reconnect to resume.' } }));
        }
        finish();
        stream.close();
      },
      async cancel() {
        finish();
        await iterator?.return?.();
      },
    },
    // Counted in chunks: one event (or heartbeat) waits for the client at most.
    { highWaterMark: 1 },
  );
}
