#!/usr/bin/env bash
# The real Docker engine and registry that the build, push and registry tests run against
# (DESIGN §9, issue 4).
#
#   scripts/test-env.sh CMD [ARG...]   start both, run CMD with DOCKER_HOST, ECP_TEST_REGISTRY and
#                                      ECP_TEST_BASE_IMAGE set, stop both, exit with CMD's code
#   scripts/test-env.sh --start        start both in the background and write .test-env
#                                      (`source .test-env`; the tests also read it by themselves)
#   scripts/test-env.sh --stop         stop what --start started and remove .test-env
#   scripts/test-env.sh --status       say whether the engine and the registry answer
#
# As root on Debian it installs docker.io, docker-registry and busybox-static when missing, runs
# dockerd on its own unix socket with its data in a temp folder (no iptables, no bridge,
# overlay2, or vfs where overlay2 cannot start), serves a registry on 127.0.0.1:5000 without
# auth (a registry already answering there is reused), and imports a busybox-static rootfs as
# the base image for Dockerfiles with RUN steps. Without root or apt it says so loudly and runs
# CMD anyway: the Docker tests then skip with a loud message, except under CI=true, where they
# fail.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$ROOT/.test-env"
REGISTRY_ADDR="127.0.0.1:5000"
BASE_IMAGE="ecp-test/busybox:latest"
PACKAGES=(docker.io docker-registry busybox-static curl)

say() { printf 'test-env: %s\n' "$*" >&2; }
loud() {
  printf '\n' >&2
  printf 'test-env: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf 'test-env: !!! %s\n' "$@" >&2
  printf 'test-env: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- checks

registry_answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null)" || return 1
  [ "$code" = 200 ]
}

# $1: a unix socket path
engine_answers() {
  [ -S "$1" ] || return 1
  [ "$(curl -s --max-time 2 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" = OK ]
}

