/**
 * Server-Sent Events, pulled: the next frame is produced (and so the next event read from the store)
 * only when the client has taken the previous one (the Node adapter waits for the socket to drain
 * before it reads on). A client that stops reading therefore holds at most one frame and the
 * socket's buffers on the server, however long the run; heartbeat comments, which keep proxies
 * from cutting a quiet stream, are only queued while the queue is empty.
 *
 * Two streams are built on it: a run's events (`runEventStream`: `id:` is the event's seq, so a
 * browser's EventSource reconnects with `Last-Event-ID` and misses nothing; `event: end` with the
 * run's status closes it), and the AI SDK's UI message stream (ui-message-stream.ts).
 */
import type { RunEvent } from '../types.js';

export const DEFAULT_HEARTBEAT_MS = 15_000;

const encoder = new TextEncoder();

/** One SSE frame. JSON never contains a raw line break, so `data:` is always a single line. */
export function sseFrame(fields: { id?: number; event?: string; data?: unknown; rawData?: string; comment?: string; retry?: number }): Uint8Array {
  let text = '';
  if (fields.comment !== undefined) text += `: ${fields.comment}\n`;
  if (fields.retry !== undefined) text += `retry: ${fields.retry}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  if (fields.data !== undefined) text += `data: ${JSON.stringify(fields.data)}\n`;
  if (fields.rawData !== undefined) text += `data: ${fields.rawData}\n`;
  return encoder.encode(`${text}\n`);
}

export interface PulledStreamOptions {
  /** The frames, in order; stopped through the signal when the client goes away. */
  frames(signal: AbortSignal): AsyncIterable<Uint8Array>;
  /** Sent first, at once: the client learns the stream is open. */
  opening?: Uint8Array;
  /** Sent when producing frames failed after the stream began (its headers are gone: no status code now). */
  failure(error: unknown): Uint8Array;
  heartbeatMs?: number;
  onError?(error: unknown): void;
}

export function pulledStream(options: PulledStreamOptions): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const finish = () => {
    clearInterval(heartbeat);
    stop.abort();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(stream) {
        if (options.opening) stream.enqueue(options.opening);
        iterator = options.frames(stop.signal)[Symbol.asyncIterator]();
        heartbeat = setInterval(() => {
          if ((stream.desiredSize ?? 0) > 0) stream.enqueue(sseFrame({ comment: 'heartbeat' }));
        }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      },
      async pull(stream) {
        try {
          const next = await iterator!.next();
          if (stop.signal.aborted) return;
          if (!next.done) return stream.enqueue(next.value);
        } catch (error) {
          if (stop.signal.aborted) return;
          options.onError?.(error);
          stream.enqueue(options.failure(error));
        }
        finish();
        stream.close();
      },
      async cancel() {
        finish();
        await iterator?.return?.();
      },
    },
    // Counted in chunks: one frame (or heartbeat) waits for the client at most.
    { highWaterMark: 1 },
  );
}

export interface RunEventStreamOptions {
  /** The follow, stopped through the signal when the client goes away. */
  follow(signal: AbortSignal): AsyncIterable<RunEvent>;
  /** What the closing `end` event says (the run's status), worked out once the follow is over. */
  ending(lastEvent: RunEvent | undefined): Promise<Record<string, unknown>>;
  heartbeatMs?: number;
  onError?(error: unknown): void;
}

export function runEventStream(options: RunEventStreamOptions): ReadableStream<Uint8Array> {
  return pulledStream({
    opening: sseFrame({ comment: 'sessionloom run events', retry: 1_000 }),
    async *frames(signal) {
      let lastEvent: RunEvent | undefined;
      for await (const event of options.follow(signal)) {
        lastEvent = event;
        yield sseFrame({ id: event.seq, data: event });
      }
      if (!signal.aborted) yield sseFrame({ event: 'end', data: await options.ending(lastEvent) });
    },
    // Not `event: error`: EventSource fires its own connection errors under that name.
    failure: () => sseFrame({ event: 'stream-error', data: { message: 'The event stream failed; reconnect to resume.' } }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
}
