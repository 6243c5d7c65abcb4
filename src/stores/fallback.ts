/**
 * `SessionStore.fallback`, wired onto the class by the package entry: the fallback middleware
 * (src/drivers/fallback) wrapped around another store's driver.
 */
import { FallbackDriver, type FallbackOptions } from '../drivers/fallback/driver.js';
import { SessionStore, type StoreOptions } from '../session/store.js';

declare module '../session/store.js' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace SessionStore {
    /**
     * A store that keeps working while `primary` is down and loses nothing: see `FallbackOptions`.
     * It takes over the primary store (closing it closes the primary).
     *
     * @example
     * const store = SessionStore.fallback(await SessionStore.open(process.env.REDIS_URL!), {
     *   onFallback: (error) => log.warn('sessions degraded', error),
     *   onRecover: (report) => log.info('sessions recovered', report),
     * });
     */
    function fallback(primary: SessionStore, options?: FallbackOptions & StoreOptions): SessionStore;
  }
}

Object.assign(SessionStore, {
  fallback(primary: SessionStore, options: FallbackOptions & StoreOptions = {}): SessionStore {
    const { fallback, onFallback, onRecover, onConflict, probeIntervalMs, primaryDeadlineMs, cacheSessions, cacheMessagesPerSegment, ...storeOptions } = options;
    const records = primary.records;
    const driver = new FallbackDriver(records.baseDriver, {
      ...(fallback === undefined ? {} : { fallback }),
      ...(onFallback === undefined ? {} : { onFallback }),
      ...(onRecover === undefined ? {} : { onRecover }),
      ...(onConflict === undefined ? {} : { onConflict }),
      ...(probeIntervalMs === undefined ? {} : { probeIntervalMs }),
      primaryDeadlineMs: primaryDeadlineMs ?? storeOptions.deadlineMs ?? records.deadlineMs,
      ...(cacheSessions === undefined ? {} : { cacheSessions }),
      ...(cacheMessagesPerSegment === undefined ? {} : { cacheMessagesPerSegment }),
      ...(storeOptions.clock === undefined ? {} : { clock: storeOptions.clock }),
    });
    return SessionStore.fromDriver(driver, storeOptions);
  },
});
