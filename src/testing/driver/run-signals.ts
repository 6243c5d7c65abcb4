/**
 * Run signals (capability `runSignals`): a watcher hears every signal of its run, sent after it
 * subscribed, and no other run's; a stopped watch hears nothing more; stopping twice is harmless.
 * (Across processes: the store's process tests, test/process/live-runs*.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { supportsRunSignals, type RunSignalingDriver } from '../../driver/driver.js';
import type { DriverSuiteContext, TestControls } from './context.js';
import { uniqueId } from './records.js';

function signalingDriver(context: DriverSuiteContext, test: TestControls): RunSignalingDriver {
  const driver = context.driver();
  if (!supportsRunSignals(driver)) test.skip(`${driver.name} does not declare capabilities.runSignals`);
  return driver as RunSignalingDriver;
}

/** Resolves true once `count()` reaches `at least`, false after `ms`. */
async function reaches(count: () => number, atLeast: number, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (count() < atLeast) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

export function registerRunSignalTests(context: DriverSuiteContext): void {
  describe('run signals', () => {
    it('delivers each signal of a run to its watchers, and none of another run', async ({ skip }) => {
      const driver = signalingDriver(context, { skip });
      const [watched, other] = [uniqueId('run'), uniqueId('run')];
      let heard = 0;
      let heardBySecond = 0;
      const stop = await driver.watchRun(watched, () => (heard += 1));
      const stopSecond = await driver.watchRun(watched, () => (heardBySecond += 1));
      await driver.signalRun(other);
      await driver.signalRun(watched);
      expect(await reaches(() => heard, 1)).toBe(true);
      expect(await reaches(() => heardBySecond, 1)).toBe(true);
      await driver.signalRun(watched);
      expect(await reaches(() => heard, 2)).toBe(true);
      // The other run's signal, sent first, would have arrived by now.
      expect(heard).toBe(2);
      await stop();
      await stop();
      await stopSecond();
    });

    it('stops calling a watcher once its watch is stopped', async ({ skip }) => {
      const driver = signalingDriver(context, { skip });
      const runId = uniqueId('run');
      let stopped = 0;
      let kept = 0;
      const stop = await driver.watchRun(runId, () => (stopped += 1));
      const stopKept = await driver.watchRun(runId, () => (kept += 1));
      await stop();
      await driver.signalRun(runId);
      expect(await reaches(() => kept, 1)).toBe(true);
      expect(stopped).toBe(0);
      await stopKept();
    });
  });
}
