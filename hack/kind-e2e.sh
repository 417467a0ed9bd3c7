#!/usr/bin/env bash
# End-to-end run on a kind cluster, for users and CI systems that have Docker (the default e2e, `npm run e2e`,
# needs no Docker: it runs kube-apiserver on loopback and the webhook out of the cluster).
#
#   bash hack/kind-e2e.sh [--keep] [--tls existing-secret|cert-manager] [-- JEST ARGS...]
#
# 1. starts a local registry container (kind-registry, 127.0.0.1:$REGISTRY_PORT on the host, kind-registry:5000
#    inside the cluster) and a kind cluster whose containerd pulls from it over HTTP;
# 2. builds the image from the Dockerfile and loads it into the cluster (`kind load docker-image`);
# 3. TLS: by default a CA and serving certificate made here with openssl, installed as a Secret and passed as
#    tls.existingSecret + tls.caBundle (no internet needed after the images are pulled). With
#    `--tls cert-manager` it installs cert-manager $CERT_MANAGER_VERSION from GitHub instead;
# 4. `helm upgrade --install` of charts/portcullis with ci/existing-secret-values.yaml (or certManager.enabled),
#    waiting until the webhook pods are ready;
# 5. runs the e2e suite (`npm run e2e`) with PORTCULLIS_E2E_KUBECONFIG pointing at the kind cluster.
#
# Needs: docker, kind, kubectl, helm (PATH, or $PORTCULLIS_TOOLS), openssl, npm.
# Environment: KIND_CLUSTER (portcullis-e2e), KIND_NODE_IMAGE (kind's default), PORTCULLIS_IMAGE (portcullis:e2e),
# REGISTRY_PORT (5001), CERT_MANAGER_VERSION (v1.18.2), PORTCULLIS_NO_MATCH (the chart value server.noMatch).
#
# Contract with the e2e harness (test/e2e/harness), which must support it for the suite to use this cluster:
#   PORTCULLIS_E2E_KUBECONFIG        kubeconfig of an existing cluster: use it, start no control plane
#   PORTCULLIS_E2E_WEBHOOK=in-cluster  the chart is installed and serving: start no `portcullis serve`
#   PORTCULLIS_E2E_NAMESPACE         the release namespace
#   PORTCULLIS_E2E_REGISTRY_PUSH     where tests push and sign images (host side)
#   PORTCULLIS_E2E_REGISTRY_PULL     the same registry as pods and the webhook see it (image references)
# test/e2e/harness (parseE2EMode, skipUnless) reads them; see docs/testing.md, "Running the e2e suite on kind".
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=${KIND_CLUSTER:-portcullis-e2e}
IMAGE=${PORTCULLIS_IMAGE:-portcullis:e2e}
NAMESPACE=portcullis-system
RELEASE=portcullis
REGISTRY_NAME=kind-registry
REGISTRY_PORT=${REGISTRY_PORT:-5001}
REGISTRY_IMAGE=registry:2.8.3
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION:-v1.18.2}
WAIT_TIMEOUT=300s
WORK=.tmp/kind-e2e

keep=false
tls_mode=existing-secret
jest_args=()
while (($# > 0)); do
  case $1 in
    --keep) keep=true ;;
    --tls) tls_mode=${2:?--tls needs existing-secret or cert-manager}; shift ;;
    --) shift; jest_args=("$@"); break ;;
    *) echo "usage: $0 [--keep] [--tls existing-secret|cert-manager] [-- JEST ARGS...]" >&2; exit 2 ;;
  esac
  shift
done
case $tls_mode in existing-secret | cert-manager) ;; *) echo "unknown --tls $tls_mode" >&2; exit 2 ;; esac

