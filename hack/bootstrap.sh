#!/usr/bin/env bash
# Installs everything Portcullis needs from a fresh clone: npm dependencies (with Node 24 from the
# `node` devDependency) and the real third-party tools (hack/tools.sh). Idempotent.
# Prints the tools bin dir as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bootstrap] %s\n' "$*" >&2; }

command -v npm >/dev/null || { echo "bootstrap: npm is required (any Node.js >= 18 to start; Node 24 is installed by npm ci)" >&2; exit 2; }

stamp=node_modules/.portcullis-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  log "npm ci (Node 24 comes with it, as a devDependency)"
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp"
else
  log "npm dependencies: up to date"
fi
log "node $(npx --no-install node --version)"

bash hack/tools.sh | tail -n 1