# $1 pid, $2 word its command line must contain (guards against a recycled pid)
pid_is() {
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

missing_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

# Returns 0 when the packages are there (installed now or before), 1 when they cannot be.
ensure_packages() {
  local missing started
  command -v dpkg-query >/dev/null 2>&1 || { NO_ENGINE_REASON="this is not a Debian system (no dpkg)"; return 1; }
  mapfile -t missing < <(missing_packages | sed '/^$/d')
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    NO_ENGINE_REASON="${missing[*]} not installed and not running as root, so they cannot be installed"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    NO_ENGINE_REASON="${missing[*]} not installed and there is no apt-get"
    return 1
  fi
  started="$(now_ms)"
  say "installing ${missing[*]} (apt-get, about half a minute)"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' init scripts from starting a system dockerd: ours runs on its own socket.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local ok=1
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ecp-test-env-apt.log 2>&1; then
    say "apt-get install failed; running apt-get update once and trying again"
    if apt-get update -q >>/tmp/ecp-test-env-apt.log 2>&1 &&
      apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/ecp-test-env-apt.log 2>&1; then
      ok=1
    else
      ok=0
    fi
  fi
  [ -n "$made_policy" ] && rm -f "$policy"
  if [ "$ok" != 1 ]; then
    tail -n 20 /tmp/ecp-test-env-apt.log >&2
    NO_ENGINE_REASON="apt-get could not install ${missing[*]} (log: /tmp/ecp-test-env-apt.log)"
    return 1
  fi
  say "installed in $(($(now_ms) - started)) ms"
  return 0
}

# ---------------------------------------------------------------- start / stop

WORK=""          # temp folder of this run
DOCKERD_PID=""
REGISTRY_PID=""
SOCKET=""
launch=()

# $1: storage driver. Uses WORK, SOCKET and launch (set by start_services); sets DOCKERD_PID.
start_dockerd() {
  "${launch[@]}" dockerd \
    --host "unix://$SOCKET" \
    --data-root "$WORK/data-$1" --exec-root "$WORK/exec-$1" --pidfile "$WORK/dockerd.pid" \
    --iptables=false --ip6tables=false --bridge=none --storage-driver="$1" \
    >"$WORK/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
}

# $1: "foreground" (children die with us) or "background" (detached, for --start)
start_services() {
  local mode="$1" t0 t_engine t_registry t_import
  NO_ENGINE_REASON=""
  if [ "$(id -u)" != 0 ]; then
    NO_ENGINE_REASON="not running as root, and dockerd needs root"
    return 1
  fi
  ensure_packages || return 1

  t0="$(now_ms)"
  WORK="$(mktemp -d /tmp/ecp-env.XXXXXX)"
  chmod 755 "$WORK"
  mkdir -p "$WORK/registry"
  SOCKET="$WORK/docker.sock"
  launch=()
  [ "$mode" = background ] && launch=(setsid)

  # The engine.
  start_dockerd overlay2
  # The registry, unless one already answers on 127.0.0.1:5000.
  if registry_answers; then
    say "a registry already answers on $REGISTRY_ADDR: reusing it"
  else
    cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
    "${launch[@]}" docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 </dev/null &
    REGISTRY_PID=$!
  fi

  local i driver=overlay2
  for ((i = 0; i < 300; i++)); do
    engine_answers "$SOCKET" && break
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      tail -n 20 "$WORK/dockerd.log" >&2
      if [ "$driver" = overlay2 ]; then
        # A file system without overlay support: the slower vfs driver still works.
        say "dockerd did not start with overlay2 (log above); trying the vfs storage driver"
        driver=vfs
        start_dockerd vfs
        continue
      fi
      NO_ENGINE_REASON="dockerd exited at start (log above)"
      return 1
    fi
    sleep 0.1
  done
  engine_answers "$SOCKET" || { tail -n 20 "$WORK/dockerd.log" >&2; NO_ENGINE_REASON="dockerd did not answer within 30 s"; return 1; }
  t_engine="$(now_ms)"

  for ((i = 0; i < 300; i++)); do
    registry_answers && break
    if [ -n "$REGISTRY_PID" ] && ! kill -0 "$REGISTRY_PID" 2>/dev/null; then
      tail -n 20 "$WORK/registry.log" >&2
      NO_ENGINE_REASON="docker-registry exited at start (log above; is 127.0.0.1:5000 taken by something else?)"
      return 1
    fi
    sleep 0.1
  done
  registry_answers || { NO_ENGINE_REASON="the registry did not answer on $REGISTRY_ADDR within 30 s"; return 1; }
  t_registry="$(now_ms)"

  # The busybox base image, for Dockerfiles with RUN steps.
  import_base_image || return 1
  t_import="$(now_ms)"

  say "engine ready in $((t_engine - t0)) ms, registry in $((t_registry - t0)) ms, base image imported in $((t_import - t_registry)) ms (total $((t_import - t0)) ms)"
  return 0
}

import_base_image() {
  local rootfs="$WORK/rootfs" busybox=/bin/busybox applet
  [ -x "$busybox" ] || { NO_ENGINE_REASON="$busybox (busybox-static) is missing"; return 1; }
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  # The engine's own API: whatever docker CLI is on PATH may be newer than the engine.
  if ! tar -C "$rootfs" -cf - . |
    curl -sf --unix-socket "$SOCKET" -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
      "http://localhost/images/create?fromSrc=-&repo=${BASE_IMAGE%%:*}&tag=${BASE_IMAGE##*:}&changes=ENV%20PATH%3D%2Fbin&changes=CMD%20%5B%22%2Fbin%2Fsh%22%5D" \
      >"$WORK/import.log" 2>&1; then
    cat "$WORK/import.log" >&2
    NO_ENGINE_REASON="the busybox base image could not be imported"
    return 1
  fi
  rm -rf "$rootfs"
  return 0
}

# $1 pid, $2 name (for messages), $3 word its command line must contain
stop_pid() {
  local pid="$1" name="$2" word="$3" i
  pid_is "$pid" "$word" || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "$name (pid $pid) did not stop within 15 s: killing it"
  kill -KILL "$pid" 2>/dev/null
}

# $1: the temp folder to remove (unmounting what dockerd may have left mounted in it)
remove_work() {
  local dir="$1" m
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  case "$dir" in /tmp/ecp-env.*) ;; *) say "not removing unexpected folder $dir"; return 0 ;; esac
  while read -r m; do
    umount -l "$m" 2>/dev/null
  done < <(awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf "$dir"
}

