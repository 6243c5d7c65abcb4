/**
 * The sessionloom conformance suite (`sessionloom/testing`): every store, whatever its backend,
 * must pass it. A store's test file is a few lines:
 *
 * ```ts
 * import { SessionStore, MemoryDriver } from 'sessionloom';
 * import { runConformanceSuite } from 'sessionloom/testing';
 *
 * const driver = new MemoryDriver();
 * runConformanceSuite({
 *   name: 'memory',
 *   createStore: (options) => SessionStore.fromDriver(driver, { ...options, ownsDriver: false }),
 *   teardown: () => driver.close(),
 * });
 * ```
 *
 * Every test uses random ids and restricts what it asserts to the sessions it created, so one
 * backend may serve every test and test file; `prune` and `sweepStale` tests work at times in 2001
 * so they never reach the sessions of tests running with the real clock.
 *
 * A driver author also runs `runDriverConformance({ name, createDriver })`, which tests the driver
 * alone against the contract in src/driver/driver.ts (see src/testing/driver/index.ts).
 */
import { afterAll, describe } from 'vitest';
import { registerAffinityTests } from './affinity.js';
import { registerAppendTests } from './append.js';
import { registerApprovalTests } from './approvals.js';
import { registerBranchesTests } from './branches.js';
import { registerCompactionTests } from './compaction.js';
import { registerConcurrencyTests } from './concurrency.js';
import { createSuiteContext } from './context.js';
import type { ConformanceOptions } from './context.js';
import { registerCreateGetTests } from './create-get.js';
import { registerFollowRunTests } from './follow-run.js';
import { registerForkTests } from './fork.js';
import { registerGetMessageTests } from './get-message.js';
import { registerLifecycleTests } from './lifecycle.js';
import { registerListTests } from './list.js';
import { registerMessageShapeTests } from './message-shapes.js';
import { registerMessagesPagingTests } from './messages-paging.js';
import { registerPruneTests } from './prune.js';
import { registerRewindTests } from './rewind.js';
import { registerRunControlTests } from './run-control.js';
import { registerRunTests } from './runs.js';
import { registerScopeTests } from './scope.js';
import { registerSearchInputTests } from './search-input.js';
import { registerSearchTests } from './search.js';
import { registerTitlePrefixTests } from './title-prefix.js';
import { registerTitleTests } from './titles.js';
import { registerTokenWindowTests } from './token-windows.js';
import { registerTransferBlobPartTests } from './transfer-blob-parts.js';
import { registerTransferOwnershipTests } from './transfer-ownership.js';
import { registerTransferTests } from './transfer.js';
import { registerUpdateDeleteTests } from './update-delete.js';
import { registerIdValidationTests } from './validation-ids.js';
import { registerMessageValidationTests } from './validation-messages.js';
import { registerMetadataValidationTests } from './validation-metadata.js';
import { registerOptionValidationTests } from './validation-options.js';

export { ManualClock, pastClock } from './clock.js';
export { runDriverConformance, type DriverConformanceOptions } from './driver/index.js';
export type { ConformanceOptions, SuiteContext } from './context.js';

/** Registers the whole conformance suite, in a `describe` named after the store, with vitest. */
export function runConformanceSuite(options: ConformanceOptions): void {
  describe(`sessionloom conformance: ${options.name}`, () => {
    const context = createSuiteContext(options);
    afterAll(async () => {
      await options.teardown?.();
    });

    registerCreateGetTests(context);
    registerAppendTests(context);
    registerMessageShapeTests(context);
    registerMessagesPagingTests(context);
    registerForkTests(context);
    registerRewindTests(context);
    registerBranchesTests(context);
    registerGetMessageTests(context);
    registerSearchTests(context);
    registerSearchInputTests(context);
    registerTitleTests(context);
    registerTitlePrefixTests(context);
    registerListTests(context);
    registerUpdateDeleteTests(context);
    registerLifecycleTests(context);
    registerPruneTests(context);
    registerAffinityTests(context);
    registerScopeTests(context);
    registerConcurrencyTests(context);
    registerRunTests(context);
    registerFollowRunTests(context);
    registerRunControlTests(context);
    registerApprovalTests(context);
    registerTransferTests(context);
    registerTransferOwnershipTests(context);
    registerTransferBlobPartTests(context);
    registerTokenWindowTests(context);
    registerCompactionTests(context);
    registerIdValidationTests(context);
    registerMessageValidationTests(context);
    registerMetadataValidationTests(context);
    registerOptionValidationTests(context);
  });
}
