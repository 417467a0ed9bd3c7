#!/usr/bin/env bash
# Runs the benchmarks under bench/ against real local registries and real cosign signatures.
# With a name (`bash hack/bench.sh keyless`), runs only bench/<name>.bench.ts; later arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"
if [[ $# -gt 0 ]]; then
  exec tsx "bench/$1.bench.ts" "${@:2}"
fi
tsx bench/admission.bench.ts
tsx bench/verdict-cache.bench.ts
tsx bench/keyless.bench.ts
tsx bench/webhook-load.bench.ts
tsx bench/rollout.bench.ts
tsx bench/outage.bench.ts
tsx bench/restart.bench.ts
tsx bench/cold.bench.ts
exec tsx bench/cbor.bench.ts
