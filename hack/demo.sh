#!/usr/bin/env bash
# README's first command: installs everything (npm deps, Node 24, the real tools, kube-apiserver) and runs the
# cluster demo. `--cli` runs the shorter demo of `portcullis review` without a cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"
if [[ ${1:-} == --cli ]]; then exec tsx hack/demo-cli.ts; fi
exec tsx hack/demo.ts
