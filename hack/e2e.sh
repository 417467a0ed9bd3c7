#!/usr/bin/env bash
# The e2e command (npm run e2e): the jest `e2e` project against a real kube-apiserver + etcd
# (hack/control-plane.sh), the real registries, kubectl and helm. Bootstraps like hack/test.sh: the
# first run on a machine builds kube-apiserver, kubectl, etcd and helm (see docs/testing.md).
# Extra arguments go to jest, e.g. `bash hack/e2e.sh test/e2e/control-plane.test.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=hack/test-env.sh
source hack/test-env.sh   # bootstrap; PORTCULLIS_TOOLS, PATH (Node 24 first), NODE_OPTIONS; jest_summary

mkdir -p .tmp
rm -f .tmp/jest-e2e.json
echo "== jest (e2e)"
set +e
npx --no-install jest --ci --runInBand --json --outputFile=.tmp/jest-e2e.json "$@" --selectProjects e2e
status=$?
set -e
jest_summary .tmp/jest-e2e.json
exit $status
