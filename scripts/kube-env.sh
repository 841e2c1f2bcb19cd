#!/usr/bin/env bash
# A real Kubernetes control plane for the tests and the benchmarks (issue 12): etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler, with kwok playing the nodes and
# their kubelets, all on 127.0.0.1, built once from Go modules (scripts/kube/go.mod).
#
#   scripts/kube-env.sh [--fail-image RE] CMD [ARG...]
#                              start it, run CMD with KUBECONFIG and ECP_TEST_REAL_CLUSTER=1 set,
#                              stop it, exit with CMD's code
#   scripts/kube-env.sh --start [--fail-image RE]
#                              start it in the background and write .kube-env (`source .kube-env`;
#                              the tests also read it by themselves)
#   scripts/kube-env.sh --stop     stop what --start started (by PID), remove its folder and .kube-env
#   scripts/kube-env.sh --status   say whether it answers
#   scripts/kube-env.sh --fail-image RE
#                              on a running control plane: from now on, pods with an image matching
#                              RE (Go RE2) never pull (ErrImagePull → ImagePullBackOff); '' clears it
#   scripts/kube-env.sh --build    only build (or find cached) the binaries
#
# Binaries are cached under $ECP_KUBE_CACHE (default ~/.cache/ecp-kube/<key>), the key being a
# hash of scripts/kube/go.mod, go.sum, this build's flags and `go version`; Go's own build and
# module caches make a rebuild after a key change cheap. Without Go or the module proxy it says so
# loudly and runs CMD anyway, without ECP_TEST_REAL_CLUSTER: the real-cluster tests then skip,
# except under CI=true, where they fail.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/scripts/kube"
ENV_FILE="$ROOT/.kube-env"
K8S_VERSION="v1.33.13"
CACHE_ROOT="${ECP_KUBE_CACHE:-$HOME/.cache/ecp-kube}"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
NODES="${ECP_KUBE_NODES:-2}"

