/**
 * Run signals over Redis pub/sub: a signal is `PUBLISH <prefix>run-signal:<runId>`; a process with
 * watchers holds one extra connection (a duplicate of the driver's client, in subscriber mode) that
 * SUBSCRIBEs to the channel of each run watched here while someone watches it, so the server sends
 * each process only the runs it cares about. ioredis reconnects that connection by itself and
 * subscribes again; signals sent while it was away are lost, which watchers cover by rechecking.
 *
 * Pub/sub ignores the database number: stores with the same key prefix on two databases of one
 * server share channels, which only wakes some watchers for nothing.
 */
import { LocalRunSignals } from '../../driver/local-run-signals.js';
import type { RedisClientLike } from './client.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';

/** The ioredis methods of a subscriber connection. */
interface SubscriberClient {
  readonly status?: string;
  connect(): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

type DuplicableClient = RedisClientLike & { duplicate?(): SubscriberClient };

export class RedisRunSignals {
  private readonly watchers = new LocalRunSignals();
  /** Watchers per run, and the channel's run. */
  private readonly watched = new Map<string, { runId: string; count: number; subscribed: Promise<unknown> }>();
  private subscriber: Promise<SubscriberClient> | undefined;
  private closed = false;

  constructor(
    private readonly client: RedisClientLike,
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {}

  async signal(runId: string): Promise<void> {
    await this.connection.call('PUBLISH', this.keys.runSignalChannel(runId), '1');
  }

  async watch(runId: string, onSignal: () => void): Promise<() => Promise<void>> {
    const channel = this.keys.runSignalChannel(runId);
    const subscriber = await this.connectSubscriber();
    const stopLocal = this.watchers.watch(runId, onSignal);
    let entry = this.watched.get(channel);
    if (!entry) {
      entry = { runId, count: 0, subscribed: subscriber.subscribe(channel) };
      this.watched.set(channel, entry);
    }
    entry.count += 1;
    const current = entry;
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      stopLocal();
      current.count -= 1;
      if (current.count > 0 || this.watched.get(channel) !== current) return;
      this.watched.delete(channel);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await current.subscribed;
    } catch (error) {
      if (this.watched.get(channel) === current) this.watched.delete(channel);
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    this.closed = true;
    const subscriber = await this.subscriber?.catch(() => undefined);
    this.subscriber = undefined;
    if (!subscriber) return;
    await Promise.race([subscriber.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    subscriber.disconnect();
  }

  private connectSubscriber(): Promise<SubscriberClient> {
    if (this.closed) return Promise.reject(new Error('RedisDriver: the driver is closed (watchRun).'));
    if (this.subscriber) return this.subscriber;
    const connecting = (async () => {
      const duplicate = (this.client as DuplicableClient).duplicate;
      if (typeof duplicate !== 'function') throw new Error('RedisDriver: run signals need a client with duplicate() (an ioredis client).');
      const subscriber = duplicate.call(this.client);
      subscriber.on('error', () => undefined); // reported through the calls that fail; ioredis reconnects
      subscriber.on('message', (channel) => {
        const entry = this.watched.get(channel);
        if (entry) this.watchers.signal(entry.runId);
      });
      // A lazily connecting client (the driver's own) must be told to connect; one that connects by itself must not be.
      if (subscriber.status === 'wait') await subscriber.connect();
      return subscriber;
    })();
    this.subscriber = connecting;
    connecting.catch(() => {
      if (this.subscriber === connecting) this.subscriber = undefined;
    });
    return connecting;
  }
}
