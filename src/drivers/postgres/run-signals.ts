/**
 * Run signals over PostgreSQL's LISTEN/NOTIFY. A signal is `pg_notify(channel, runId)`; a process
 * with watchers holds one pooled connection that LISTENs on the channel (whatever the number of
 * runs it watches), hands each notification to the watchers of the run it names, and gives the
 * connection back to the pool when its last watcher leaves.
 *
 * The channel is per store (schema and table prefix), named by a hash so it fits PostgreSQL's
 * 63-byte identifiers. NOTIFY is database-wide, so every listening process hears every signal of
 * its store and filters by run id: a notification is a few dozen bytes, and a run signals at most
 * about ten times a second (deltas are coalesced), so this stays cheap next to the writes signaled.
 */
import { createHash } from 'node:crypto';
import { LocalRunSignals } from '../../driver/local-run-signals.js';
import type { PgPoolClientLike, PgPoolLike } from './pool.js';

interface Notification {
  channel: string;
  payload?: string;
}

/** A pooled pg client, which is an EventEmitter (`notification`, `error`). */
interface ListeningClient extends PgPoolClientLike {
  on(event: 'notification', listener: (message: Notification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How long to wait before listening again after the listening connection was lost (watchers recheck meanwhile). */
const RELISTEN_DELAY_MS = 1_000;

export function runSignalChannel(schemaName: string, tablePrefix: string): string {
  return `sessionloom_runs_${createHash('sha256').update(`${schemaName}.${tablePrefix}`).digest('hex').slice(0, 16)}`;
}

/** The listening connection, released to the pool exactly once (an error after an UNLISTEN must not release it twice). */
interface Listener {
  client: ListeningClient;
  release(error?: Error): void;
}

export class PostgresRunSignals {
  private readonly watchers = new LocalRunSignals();
  private watcherCount = 0;
  private listening: Promise<Listener> | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: PgPoolLike,
    private readonly channel: string,
  ) {}

  /** NOTIFY; delivered to listeners when the statement's (implicit) transaction commits, i.e. at once. */
  async signal(runId: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, runId]);
  }

  async watch(runId: string, onSignal: () => void): Promise<() => Promise<void>> {
    const stopLocal = this.watchers.watch(runId, onSignal);
    this.watcherCount += 1;
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      stopLocal();
      this.watcherCount -= 1;
      if (this.watcherCount === 0) await this.unlisten();
    };
    try {
      await this.listen();
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    await this.unlisten();
  }

  private listen(): Promise<Listener> {
    if (this.closed) return Promise.reject(new Error('PostgresDriver: the driver is closed (watchRun).'));
    if (this.listening) return this.listening;
    const listening = this.connectListener();
    this.listening = listening;
    listening.catch(() => {
      if (this.listening === listening) this.listening = undefined;
    });
    return listening;
  }

  private async connectListener(): Promise<Listener> {
    const client = (await this.pool.connect()) as ListeningClient;
    let released = false;
    const listener: Listener = {
      client,
      release: (error) => {
        if (released) return;
        released = true;
        client.release(error ?? false);
      },
    };
    client.on('error', (error) => this.lost(listener, error));
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.watchers.signal(message.payload);
    });
    try {
      // The channel is a hash in hex (no user input); LISTEN takes an identifier, not a parameter.
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      listener.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return listener;
  }

  /** The listening connection broke: drop it, and listen again a little later if anyone still watches. */
  private lost(listener: Listener, error: Error): void {
    listener.release(error);
    void this.listening?.then((current) => {
      if (current !== listener) return;
      this.listening = undefined;
      if (this.closed || this.watcherCount === 0) return;
      clearTimeout(this.relisten);
      this.relisten = setTimeout(() => {
        if (this.watcherCount > 0 && !this.listening) this.listen().catch(() => undefined);
      }, RELISTEN_DELAY_MS);
      this.relisten.unref();
    }, () => undefined);
  }

  private async unlisten(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    const listener = await listening?.catch(() => undefined);
    if (!listener) return;
    try {
      await listener.client.query(`UNLISTEN "${this.channel}"`);
      listener.release();
    } catch (error) {
      listener.release(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
