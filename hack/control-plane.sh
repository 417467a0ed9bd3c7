#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, the way controller-runtime's envtest runs one:
# etcd + kube-apiserver + kube-controller-manager with only the deployment and replicaset controllers (no
# kubelet, no scheduler: a Deployment gets its ReplicaSet and Pods, which are admitted and stored, never run).
#
#   hack/control-plane.sh start DIR   start all three, wait until ready, write DIR/kubeconfig; prints `export KUBECONFIG=…`
#   hack/control-plane.sh stop DIR    stop them (pid files in DIR); keeps DIR (logs, audit log) for inspection
#   hack/control-plane.sh env DIR     print the exports for a running control plane
#
# DIR afterwards holds: kubeconfig, control-plane.env (KEY=VALUE lines the test harness reads),
# certs/apiserver.crt (the API server's self-signed serving cert, used as the CA), token, audit.log,
# etcd.log, kube-apiserver.log, kube-controller-manager.log, *.pid. Admin access is a bearer token in group
# system:masters. kube-controller-manager authenticates with its own token as `system:kube-controller-manager`
# (bound to its bootstrap ClusterRole) and, like kubeadm's, with --use-service-account-credentials: each
# controller acts as its service account (system:serviceaccount:kube-system:replicaset-controller, …).
# Binaries come from $PORTCULLIS_TOOLS, or from hack/tools.sh (which builds them once).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
READY_TIMEOUT_S=${PORTCULLIS_CONTROL_PLANE_TIMEOUT:-180}  # a cold first start on 2 cores takes ~10-30 s
STOP_GRACE_S=10
START_ATTEMPTS=3  # a free port can be taken between picking and binding it; start again on new ports
CONTROLLERS=deployment-controller,replicaset-controller  # the minimal set that turns a Deployment into Pods

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# tools_bin: the folder with etcd, kube-apiserver and kubectl.
tools_bin() {
  if [[ -n ${PORTCULLIS_TOOLS:-} ]]; then echo "$PORTCULLIS_TOOLS"; else bash "$HERE/tools.sh" | tail -n 1; fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# start_bg NAME LOG CMD...: runs CMD in its own session (so stop can kill its whole group), records its pid.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

# wait_for NAME URL PIDFILE [CURL ARGS...]: polls URL until curl prints $WANT (default: the body "ok"), or the
# process dies.
wait_for() {
  local name=$1 url=$2 want=${WANT:-ok} pid
  pid=$(cat "$3")
  shift 3
  local until=$((SECONDS + READY_TIMEOUT_S))
  while ((SECONDS < until)); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if [[ $(curl -fsS --max-time 2 "$@" "$url" 2>/dev/null || true) == "$want" ]]; then return 0; fi
    sleep 0.3
  done
  log "$name did not become ready in ${READY_TIMEOUT_S}s"
  return 1
}

# write_files: the one-time inputs (service-account key pair, admin and controller-manager tokens, audit policy).
write_files() {
  mkdir -p "$DIR/certs"
  if [[ ! -f $DIR/sa.key ]]; then
    openssl genrsa -out "$DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
  fi
  if [[ ! -f $DIR/token ]]; then
    openssl rand -hex 24 >"$DIR/token"
    chmod 600 "$DIR/token"
  fi
  if [[ ! -f $DIR/kcm.token ]]; then
    openssl rand -hex 24 >"$DIR/kcm.token"
    chmod 600 "$DIR/kcm.token"
  fi
  {
    printf '%s,portcullis-admin,portcullis-admin,"system:masters"\n' "$(cat "$DIR/token")"
    printf '%s,system:kube-controller-manager,system:kube-controller-manager\n' "$(cat "$DIR/kcm.token")"
  } >"$DIR/tokens.csv"
  chmod 600 "$DIR/tokens.csv"
  # Metadata level for every write: admission webhooks' auditAnnotations (break-glass) land in these
  # events. Reads are left out to keep the log small.
  cat >"$DIR/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
EOF
}

# start_once: picks ports, starts etcd then kube-apiserver, and waits until both are ready.
start_once() {
  local bin=$1 etcd_port api_port
  etcd_port=$(free_port)
  api_port=$(free_port)
  while [[ $api_port == "$etcd_port" ]]; do api_port=$(free_port); done
  rm -rf "$DIR/etcd"
  start_bg etcd "$DIR/etcd.log" "$bin/etcd" \
    --name portcullis --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls http://127.0.0.1:0 --unsafe-no-fsync --log-level warn
  if ! wait_for etcd "http://127.0.0.1:$etcd_port/health" "$DIR/etcd.pid" -o /dev/null -w ok; then
    log "etcd failed; last lines of $DIR/etcd.log:" && tail -n 20 "$DIR/etcd.log" >&2
    return 1
  fi
  start_bg kube-apiserver "$DIR/kube-apiserver.log" "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --cert-dir "$DIR/certs" --secure-port "$api_port" --bind-address 127.0.0.1 \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
    --disable-admission-plugins ServiceAccount --authorization-mode RBAC \
    --service-account-issuer "https://127.0.0.1:$api_port/" \
    --service-account-key-file "$DIR/sa.pub" --service-account-signing-key-file "$DIR/sa.key" \
    --token-auth-file "$DIR/tokens.csv" \
    --audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/audit.log" \
    --v 1
  if ! wait_for kube-apiserver "https://127.0.0.1:$api_port/readyz" "$DIR/kube-apiserver.pid" \
    --cacert "$DIR/certs/apiserver.crt" -H "Authorization: Bearer $(cat "$DIR/token")"; then
    log "kube-apiserver failed; last lines of $DIR/kube-apiserver.log:" && tail -n 30 "$DIR/kube-apiserver.log" >&2
    return 1
  fi
  write_kubeconfig "$api_port" "$etcd_port"
  start_controller_manager "$bin" "https://127.0.0.1:$api_port"
}

# start_controller_manager BIN SERVER: kube-controller-manager with CONTROLLERS only, no leader election, no
# serving port; ready once its controllers have started (the replicaset controller's service account exists).
start_controller_manager() {
  local bin=$1 server=$2
  kubeconfig_for "$DIR/kcm.kubeconfig" "$server" system:kube-controller-manager "$(cat "$DIR/kcm.token")"
  start_bg kube-controller-manager "$DIR/kube-controller-manager.log" "$bin/kube-controller-manager" \
    --kubeconfig "$DIR/kcm.kubeconfig" --controllers "$CONTROLLERS" --use-service-account-credentials \
    --leader-elect=false --secure-port 0 --bind-address 127.0.0.1 --v 1
  if ! WANT=200 wait_for kube-controller-manager \
    "$server/api/v1/namespaces/kube-system/serviceaccounts/replicaset-controller" \
    "$DIR/kube-controller-manager.pid" -o /dev/null -w '%{http_code}' \
    --cacert "$DIR/certs/apiserver.crt" -H "Authorization: Bearer $(cat "$DIR/token")"; then
    log "kube-controller-manager failed; last lines of $DIR/kube-controller-manager.log:"
    tail -n 30 "$DIR/kube-controller-manager.log" >&2
    return 1
  fi
  echo "KUBE_CONTROLLER_MANAGER_PID=$(cat "$DIR/kube-controller-manager.pid")" >>"$DIR/control-plane.env"
}

# kubeconfig_for FILE SERVER USER TOKEN: a kubeconfig for one bearer-token user of this control plane.
kubeconfig_for() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: portcullis-e2e
    cluster:
      server: $2
      certificate-authority: $DIR/certs/apiserver.crt
users:
  - name: $3
    user:
      token: $4
contexts:
  - name: portcullis-e2e
    context: { cluster: portcullis-e2e, user: $3, namespace: default }
current-context: portcullis-e2e
EOF
  chmod 600 "$1"
}

