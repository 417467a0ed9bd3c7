#!/usr/bin/env bash
# Installs the real third-party tools that Portcullis's tests and demo run against.
# Idempotent; pins every version; caches each build under ~/.cache/portcullis/tools/<name>-<version>.
# The LAST line printed is the absolute path of the folder that holds every binary (symlinks).
set -euo pipefail

CACHE="${PORTCULLIS_CACHE:-$HOME/.cache/portcullis}"
TOOLS="$CACHE/tools"
BIN="$CACHE/bin"
mkdir -p "$TOOLS" "$BIN"

# Pinned versions. Bump here, and the cache key changes with them.
COSIGN3_VERSION=v3.1.3
COSIGN2_VERSION=v2.6.5
CRANE_VERSION=v0.22.1

log() { printf '[tools] %s\n' "$*" >&2; }

# go_tool NAME MODULE VERSION BINARY: go install MODULE@VERSION into a versioned folder, once.
go_tool() {
  local name=$1 module=$2 version=$3 binary=$4
  local dir="$TOOLS/$name-$version"
  if [[ -x "$dir/$binary" ]]; then
    log "$name $version: cached"
  else
    log "$name $version: building $module@$version (first run only; takes minutes)"
    mkdir -p "$dir.tmp"
    CGO_ENABLED=0 GOBIN="$dir.tmp" GOFLAGS=-trimpath go install "$module@$version" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  ln -sfn "$dir/$binary" "$BIN/$name"
}

# apt_tool NAME PACKAGE PATH: install a Debian package when the binary is missing.
apt_tool() {
  local name=$1 package=$2 path=$3
  if [[ ! -x "$path" ]]; then
    log "$name: apt-get install $package"
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$package" >&2
  else
    log "$name: present"
  fi
  ln -sfn "$path" "$BIN/$name"
}

command -v go >/dev/null || { echo "tools.sh: Go is required (go install builds cosign and crane)" >&2; exit 2; }

# Debian packages first: quick, and they need no compile.
apt_tool docker-registry docker-registry /usr/bin/docker-registry
apt_tool skopeo skopeo /usr/bin/skopeo
apt_tool umoci umoci /usr/bin/umoci
apt_tool htpasswd apache2-utils /usr/bin/htpasswd  # bcrypt htpasswd lines for the basic-auth registry

go_tool crane github.com/google/go-containerregistry/cmd/crane "$CRANE_VERSION" crane
go_tool cosign github.com/sigstore/cosign/v3/cmd/cosign "$COSIGN3_VERSION" cosign
go_tool cosign2 github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN2_VERSION" cosign

# local_go_tool NAME DIR: go build a small program kept in this repo, cached by the hash of its sources.
local_go_tool() {
  local name=$1 src=$2
  local hash
  hash=$(cat "$src"/*.go "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)
  local dir="$TOOLS/$name-$hash"
  if [[ -x "$dir/$name" ]]; then
    log "$name $hash: cached"
  else
    log "$name $hash: building from $src"
    mkdir -p "$dir.tmp"
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-trimpath go build -o "$dir.tmp/$name" .) >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  ln -sfn "$dir/$name" "$BIN/$name"
}

# go-containerregistry's registry with the OCI referrers API on (crane registry serve leaves it off).
local_go_tool oci-registry "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/oci-registry"

log "all tools ready in $BIN"
echo "$BIN"