say() { printf 'kube-env: %s\n' "$*" >&2; }
loud() {
  printf '\nkube-env: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf 'kube-env: !!! %s\n' "$@" >&2
  printf 'kube-env: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- build

LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=33 \
-X k8s.io/component-base/version.gitTreeState=clean \
-X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION \
-X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=33"

build_key() {
  { cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum"; printf '%s\n' "$LDFLAGS"; go version; } | sha256sum | cut -c1-16
}

# Sets BIN to a folder holding every binary, building what is missing. Returns 1 (said loudly)
# when Go or the module proxy cannot be had.
build() {
  if ! command -v go >/dev/null 2>&1; then
    [ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"
  fi
  if ! command -v go >/dev/null 2>&1; then
    WHY="there is no Go toolchain on this machine (looked on PATH and in /usr/local/go)"
    loud "REAL CONTROL PLANE NOT AVAILABLE: $WHY" "the real-cluster tests skip (and fail under CI=true)"
    return 1
  fi
  local key started
  key="$(build_key)"
  BIN="$CACHE_ROOT/$key"
  local missing=0 b
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || missing=1; done
  if [ "$missing" = 0 ] && [ -f "$BIN/stamp" ]; then
    say "binaries cached in $BIN ($(cat "$BIN/stamp"))"
    return 0
  fi
  started="$(now_ms)"
  say "building Kubernetes $K8S_VERSION, etcd and kwok from Go modules into $BIN"
  say "(first build on a fresh machine: about 4-10 minutes on 2 cores; later ones reuse Go's caches)"
  mkdir -p "$BIN.partial"
  if ! (cd "$MOD_DIR" && go mod download >"$BIN.partial/build.log" 2>&1); then
    WHY="the Go module proxy did not serve the control plane's modules: $(tail -n 3 "$BIN.partial/build.log" | tr '\n' ' ')"
    loud "REAL CONTROL PLANE NOT AVAILABLE: $WHY" "the real-cluster tests skip (and fail under CI=true)"
    return 1
  fi
  local pkgs=(
    "etcd=go.etcd.io/etcd/server/v3"
    "kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver"
    "kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager"
    "kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler"
    "kwok=sigs.k8s.io/kwok/cmd/kwok"
  )
  local p
  for p in "${pkgs[@]}"; do
    if ! (cd "$MOD_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" -o "$BIN.partial/${p%%=*}" "${p#*=}") >>"$BIN.partial/build.log" 2>&1; then
      WHY="building ${p%%=*} failed: $(tail -n 5 "$BIN.partial/build.log" | tr '\n' ' ')"
      loud "REAL CONTROL PLANE NOT AVAILABLE: $WHY" "the real-cluster tests skip (and fail under CI=true)"
      return 1
    fi
  done
  local took=$(( $(now_ms) - started ))
  printf 'Kubernetes %s, etcd %s, kwok %s; built in %d ms with %s\n' "$K8S_VERSION" \
    "$("$BIN.partial/etcd" --version | sed -n 's/^etcd Version: //p')" \
    "$("$BIN.partial/kwok" --version | awk '{print $3}')" "$took" "$(go version | awk '{print $3}')" >"$BIN.partial/stamp"
  rm -rf "$BIN" && mv "$BIN.partial" "$BIN"
  say "built in $took ms"
}

# ---------------------------------------------------------------- start / stop

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

certificates() {
  local d="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ecp-kube-env-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$d/apiserver.key" -out "$d/apiserver.csr" 2>/dev/null || return 1
  printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' >"$d/san.ext"
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/san.ext" -out "$d/apiserver.crt" 2>/dev/null || return 1
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null && openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

# kubeconfig FILE USER TOKEN: a kubeconfig for USER, authenticated by TOKEN.
kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube-env
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $DIR/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: kube-env
  context: {cluster: kube-env, user: $2}
current-context: kube-env
EOF
}

spawn() { # spawn NAME CMD...: run in the background, log to DIR/NAME.log, remember the PID
  local name="$1"; shift
  "$@" >"$DIR/$name.log" 2>&1 &
  echo "$!" >"$DIR/$name.pid"
  PIDS+=("$!")
}

wait_for() { # wait_for WHAT TIMEOUT_S CMD...: poll CMD until it succeeds
  local what="$1" limit=$(( $(now_ms) + $2 * 1000 )); shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(now_ms)" -gt "$limit" ]; then say "$what did not come up; its log:"; return 1; fi
    sleep 0.1
  done
}

api_ready() { curl -sf --max-time 2 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "https://127.0.0.1:$API_PORT/readyz" ; }

# Starts everything; sets DIR, KUBECONFIG_FILE, PIDS. Returns 1 (with the failing log shown) on failure.
start() {
  local fail_image="$1" started
  started="$(now_ms)"
  DIR="$(mktemp -d "${TMPDIR:-/tmp}/ecp-kube-env.XXXXXX")"
  PIDS=()
  certificates "$DIR" || { say "openssl could not make the certificates"; return 1; }
  # One identity per client, so the audit log tells the tests' requests (ecp-admin) from the
  # controllers'; ecp-limited has no rights until a test binds a Role to it.
  local who
  for who in ecp-admin kube-controller-manager kube-scheduler kwok ecp-limited; do
    local token
    token="$(openssl rand -hex 16)"
    if [ "$who" = ecp-limited ]; then printf '%s,%s,%s\n' "$token" "$who" "$who"
    else printf '%s,%s,%s,"system:masters"\n' "$token" "$who" "$who"; fi >>"$DIR/tokens.csv"
    [ "$who" = ecp-admin ] && ADMIN_TOKEN="$token"
  done
  local etcd_port etcd_peer
  etcd_port="$(free_port)"; etcd_peer="$(free_port)"; API_PORT="$(free_port)"
  for who in ecp-admin kube-controller-manager kube-scheduler kwok ecp-limited; do
    kubeconfig "$DIR/$who.kubeconfig" "$who" "$(awk -F, -v u="$who" '$2 == u {print $1}' "$DIR/tokens.csv")"
  done
  ln -s ecp-admin.kubeconfig "$DIR/kubeconfig"
  # Every request's verb, resource and user, one JSON line each: the tests and the benchmarks
  # count ecp's requests from it.
  printf 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n' >"$DIR/audit-policy.yaml"

  spawn etcd "$BIN/etcd" --name kube-env --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "kube-env=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --log-level error
  spawn kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$DIR/apiserver.crt" --tls-private-key-file "$DIR/apiserver.key" --client-ca-file "$DIR/ca.crt" \
    --token-auth-file "$DIR/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$DIR/sa.pub" \
    --service-account-signing-key-file "$DIR/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --endpoint-reconciler-type none --allow-privileged --profiling=false \
    --audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/audit.log" --audit-log-mode blocking
  wait_for kube-apiserver 90 api_ready || { tail -n 20 "$DIR/kube-apiserver.log" "$DIR/etcd.log" >&2; return 1; }
  spawn kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$DIR/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --use-service-account-credentials=false \
    --service-account-private-key-file "$DIR/sa.key" --root-ca-file "$DIR/ca.crt" \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route' --profiling=false \
    --kube-api-qps 1000 --kube-api-burst 2000
  spawn kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/kube-scheduler.kubeconfig" --authorization-kubeconfig "$DIR/kube-scheduler.kubeconfig" --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false \
    --kube-api-qps 1000 --kube-api-burst 2000

  local k=(kubectl --kubeconfig "$DIR/kubeconfig")
  # kwok's Stage kind, so the pod stages (and with them the fail pattern) can change at run time.
  local kwok_dir
  kwok_dir="$(cd "$MOD_DIR" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  "${k[@]}" apply -f "$kwok_dir/kustomize/crd/bases/kwok.x-k8s.io_stages.yaml" >/dev/null || return 1
  wait_for "the Stage CRD" 30 "${k[@]}" get stages.kwok.x-k8s.io || return 1
  "${k[@]}" apply -f "$kwok_dir/kustomize/stage/node/fast/node-initialize.yaml" \
    -f "$kwok_dir/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" >/dev/null || return 1
  set_fail_image "$fail_image" || return 1
  spawn kwok "$BIN/kwok" --kubeconfig "$DIR/kwok.kubeconfig" --enable-crds Stage \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 --cidr 10.244.0.1/16 --node-ip 10.0.0.1
  local i
  for i in $(seq 0 $((NODES - 1))); do
    "${k[@]}" apply -f - >/dev/null <<EOF || return 1
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1100"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1100"}
EOF
  done
  wait_for "the kwok nodes" 60 "${k[@]}" wait --for condition=Ready node --all --timeout 20s || { tail -n 20 "$DIR/kwok.log" >&2; return 1; }
  wait_for "the default service account" 60 "${k[@]}" -n default get serviceaccount default || { tail -n 20 "$DIR/kube-controller-manager.log" >&2; return 1; }
  START_MS=$(( $(now_ms) - started ))
  say "started in $START_MS ms: Kubernetes $K8S_VERSION on https://127.0.0.1:$API_PORT, $NODES kwok nodes, folder $DIR"
}

# set_fail_image RE: apply the pod stages with RE as the fail pattern ('' clears it).
set_fail_image() {
  printf '%s' "$1" >"$DIR/fail-image"
  node "$MOD_DIR/pod-stages.mjs" "$1" | kubectl --kubeconfig "$DIR/kubeconfig" apply -f - >/dev/null
}

stop_dir() { # stop_dir DIR: stop every process whose PID file is in DIR, then remove DIR
  local d="$1" f pid
  [ -d "$d" ] || return 0
  for f in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$d/$f.pid" ] || continue
    pid="$(cat "$d/$f.pid")"
    kill "$pid" 2>/dev/null
  done
  for f in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$d/$f.pid" ] || continue
    pid="$(cat "$d/$f.pid")"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$d"
}

write_env() {
  cat >"$ENV_FILE" <<EOF
export KUBECONFIG=$DIR/kubeconfig
export ECP_TEST_REAL_CLUSTER=1
export ECP_KUBE_ENV_DIR=$DIR
export ECP_KUBE_LIMITED_KUBECONFIG=$DIR/ecp-limited.kubeconfig
EOF
}

env_dir() { [ -f "$ENV_FILE" ] && sed -n 's/^export ECP_KUBE_ENV_DIR=//p' "$ENV_FILE"; }

# ---------------------------------------------------------------- commands

FAIL_IMAGE=""
if [ "${1:-}" = "--fail-image" ] && [ $# -ge 2 ]; then
  FAIL_IMAGE="$2"; shift 2
  if [ $# -eq 0 ]; then # on a running control plane
    DIR="$(env_dir)"
    [ -n "$DIR" ] && [ -d "$DIR" ] || { say "no control plane is running (no .kube-env); start one with --start"; exit 2; }
    set_fail_image "$FAIL_IMAGE" && say "fail pattern: ${FAIL_IMAGE:-none}"
    exit $?
  fi
fi

case "${1:-}" in
  --build)
    build; exit $? ;;
  --status)
    DIR="$(env_dir)"
    if [ -n "$DIR" ] && kubectl --kubeconfig "$DIR/kubeconfig" get --raw /readyz >/dev/null 2>&1; then
      say "running: $(kubectl --kubeconfig "$DIR/kubeconfig" get nodes --no-headers 2>/dev/null | wc -l) nodes, folder $DIR, fail pattern: $(cat "$DIR/fail-image" 2>/dev/null || true)"
      exit 0
    fi
    say "not running"; exit 1 ;;
  --stop)
    DIR="$(env_dir)"
    stop_dir "$DIR"; rm -f "$ENV_FILE"; say "stopped"; exit 0 ;;
  --start)
    [ "${2:-}" = "--fail-image" ] && FAIL_IMAGE="${3:-}"
    old="$(env_dir)"; [ -n "$old" ] && stop_dir "$old"
    build || exit 1
    if ! start "$FAIL_IMAGE"; then stop_dir "$DIR"; exit 1; fi
    write_env
    say "wrote $ENV_FILE:   source .kube-env; kubectl get nodes   (scripts/kube-env.sh --stop when done)"
    exit 0 ;;
  "")
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

# CMD mode: the control plane lives as long as CMD.
if ! build; then
  ECP_TEST_REAL_CLUSTER_WHY="$WHY" "$@"
  exit $?
fi
if ! start "$FAIL_IMAGE"; then
  stop_dir "$DIR"
  loud "REAL CONTROL PLANE DID NOT START (see the log above)"
  ECP_TEST_REAL_CLUSTER_WHY="the control plane did not start" "$@"
  exit $?
fi
trap 'stop_dir "$DIR"' EXIT INT TERM
KUBECONFIG="$DIR/kubeconfig" ECP_TEST_REAL_CLUSTER=1 ECP_KUBE_ENV_DIR="$DIR" \
  ECP_KUBE_LIMITED_KUBECONFIG="$DIR/ecp-limited.kubeconfig" "$@"