# write_kubeconfig PORT ETCD_PORT: the admin kubeconfig and control-plane.env for the harness.
write_kubeconfig() {
  local server="https://127.0.0.1:$1"
  kubeconfig_for "$DIR/kubeconfig" "$server" portcullis-admin "$(cat "$DIR/token")"
  cat >"$DIR/control-plane.env" <<EOF
KUBECONFIG=$DIR/kubeconfig
KUBE_SERVER=$server
KUBE_CA_FILE=$DIR/certs/apiserver.crt
KUBE_TOKEN_FILE=$DIR/token
KUBE_AUDIT_LOG=$DIR/audit.log
ETCD_URL=http://127.0.0.1:$2
ETCD_PID=$(cat "$DIR/etcd.pid")
KUBE_APISERVER_PID=$(cat "$DIR/kube-apiserver.pid")
EOF
}

# wait_gone TENTHS PID...: waits up to TENTHS tenths of a second until none of the PIDs exists.
wait_gone() {
  local tenths=$1 i pid alive
  shift
  for ((i = 0; i < tenths; i++)); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  return 1
}

# stop_all: SIGTERM every process group at once, SIGKILL what is left after STOP_GRACE_S, and wait until
# they are gone (so that the caller can delete DIR).
stop_all() {
  local name pids=() pid
  for name in kube-controller-manager kube-apiserver etcd; do
    [[ -f $DIR/$name.pid ]] || continue
    pids+=("$(cat "$DIR/$name.pid")")
    kill -TERM -- "-${pids[-1]}" 2>/dev/null || true
  done
  if ! wait_gone $((STOP_GRACE_S * 10)) "${pids[@]}"; then
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait_gone 50 "${pids[@]}" || log "processes ${pids[*]} are still there after SIGKILL"
  fi
  rm -f "$DIR/kube-controller-manager.pid" "$DIR/kube-apiserver.pid" "$DIR/etcd.pid"
}

# print_env: the shell exports for a running control plane.
print_env() {
  [[ -f $DIR/kube-apiserver.pid && -f $DIR/control-plane.env ]] || die "no control plane running in $DIR (run: $0 start $DIR)"
  echo "export KUBECONFIG=$DIR/kubeconfig"
}

cmd=${1:-}
[[ $# -eq 2 ]] || die "usage: $0 start|stop|env DIR"
if [[ $cmd == start ]]; then mkdir -p "$2"; fi
if [[ ! -d $2 ]]; then
  [[ $cmd == stop ]] && exit 0  # nothing there, nothing to stop
  die "no control plane in $2"
fi
DIR="$(cd "$2" && pwd)"
case $cmd in
  start)
    for name in kube-controller-manager kube-apiserver etcd; do
      if [[ -f $DIR/$name.pid ]] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
        die "a control plane is already running in $DIR (run: $0 stop $DIR)"
      fi
    done
    stop_all  # clears pid files a crashed run left behind
    bin=$(tools_bin)
    for tool in etcd kube-apiserver kube-controller-manager; do
      [[ -x $bin/$tool ]] || die "$bin/$tool is missing: run hack/tools.sh"
    done
    write_files
    started=$SECONDS
    for ((attempt = 1; attempt <= START_ATTEMPTS; attempt++)); do
      if start_once "$bin"; then
        log "ready in $((SECONDS - started))s: $(grep KUBE_SERVER "$DIR/control-plane.env")"
        print_env
        exit 0
      fi
      stop_all
      log "start attempt $attempt failed"
    done
    die "could not start the control plane; logs are in $DIR"
    ;;
  stop) stop_all && log "stopped ($DIR)" ;;
  env) print_env ;;
  *) die "usage: $0 start|stop|env DIR" ;;
esac
