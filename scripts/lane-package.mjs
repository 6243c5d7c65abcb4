#!/usr/bin/env node
// Writes the package.json of the Node 22 test lane: the repository's own, with the newest majors of
// the packages sessionloom takes as peers (AI SDK 7 and its providers, the newest OpenAI Agents SDK)
// in place of the ones the main lane develops against. Used by scripts/node22-lane.sh.
//
//   node scripts/lane-package.mjs OUT_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NEWEST = {
  ai: '^7.0.0',
  '@ai-sdk/provider': '^4.0.0',
  '@ai-sdk/openai': '^4.0.0',
  '@ai-sdk/anthropic': '^4.0.0',
  '@openai/agents-core': '^0.20.0',
  '@types/node': '^22.0.0',
};

// Only the lane has these: they need the newest Agents SDK, and the main lane's is 0.14.
// (@openai/agents-openai has OpenAIResponsesCompactionSession, which the adapter's e2e test drives.)
const LANE_ONLY = {
  '@openai/agents-openai': '^0.20.0',
};

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node scripts/lane-package.mjs OUT_DIR');
  process.exit(2);
}
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
for (const [name, range] of Object.entries(NEWEST)) {
  if (!(name in pkg.devDependencies)) throw new Error(`lane-package: ${name} is not a dev dependency any more; update NEWEST.`);
  pkg.devDependencies[name] = range;
}
for (const [name, range] of Object.entries(LANE_ONLY)) pkg.devDependencies[name] = range;
// The lane runs the sources with tsx; it neither builds nor is packed.
delete pkg.scripts.prepare;
pkg.name = `${pkg.name}-node22-lane`;
pkg.private = true;
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
