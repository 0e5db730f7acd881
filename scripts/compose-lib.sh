# Sourced by compose-test.sh and compose-scale-test.sh: the compose command, the engine check,
# fail / down (on exit, the logs on failure and the stack taken down) / check_json, and the
# build arguments. Set before sourcing:
#   NAME           the prefix of every line this prints (compose-test, compose-scale-test)
#   COMPOSE_FILES  the `-f` arguments, an array (empty: compose's default files)
#   LOG_TAIL       how many lines of each service's log to print when the test fails
if command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose "${COMPOSE_FILES[@]}")
else
  COMPOSE=(docker compose "${COMPOSE_FILES[@]}")
fi

if ! docker info >/dev/null 2>&1; then
  echo "$NAME: no container engine is reachable (DOCKER_HOST=${DOCKER_HOST:-default})" >&2
  if [ "${COMPOSE_TEST_SKIP_WITHOUT_ENGINE:-0}" = "1" ]; then echo "$NAME: skipped"; exit 0; fi
  exit 1
fi

fail() { echo "$NAME: FAIL: $*" >&2; exit 1; }
down() {
  local status=$?
  if [ "$status" -ne 0 ]; then "${COMPOSE[@]}" logs --no-color --tail="$LOG_TAIL" >&2 || true; fi
  "${COMPOSE[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
  exit "$status"
}
trap down EXIT

build_args=()
[ -n "${NODE_IMAGE:-}" ] && build_args=(--build-arg "NODE_IMAGE=$NODE_IMAGE")

check_json() { # url, JavaScript expression over the body `b` that must hold, curl args...
  local url=$1 expr=$2; shift 2
  local body
  body=$(curl -sS -f "$@" "$url") || fail "GET $url $*"
  node -e "const b = JSON.parse(process.argv[1]); if (!($expr)) process.exit(1)" "$body" || fail "GET $url: $body"
  echo "$NAME: ok  GET $url $* -> $body"
}
