#!/usr/bin/env bash
# Runs the benchmarks under bench/ against real local registries and real cosign signatures.
# With a name (`bash hack/bench.sh keyless`), runs only bench/<name>.bench.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"
if [[ $# -gt 0 ]]; then
  exec tsx "bench/$1.bench.ts"
fi
tsx bench/admission.bench.ts
tsx bench/verdict-cache.bench.ts
tsx bench/keyless.bench.ts
exec tsx bench/cbor.bench.ts
