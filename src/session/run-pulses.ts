/**
 * When to look at a run again: the wake-ups behind `followRun` and the runner's watch for cancel
 * requests. One pulse per watched run per store object, shared by everyone watching that run here.
 *
 * - Drivers with `runSignals` (PostgreSQL, Redis, memory) push: a watcher wakes when any process
 *   signals the run, and also every `SIGNALED_RECHECK_MS`, which covers a signal lost with a
 *   dropped connection and notices a writer that died (it signals nothing; its run goes stale).
 * - The others (SQLite, files) are polled every `POLL_INTERVAL_MS`; a writer in this same process
 *   wakes its watchers at once all the same.
 *
 * A pulse is a hint to re-read, never data: a missed or doubled one costs latency, not events.
 */
import { LocalRunSignals } from '../driver/local-run-signals.js';
import { supportsRunSignals, type StorageDriver } from '../driver/driver.js';

/**
 * How often a watched run is re-read where nothing pushes. 100 ms keeps a follower in another
 * process within 50 ms of the writer on average (text appears at reading pace), at one primary-key
 * read per watched run per tick (about 10 µs on SQLite: 100 idle followers cost about 1% of a core).
 */
export const POLL_INTERVAL_MS = 100;
/** How often a watched run is re-read anyway where changes are pushed. */
export const SIGNALED_RECHECK_MS = 1_000;

export interface PulseOptions {
  /**
   * Whether waiting on this pulse keeps the process alive (default true: a script following a run
   * must not exit mid-run). The runner's own watch for cancel requests does not.
   */
  keepAlive?: boolean;
}

interface Listener {
  fire: () => void;
  keepAlive: boolean;
}

interface Pulse {
  readonly listeners: Set<Listener>;
  /** Re-reads on a clock: the poll, or the recheck beside pushed signals. */
  timer: NodeJS.Timeout;
  /** Resolves once pushed signals reach the listeners. */
  ready: Promise<void>;
  /** Stops the signals (pushed or local). */
  stopSignals?: () => Promise<void> | void;
  stopped: boolean;
}

export class RunPulses {
  private readonly local = new LocalRunSignals();
  private readonly pulses = new Map<string, Pulse>();

  constructor(private readonly driver: StorageDriver) {}

  /**
   * Wakes the run's watchers: in this process at once, and in others through the driver when it
   * pushes. Never fails: the write it announces has already happened, and watchers re-read anyway.
   */
  async signal(runId: string): Promise<void> {
    if (!supportsRunSignals(this.driver)) {
      this.local.signal(runId);
      return;
    }
    await this.driver.signalRun(runId).catch(() => undefined);
  }

  /** Calls `onPulse` whenever the run may have changed; resolves once signals sent from now on will reach it. */
  async subscribe(runId: string, onPulse: () => void, options: PulseOptions = {}): Promise<() => void> {
    let pulse = this.pulses.get(runId);
    if (!pulse) this.pulses.set(runId, (pulse = this.start(runId)));
    const listener: Listener = { fire: onPulse, keepAlive: options.keepAlive ?? true };
    pulse.listeners.add(listener);
    keepAliveIfNeeded(pulse);
    await pulse.ready;
    const owned = pulse;
    return () => {
      if (!owned.listeners.delete(listener)) return;
      if (owned.listeners.size > 0) keepAliveIfNeeded(owned);
      else this.finish(runId, owned);
    };
  }

  private start(runId: string): Pulse {
    const listeners = new Set<Listener>();
    const fire = () => {
      for (const listener of [...listeners]) listener.fire();
    };
    const driver = this.driver;
    if (!supportsRunSignals(driver)) {
      const stopSignals = this.local.watch(runId, fire);
      return { listeners, timer: setInterval(fire, POLL_INTERVAL_MS), ready: Promise.resolve(), stopSignals, stopped: false };
    }
    const pulse: Pulse = { listeners, timer: setInterval(fire, SIGNALED_RECHECK_MS), ready: Promise.resolve(), stopped: false };
    pulse.ready = driver.watchRun(runId, fire).then(
      (stop) => {
        if (pulse.stopped) void Promise.resolve(stop()).catch(() => undefined);
        else pulse.stopSignals = stop;
      },
      () => {
        // Nothing pushes for now (the server is away): poll as for SQLite, rather than wait a whole recheck.
        if (pulse.stopped) return;
        clearInterval(pulse.timer);
        pulse.timer = setInterval(fire, POLL_INTERVAL_MS);
        keepAliveIfNeeded(pulse);
      },
    );
    return pulse;
  }

  private finish(runId: string, pulse: Pulse): void {
    pulse.stopped = true;
    clearInterval(pulse.timer);
    if (this.pulses.get(runId) === pulse) this.pulses.delete(runId);
    if (pulse.stopSignals) void Promise.resolve(pulse.stopSignals()).catch(() => undefined);
  }
}

/** A pulse's timer holds the process open only while someone who asked for that waits on it. */
function keepAliveIfNeeded(pulse: Pulse): void {
  const keep = [...pulse.listeners].some((listener) => listener.keepAlive);
  if (keep) pulse.timer.ref();
  else pulse.timer.unref();
}
