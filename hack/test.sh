#!/usr/bin/env bash
# The test command (README, second command; .ci/run runs exactly this): static checks, then the unit
# and integration suites against real registries and the real cosign, with a coverage gate.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=hack/test-env.sh
source hack/test-env.sh   # bootstrap; PORTCULLIS_TOOLS, PATH (Node 24 first), NODE_OPTIONS; jest_summary

echo "== typecheck";   npx --no-install tsc -p tsconfig.json --noEmit
echo "== lint";        npx --no-install eslint src test hack bench
echo "== format";      npx --no-install prettier --check src test bench >/dev/null
echo "== CRD drift";   npx --no-install tsx src/policy/generate-crds.ts --check
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
# The e2e project needs a control plane and runs on its own (hack/e2e.sh); pick unit + integration
# unless the caller chose projects.
projects=(--selectProjects unit integration)
for arg in "$@"; do [[ $arg == --selectProjects* ]] && projects=(); done
npx --no-install jest --ci --coverage --json --outputFile=.tmp/jest.json "$@" "${projects[@]}"
status=$?
set -e
jest_summary .tmp/jest.json
exit $status
