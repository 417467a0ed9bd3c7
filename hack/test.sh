#!/usr/bin/env bash
# The test command (README, second command; .ci/run runs exactly this): static checks, then the unit
# and integration suites against real registries and the real cosign, with a coverage gate.
set -euo pipefail
cd "$(dirname "$0")/.."

PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 24 first on PATH for every child process
# Jest loads ESM-only dependencies (fastify's light-my-request → cookie 2) through require(esm), which it
# supports on Node >= 24.9 only with vm modules enabled.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"

echo "== typecheck";   npx --no-install tsc -p tsconfig.json --noEmit
echo "== lint";        npx --no-install eslint src test hack bench
echo "== format";      npx --no-install prettier --check src test bench >/dev/null
echo "== CRD drift";   npx --no-install tsx src/policy/generate-crds.ts --check

mkdir -p .tmp
echo "== jest (unit + integration)"
set +e
npx --no-install jest --ci --coverage --json --outputFile=.tmp/jest.json "$@"
status=$?
set -e
node -e '
  const r = require("./.tmp/jest.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' || true
exit $status