log() { printf '[kind-e2e] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# tool NAME: the binary from $PORTCULLIS_TOOLS when it is there, else from PATH.
tool() {
  if [[ -n ${PORTCULLIS_TOOLS:-} && -x $PORTCULLIS_TOOLS/$1 ]]; then
    echo "$PORTCULLIS_TOOLS/$1"
  elif command -v "$1" >/dev/null; then
    command -v "$1"
  else
    die "$1 is required (install it, or build it with hack/tools.sh)"
  fi
}
for needed in docker kind openssl npm; do tool "$needed" >/dev/null; done
HELM=$(tool helm)
KUBECTL=$(tool kubectl)
docker info >/dev/null 2>&1 || die "docker is installed but its daemon does not answer"

mkdir -p "$WORK"
KUBECONFIG_FILE="$PWD/$WORK/kubeconfig"
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# cleanup deletes the cluster unless --keep (the registry container is kept: it only caches images).
cleanup() {
  local status=$?
  if $keep; then
    log "kept cluster $CLUSTER: export KUBECONFIG=$KUBECONFIG_FILE; delete it with: kind delete cluster --name $CLUSTER"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT

# start_registry runs the local registry container once; later runs reuse it.
start_registry() {
  if [[ $(docker inspect -f '{{.State.Running}}' "$REGISTRY_NAME" 2>/dev/null || true) != true ]]; then
    docker rm -f "$REGISTRY_NAME" >/dev/null 2>&1 || true
    log "registry $REGISTRY_IMAGE on 127.0.0.1:$REGISTRY_PORT"
    docker run -d --restart=always -p "127.0.0.1:$REGISTRY_PORT:5000" --name "$REGISTRY_NAME" "$REGISTRY_IMAGE" >/dev/null
  fi
}

# create_cluster creates the kind cluster with containerd reading per-registry hosts.toml files.
create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    log "cluster $CLUSTER exists: reusing it"
  else
    local node_image=()
    [[ -n ${KIND_NODE_IMAGE:-} ]] && node_image=(--image "$KIND_NODE_IMAGE")
    log "creating kind cluster $CLUSTER"
    kind create cluster --name "$CLUSTER" "${node_image[@]}" --wait 120s --config - <<'CONFIG'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
CONFIG
  fi
  kind get kubeconfig --name "$CLUSTER" >"$KUBECONFIG_FILE"
  local node host
  for node in $(kind get nodes --name "$CLUSTER"); do
    for host in "$REGISTRY_NAME:5000" "localhost:$REGISTRY_PORT"; do
      docker exec "$node" mkdir -p "/etc/containerd/certs.d/$host"
      printf '[host."http://%s:5000"]\n' "$REGISTRY_NAME" |
        docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/$host/hosts.toml"
    done
  done
  if [[ $(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$REGISTRY_NAME") == null ]]; then
    docker network connect kind "$REGISTRY_NAME"
  fi
}

# serving_tls makes a CA and a serving certificate for the webhook's Service and stores them as a Secret.
serving_tls() {
  local dir="$WORK/tls" svc="$RELEASE.$NAMESPACE.svc"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=portcullis-kind-e2e-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$svc" \
    -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' \
    "$RELEASE" "$RELEASE" "$NAMESPACE" "$svc" "$svc" >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
    -extfile "$dir/ext.cnf" -out "$dir/tls.crt" 2>/dev/null
  k create namespace "$NAMESPACE" --dry-run=client -o yaml | k apply -f - >/dev/null
  k -n "$NAMESPACE" create secret tls portcullis-serving-tls --cert "$dir/tls.crt" --key "$dir/tls.key" \
    --dry-run=client -o yaml | k apply -f - >/dev/null
  openssl base64 -A -in "$dir/ca.crt"
}

# install_cert_manager applies the pinned cert-manager release and waits for its webhook.
install_cert_manager() {
  log "installing cert-manager $CERT_MANAGER_VERSION"
  k apply -f "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml" >/dev/null
  k -n cert-manager wait --for=condition=Available deployment --all --timeout "$WAIT_TIMEOUT"
}

start_registry
create_cluster

log "building $IMAGE"
docker build -t "$IMAGE" .
kind load docker-image "$IMAGE" --name "$CLUSTER"

values=(--set "image.repository=${IMAGE%:*}" --set "image.tag=${IMAGE##*:}" --set image.pullPolicy=Never
  --set "server.noMatch=${PORTCULLIS_NO_MATCH:-deny}")
if [[ $tls_mode == cert-manager ]]; then
  install_cert_manager
  values+=(-f charts/portcullis/ci/cert-manager-values.yaml --set "server.insecureRegistries={$REGISTRY_NAME:5000}")
else
  ca_bundle=$(serving_tls)
  values+=(-f charts/portcullis/ci/existing-secret-values.yaml --set "tls.caBundle=$ca_bundle")
fi

log "helm upgrade --install $RELEASE ($tls_mode)"
"$HELM" upgrade --install "$RELEASE" charts/portcullis --kubeconfig "$KUBECONFIG_FILE" \
  --namespace "$NAMESPACE" --create-namespace "${values[@]}" --wait --timeout "$WAIT_TIMEOUT"
k get clusterimagepolicies >/dev/null # the CRDs came with the chart and are served

log "running the e2e suite against $CLUSTER"
PORTCULLIS_E2E_KUBECONFIG="$KUBECONFIG_FILE" \
  PORTCULLIS_E2E_WEBHOOK=in-cluster \
  PORTCULLIS_E2E_NAMESPACE="$NAMESPACE" \
  PORTCULLIS_E2E_REGISTRY_PUSH="127.0.0.1:$REGISTRY_PORT" \
  PORTCULLIS_E2E_REGISTRY_PULL="$REGISTRY_NAME:5000" \
  npm run e2e -- "${jest_args[@]}"
