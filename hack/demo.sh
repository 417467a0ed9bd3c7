#!/usr/bin/env bash
# README's first command: installs everything (npm deps, Node 24, the real tools) and runs the local demo:
# real registries on loopback, images signed with the real cosign, and `portcullis review` judging manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"
exec npx --no-install tsx hack/demo.ts