stop_services() {
  stop_pid "$REGISTRY_PID" docker-registry docker-registry
  stop_pid "$DOCKERD_PID" dockerd dockerd
  remove_work "$WORK"
  REGISTRY_PID="" DOCKERD_PID="" WORK=""
}

export_env() {
  export DOCKER_HOST="unix://$SOCKET"
  export ECP_TEST_REGISTRY="$REGISTRY_ADDR"
  export ECP_TEST_BASE_IMAGE="$BASE_IMAGE"
}

warn_no_engine() {
  loud "No Docker engine and registry for the tests: $NO_ENGINE_REASON." \
    "The Docker tests (build, push, registry) will SKIP." \
    "Run this script as root on Debian bookworm to run them (CI=true makes them fail instead)."
}

# ---------------------------------------------------------------- modes

case "${1:-}" in
  --start)
    if [ -f "$ENV_FILE" ]; then
      # shellcheck disable=SC1090
      . "$ENV_FILE"
      if engine_answers "${DOCKER_HOST#unix://}" && registry_answers; then
        say "already running ($ENV_FILE): DOCKER_HOST=$DOCKER_HOST ECP_TEST_REGISTRY=$ECP_TEST_REGISTRY"
        exit 0
      fi
      say "$ENV_FILE is stale: stopping what is left of it"
      "$0" --stop
    fi
    if ! start_services background; then
      warn_no_engine
      stop_services
      exit 1
    fi
    cat >"$ENV_FILE" <<EOF
# written by scripts/test-env.sh --start; remove with scripts/test-env.sh --stop
export DOCKER_HOST=unix://$SOCKET
export ECP_TEST_REGISTRY=$REGISTRY_ADDR
export ECP_TEST_BASE_IMAGE=$BASE_IMAGE
ECP_TEST_ENV_DIR=$WORK
ECP_TEST_ENV_DOCKERD_PID=$DOCKERD_PID
ECP_TEST_ENV_REGISTRY_PID=$REGISTRY_PID
EOF
    say "started: dockerd pid $DOCKERD_PID${REGISTRY_PID:+, registry pid $REGISTRY_PID}; wrote $ENV_FILE"
    say "  source .test-env   # then run the tests; scripts/test-env.sh --stop when done"
    exit 0
    ;;
  --stop)
    if [ ! -f "$ENV_FILE" ]; then
      say "nothing to stop ($ENV_FILE does not exist)"
      exit 0
    fi
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    REGISTRY_PID="${ECP_TEST_ENV_REGISTRY_PID:-}"
    DOCKERD_PID="${ECP_TEST_ENV_DOCKERD_PID:-}"
    WORK="${ECP_TEST_ENV_DIR:-}"
    stop_services
    rm -f "$ENV_FILE"
    say "stopped"
    exit 0
    ;;
  --status)
    if [ -f "$ENV_FILE" ]; then
      # shellcheck disable=SC1090
      . "$ENV_FILE"
    fi
    sock="${DOCKER_HOST:-unix:///var/run/docker.sock}"
    if engine_answers "${sock#unix://}"; then say "engine answers on $sock"; else say "no engine answers on $sock"; fi
    if registry_answers; then say "registry answers on $REGISTRY_ADDR"; else say "no registry answers on $REGISTRY_ADDR"; fi
    exit 0
    ;;
  -h | --help | "")
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ] && exit 0
    exit 2
    ;;
esac

# Run a command between start and stop.
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_services
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if start_services foreground; then
  export_env
else
  warn_no_engine
  stop_services
fi

# The command runs in the foreground, so it keeps the terminal and gets Ctrl-C itself; the EXIT
# trap stops the engine and the registry once it has ended, and its exit code is passed on.
rc=0
"$@" || rc=$?
exit "$rc"
