/**
 * The attack campaign (test/campaign/attack.ts) at test size: thousands of hostile requests holding
 * one user's token never read another user's data, never get a server error, and never change the
 * other user's sessions. `npx tsx test/campaign/run.ts 20000` runs it at full size.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign/attack.js';

describe('attack campaign over HTTP', () => {
  it('leaks nothing across users, answers every hostile request without a server error, changes nothing of the victim', async () => {
    const result = await runCampaign({ rounds: 1_500 });
    expect(result.leaks).toEqual([]);
    expect(result.crossUserReads).toBe(0);
    expect(result.serverErrors).toBe(0);
    expect(result.victimUnchanged).toBe(true);
    expect(result.idsGuessed).toBe(0);
    expect(result.requests).toBeGreaterThan(1_500);
    expect(result.hostileKinds).toBeGreaterThan(40);
  });
});
