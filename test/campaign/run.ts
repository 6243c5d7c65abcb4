// `npx tsx test/campaign/run.ts [rounds]`: the attack campaign at full size, printing its figures.
import { runCampaign } from './attack.js';

const rounds = Number(process.argv[2] ?? 20_000);
const started = Date.now();
const result = await runCampaign({ rounds });
console.log(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }, null, 2));
process.exit(result.crossUserReads === 0 && result.serverErrors === 0 && result.victimUnchanged && result.idsGuessed === 0 ? 0 : 1);
