#!/usr/bin/env bash
# The test command (README, second command; .ci/run runs exactly this): static checks, then the unit
# and integration suites against real registries and the real signers (with a coverage gate), then the e2e
# suite against a real kube-apiserver.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=hack/test-env.sh
source hack/test-env.sh   # bootstrap; PORTCULLIS_TOOLS, PATH (Node 24 first), NODE_OPTIONS; jest_summary

echo "== typecheck";   npx --no-install tsc -p tsconfig.json --noEmit
echo "== lint";        npx --no-install eslint src test hack bench tools
echo "== format";      npx --no-install prettier --check src test bench tools >/dev/null
echo "== CRD drift";   npx --no-install tsx tools/generate-crds.ts --check
if [[ -x "$PORTCULLIS_TOOLS/helm" ]]; then
  echo "== manifests drift"; HELM="$PORTCULLIS_TOOLS/helm" bash hack/render-manifests.sh --check
  echo "== helm lint"
  for values in charts/portcullis/ci/*-values.yaml; do
    "$PORTCULLIS_TOOLS/helm" lint charts/portcullis --strict --quiet -f "$values" >/dev/null \
      || { "$PORTCULLIS_TOOLS/helm" lint charts/portcullis --strict -f "$values"; exit 1; }
  done
else
  echo "== manifests drift, helm lint: skipped (no helm in $PORTCULLIS_TOOLS; hack/tools.sh builds it)"
fi

mkdir -p .tmp
echo "== jest (unit + integration)"
set +e
npx --no-install jest --ci --coverage --json --outputFile=.tmp/jest.json --selectProjects unit integration
status=$?
echo "== jest (e2e: real kube-apiserver, kubectl, helm)"
npx --no-install jest --ci --runInBand --json --outputFile=.tmp/jest-e2e.json --selectProjects e2e
e2e_status=$?
set -e
# One closing line for the whole run: the sum of both jest runs.
# shellcheck disable=SC2016  # the ${...} are JavaScript template literals
node -e '
  const a = require(process.argv[1]), b = require(process.argv[2]);
  const n = (k) => a[k] + b[k];
  console.log(`${n("numPassedTests")} passed, ${n("numFailedTests")} failed, ${n("numPendingTests")} skipped`);
' "$PWD/.tmp/jest.json" "$PWD/.tmp/jest-e2e.json" || true
[[ $status -eq 0 && $e2e_status -eq 0 ]]
