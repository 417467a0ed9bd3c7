# shellcheck shell=bash
# Sourced by hack/test.sh and hack/e2e.sh (from the repo root): installs what the tests need and sets up
# the environment they run in. Defines jest_summary.

PORTCULLIS_TOOLS=$(bash hack/bootstrap.sh | tail -n 1)
export PORTCULLIS_TOOLS
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 24 first on PATH for every child process
# Jest loads ESM-only dependencies (fastify's light-my-request → cookie 2) through require(esm), which it
# supports on Node >= 24.9 only with vm modules enabled.
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"

# jest_summary FILE: the plain "N passed, N failed, N skipped" line from jest's --json output.
jest_summary() {
  [[ -f $1 ]] || { echo "jest wrote no results ($1)"; return 0; }
  # shellcheck disable=SC2016  # the ${...} are JavaScript template literals, not shell expansions
  node -e '
    const r = require(process.argv[1]);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  ' "$PWD/$1" || true
}
