#!/usr/bin/env bash
# Installs the real third-party tools that Portcullis's tests and demo run against.
# Idempotent; pins every version; caches each build under ~/.cache/portcullis/tools/<name>-<version>.
# The LAST line printed is the absolute path of the folder that holds every binary (symlinks).
set -euo pipefail

CACHE="${PORTCULLIS_CACHE:-$HOME/.cache/portcullis}"
TOOLS="$CACHE/tools"
BIN="$CACHE/bin"
mkdir -p "$TOOLS" "$BIN"

log() { printf '[tools] %s\n' "$*" >&2; }

# One run at a time: two runs building the same folder delete each other's output (and the links).
exec 9>"$CACHE/.tools.lock"
if ! flock -n 9; then
  log "another hack/tools.sh is running; waiting for it to finish"
  flock 9
fi

# Pinned versions. Bump here, and the cache key changes with them.
COSIGN3_VERSION=v3.1.3
COSIGN2_VERSION=v2.6.5
CRANE_VERSION=v0.22.1
HELM_VERSION=v3.22.0
HELM_K8S_MINOR=37  # helm's default Kubernetes version: the minor of the client-go its go.mod requires
# kube-apiserver + kubectl and etcd come from the wrapper modules in hack/kube/ (their go.mod pins the
# module versions; these must match them). KUBE_VERSION also goes into the binaries' /version.
KUBE_VERSION=v1.34.4
ETCD_VERSION=v3.6.16
# Sigstore's services, for keyless signing in the integration tests (test/harness/sigstore/). Each module's
# go.mod asks for a Go this machine has (fulcio v1.8.8: go 1.26.0; the newer timestamp-authority and
# rekor-tiles releases ask for go 1.27).
FULCIO_VERSION=v1.8.8
TSA_VERSION=v2.1.3
REKOR_TILES_VERSION=v2.3.0
TESSERACT_VERSION=v0.1.1  # the CT log Fulcio's own docker-compose runs (static-ct-api, POSIX storage)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# go_tool NAME MODULE VERSION BINARY [LDFLAGS]: go install MODULE@VERSION into a versioned folder
# (keyed by the ldflags too, when there are any), once.
go_tool() {
  local name=$1 module=$2 version=$3 binary=$4 ldflags=${5:-}
  local dir="$TOOLS/$name-$version"
  if [[ -n $ldflags ]]; then dir+="-$(echo "$ldflags" | sha256sum | cut -c1-12)"; fi
  if [[ -x "$dir/$binary" ]]; then
    log "$name $version: cached"
  else
    log "$name $version: building $module@$version (first run only; takes minutes)"
    local start=$SECONDS
    mkdir -p "$dir.tmp"
    CGO_ENABLED=0 GOBIN="$dir.tmp" GOFLAGS=-trimpath go install -ldflags "$ldflags" "$module@$version" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    log "$name $version: built in $((SECONDS - start))s"
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

# backports_tool NAME PACKAGE PATH: install a Debian package from bookworm-backports when the binary is missing.
# bookworm's main suites have no Valkey; bookworm-backports has valkey-server 8.0.1. The suite is added to apt's
# sources once (a file of its own, only if no source names it yet). Backports are NotAutomatic in their Release
# file, so apt never takes any other package from them: only what is asked for with -t bookworm-backports.
# apt-get (not dpkg -x into the cache) so that its shared libraries (libjemalloc2, liblzf1) come with it.
BACKPORTS_SOURCES=/etc/apt/sources.list.d/portcullis-bookworm-backports.sources
backports_tool() {
  local name=$1 package=$2 path=$3
  if [[ ! -x "$path" ]]; then
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      log "$name: adding the bookworm-backports suite to apt ($BACKPORTS_SOURCES)"
      printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
        $SUDO tee "$BACKPORTS_SOURCES" >/dev/null
    fi
    log "$name: apt-get install -t bookworm-backports $package"
    $SUDO apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      -t bookworm-backports "$package" >&2
  else
    log "$name: present"
  fi
  ln -sfn "$path" "$BIN/$name"
}

command -v go >/dev/null || { echo "tools.sh: Go is required (go install builds cosign and crane)" >&2; exit 2; }

# Debian packages first: quick, and they need no compile.
apt_tool docker-registry docker-registry /usr/bin/docker-registry
apt_tool skopeo skopeo /usr/bin/skopeo
# GnuPG for simple signing (skopeo copy --sign-by); gpg-agent holds the secret keys, gpgconf stops it afterwards.
apt_tool gpg gpg /usr/bin/gpg
apt_tool gpg-agent gpg-agent /usr/bin/gpg-agent
apt_tool gpgconf gpgconf /usr/bin/gpgconf
apt_tool umoci umoci /usr/bin/umoci
apt_tool htpasswd apache2-utils /usr/bin/htpasswd  # bcrypt htpasswd lines for the basic-auth registry
apt_tool notary-server notary /usr/bin/notary-server  # Notary v1 (TUF) server, signer and CLI
apt_tool notary-signer notary /usr/bin/notary-signer
apt_tool notary notary /usr/bin/notary
# Valkey (Redis-protocol store) for the shared verification cache's tests (test/harness/valkey.ts).
backports_tool valkey-server valkey-server /usr/bin/valkey-server

go_tool crane github.com/google/go-containerregistry/cmd/crane "$CRANE_VERSION" crane
go_tool cosign github.com/sigstore/cosign/v3/cmd/cosign "$COSIGN3_VERSION" cosign
go_tool cosign2 github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN2_VERSION" cosign

# Sigstore's certificate authority, its certificate transparency log, the timestamp authority and the
# transparency log (rekor v2), the two logs on a local folder (Tessera's POSIX backend). The version ldflag is
# what `fulcio version` and the others' version commands report.
go_tool fulcio github.com/sigstore/fulcio "$FULCIO_VERSION" fulcio \
  "-X sigs.k8s.io/release-utils/version.gitVersion=$FULCIO_VERSION"
go_tool timestamp-server github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server "$TSA_VERSION" \
  timestamp-server "-X sigs.k8s.io/release-utils/version.gitVersion=$TSA_VERSION"
go_tool rekor-tiles github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix "$REKOR_TILES_VERSION" posix \
  "-X sigs.k8s.io/release-utils/version.gitVersion=$REKOR_TILES_VERSION"
go_tool tesseract github.com/transparency-dev/tesseract/cmd/tesseract/posix "$TESSERACT_VERSION" posix

# local_go_tool NAME DIR [TAGS]: go build a small program kept in this repo (with the build TAGS, comma-separated),
# cached by the hash of its sources and tags.
local_go_tool() {
  local name=$1 src=$2 tags=${3:-}
  local hash
  hash=$( (cat "$src"/*.go "$src/go.mod" "$src/go.sum" && printf '%s' "$tags") | sha256sum | cut -c1-16)
  local dir="$TOOLS/$name-$hash"
  if [[ -x "$dir/$name" ]]; then
    log "$name $hash: cached"
  else
    log "$name $hash: building from $src"
    local start=$SECONDS
    mkdir -p "$dir.tmp"
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-trimpath go build -tags "$tags" -o "$dir.tmp/$name" .) >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    log "$name $hash: built in $((SECONDS - start))s"
  fi
  ln -sfn "$dir/$name" "$BIN/$name"
}

# go-containerregistry's registry with the OCI referrers API on (crane registry serve leaves it off).
local_go_tool oci-registry "$HERE/oci-registry"
# A Docker credential helper with a JSON-file store, built on the upstream protocol library
# (github.com/docker/docker-credential-helpers): Debian's package ships only -pass and -secretservice, which
# need a GPG or D-Bus keyring. The credential-helper integration test runs it as `docker-credential-…`.
local_go_tool docker-credential-portcullis-test "$HERE/credential-helper"
# containers/image (go.podman.io/image/v5) deciding one image under a containers-policy.json, sigstore included:
# the oracle of the from-containers-policy round-trip tests (Debian's skopeo has sigstore disabled). The tag
# picks the pure-Go OpenPGP mechanism for signedBy (the default, gpgme, needs cgo).
local_go_tool containers-policy-oracle "$HERE/containers-policy-oracle" containers_image_openpgp

# go_binary_name PACKAGE: the file name go build gives PACKAGE's binary (a /vN suffix is skipped).
go_binary_name() {
  local pkg=$1 base=${1##*/}
  if [[ $base =~ ^v[0-9]+$ ]]; then pkg=${pkg%/*}; base=${pkg##*/}; fi
  printf '%s' "$base"
}

# wrapper_tool NAME VERSION DIR LDFLAGS [BINARY=]PACKAGE...: go build the PACKAGEs in one invocation
# with the wrapper module in DIR (hack/kube/*), once per version, go.mod/go.sum, ldflags and package list
# (so adding a package builds a new folder that has it), and link each binary into $BIN (as BINARY when
# given). Slow the first time (kube-apiserver is large); the Go build cache (~/.cache/go-build) makes a
# rebuild after a version bump or a new package much quicker.
wrapper_tool() {
  local name=$1 version=$2 src=$3 ldflags=$4
  shift 4
  local hash spec pkgs=()
  for spec in "$@"; do pkgs+=("${spec#*=}"); done
  hash=$( (cat "$src/go.mod" "$src/go.sum" && echo "$ldflags" && printf '%s\n' "$@") | sha256sum | cut -c1-12)
  local dir="$TOOLS/$name-$version-$hash"
  if [[ -d "$dir" ]]; then
    log "$name $version: cached"
  else
    log "$name $version: building ${pkgs[*]} (first run only; minutes on 2 cores, see docs/testing.md)"
    local start=$SECONDS
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false -mod=readonly" \
      go -C "$src" build -ldflags "$ldflags" -o "$dir.tmp/" "${pkgs[@]}" >&2
    for spec in "$@"; do
      if [[ $spec == *=* ]]; then mv "$dir.tmp/$(go_binary_name "${spec#*=}")" "$dir.tmp/${spec%%=*}"; fi
    done
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    log "$name $version: built in $((SECONDS - start))s"
  fi
  for spec in "$@"; do
    if [[ $spec == *=* ]]; then spec=${spec%%=*}; else spec=$(go_binary_name "$spec"); fi
    ln -sfn "$dir/$spec" "$BIN/$spec"
  done
}

# etcd, the Kubernetes API server and controller manager, for the e2e control plane (hack/control-plane.sh).
wrapper_tool etcd "$ETCD_VERSION" "$HERE/kube/etcd" "" etcd=go.etcd.io/etcd/server/v3
# The version is stamped the way kubernetes' hack/lib/version.sh does it (else /version says v0.0.0-master).
KUBE_MINOR=${KUBE_VERSION#v1.} && KUBE_MINOR=${KUBE_MINOR%%.*}
kube_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$KUBE_MINOR -X $pkg.gitTreeState=clean"
done
wrapper_tool kubernetes "$KUBE_VERSION" "$HERE/kube/kubernetes" "${kube_ldflags# }" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl k8s.io/kubernetes/cmd/kube-controller-manager

# helm renders and lints the chart (charts/portcullis) in the e2e suite. The ldflags are those of helm's
# Makefile: without the k8sVersion ones, `helm template` assumes Kubernetes v1.20 (helm v3.22.0 builds
# against client-go v0.37, so its Makefile sets 1.37).
helm_ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$HELM_K8S_MINOR"
done
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" helm "$helm_ldflags"

# notation (Notary Project signer). Built through hack/notation/go.mod: the module proxy refuses its
# version list, which `go install …@v1.3.2` needs for its deprecation check.
wrapper_tool notation v1.3.2 "$HERE/notation" "" github.com/notaryproject/notation/cmd/notation

log "all tools ready in $BIN"
echo "$BIN"
