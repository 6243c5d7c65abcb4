/**
 * The driver-level conformance suite (`runDriverConformance` in `sessionloom/testing`): what a
 * storage driver must do for the core to build sessions on it, tested on the driver alone, below
 * the store. It reads the capabilities the driver declares and tests each part it promises:
 *
 * - commit batches: version compare-and-set (0: the session must not exist), `checks`,
 *   `duplicate-message`, `duplicate-operation`, all or nothing whichever condition fails, and
 *   `deleteSessions` taking operation records (and runs) along;
 * - sessions read back exactly, and `listSessions` agreeing with `query-match.ts` for every query
 *   field, order, keyset position and limit, hostile strings included;
 * - segments, messages (ranges, order, limit, `locateMessage`), operation records, and deleting
 *   message tails and segments;
 * - runs and their events (`capabilities.runs`), run signals (`capabilities.runSignals`), `listOperations` (`capabilities.listOperations`),
 *   checkpoints, blobs and their collection (`capabilities.checkpoints`): a capability the driver
 *   does not declare shows as skipped tests; `searchMessages` (`capabilities.search`), the index
 *   following every commit and deletion;
 * - records never shared with the driver's state, and `close` idempotent.
 *
 * A third-party driver's test file is a few lines:
 *
 * ```ts
 * // test/mongo-driver.test.ts
 * import { runDriverConformance } from 'sessionloom/testing';
 * import { MongoDriver } from '../src/mongo-driver.js';
 *
 * runDriverConformance({
 *   name: 'mongo',
 *   // Called before every test: a new driver object over one shared database is fine.
 *   createDriver: () => MongoDriver.connect({ url: process.env.MONGO_URL!, database: 'sessionloom_test' }),
 *   // Optional; `driver.close()` when absent.
 *   destroyDriver: (driver) => driver.close(),
 * });
 * ```
 *
 * The suite writes batches the way the core does, and a driver may rely on it: messages added to a
 * session's head segment come with that session's head moved past them (`messageCount`), and run
 * events with their run's `eventCount` moved past them, in the same batch (the file driver shows
 * nothing beyond a head, which is how a half-written commit stays invisible).
 *
 * Every test uses random ids and looks only at its own records, so all tests (and earlier runs)
 * may share one database. `collectCheckpoints` is store-wide: its tests first collect what was
 * left before, so they must not run alongside other writers of the same database.
 */
import { describe } from 'vitest';
import { registerCapabilityTests } from './capabilities.js';
import { registerCheckpointTests } from './checkpoints.js';
import { registerCollectionTests } from './collection.js';
import { registerAtomicityTests } from './commit-atomicity.js';
import { registerDuplicateTests } from './commit-duplicates.js';
import { registerVersionTests } from './commit-versions.js';
import { createDriverContext, type DriverConformanceOptions } from './context.js';
import { registerDeletionTests } from './deletion.js';
import { registerIsolationTests } from './isolation.js';
import { registerHostileListTests } from './list-sessions-hostile.js';
import { registerListSessionTests } from './list-sessions.js';
import { registerMessageTests } from './messages.js';
import { registerOperationTests } from './operations.js';
import { registerRunSignalTests } from './run-signals.js';
import { registerRunTests } from './runs.js';
import { registerSearchIndexTests } from './search.js';
import { registerSegmentTests } from './segments.js';
import { registerSessionTests } from './sessions.js';

export type { DriverConformanceOptions } from './context.js';

/** Registers the driver conformance suite with vitest, in a `describe` named after the driver. */
export function runDriverConformance(options: DriverConformanceOptions): void {
  describe(`sessionloom driver conformance: ${options.name}`, () => {
    const context = createDriverContext(options);
    registerCapabilityTests(context);
    registerVersionTests(context);
    registerDuplicateTests(context);
    registerAtomicityTests(context);
    registerSessionTests(context);
    registerListSessionTests(context);
    registerHostileListTests(context);
    registerSegmentTests(context);
    registerMessageTests(context);
    registerOperationTests(context);
    registerDeletionTests(context);
    registerRunTests(context);
    registerRunSignalTests(context);
    registerCheckpointTests(context);
    registerCollectionTests(context);
    registerSearchIndexTests(context);
    registerIsolationTests(context);
  });
}
