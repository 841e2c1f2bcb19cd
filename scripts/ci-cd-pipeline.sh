#!/usr/bin/env bash
# The specification's pipeline script (SPEC-ko.md "CI/CD 파이프라인 실행"), as a thin wrapper over
# ecp, so the usage lines CI jobs already have keep working:
#
#   ./scripts/ci-cd-pipeline.sh build                       → ecp build
#   ./scripts/ci-cd-pipeline.sh update-manifests <tenant>   → ecp update-manifests <tenant>
#   ./scripts/ci-cd-pipeline.sh validate                    → ecp validate
#   ./scripts/ci-cd-pipeline.sh deploy <tenant>             → ecp deploy <tenant>
#
# Options after those words go to ecp as they are (e.g. `deploy test-download --no-apply`).
# DEBUG=1 reaches ecp (its verbose log) and the command run is printed first; ecp's exit code is
# the script's (0 ok, 1 problems found, 2 usage or connection error, nothing changed).
# Which ecp: $ECP when set, else this checkout's bin/ecp.js, else `ecp` on PATH.
set -euo pipefail

usage() {
  echo "Usage: $0 build | update-manifests <tenant_id> | validate | deploy <tenant_id>  [ecp options...]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
step="$1"
shift
case "$step" in
  build | validate) args=("$step") ;;
  update-manifests | deploy)
    [ $# -ge 1 ] && [ "${1#-}" = "$1" ] || usage
    args=("$step" "$1")
    shift
    ;;
  *) usage ;;
esac

# Where the script really lives (it may be linked into a project's scripts/ folder).
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
if [ -n "${ECP:-}" ]; then
  read -r -a ecp <<<"$ECP"
elif [ -f "$here/../bin/ecp.js" ]; then
  ecp=(node "$here/../bin/ecp.js")
elif command -v ecp >/dev/null 2>&1; then
  ecp=(ecp)
else
  echo "$0: ecp is not installed: set ECP=/path/to/ecp or put ecp on PATH." >&2
  exit 2
fi

if [ "${DEBUG:-}" = "1" ] || [ "${DEBUG:-}" = "true" ]; then
  echo "[debug ci-cd-pipeline] ${ecp[*]} ${args[*]} $*" >&2
fi
exec "${ecp[@]}" "${args[@]}" "$@"
