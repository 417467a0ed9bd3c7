#!/usr/bin/env bash
# Runs the benchmarks under bench/ against real local registries and real cosign signatures.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"
tsx bench/admission.bench.ts
tsx bench/verdict-cache.bench.ts
exec tsx bench/cbor.bench.ts
