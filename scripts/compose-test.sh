#!/usr/bin/env bash
# The compose end-to-end test: build, bring the stack up, wait for health, call the webapp as a
# user would, run the e2e suite against the containers, check every service's logs, take the
# stack down (also on failure); then the same for the scaled stack, with faults
# (scripts/compose-scale-test.sh).
#   npm run test:compose                  needs a Docker engine (DOCKER_HOST or the default socket)
#   COMPOSE_TEST_SKIP_WITHOUT_ENGINE=1    exit 0 with a notice when no engine is reachable
#   NODE_IMAGE=...                        base image for the build (air-gapped sites)
#   COMPOSE_TEST_SKIP_SCALED=1            the default stack only
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=compose-test COMPOSE_FILES=() LOG_TAIL=40
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-oauthtimestack}"
source scripts/compose-lib.sh

"${COMPOSE[@]}" build "${build_args[@]}"
"${COMPOSE[@]}" up -d

echo "compose-test: waiting for the three services to be ready"
for _ in $(seq 1 120); do
  if curl -sf localhost:5003/readyz >/dev/null 2>&1 && curl -sf localhost:5002/readyz >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -sf localhost:5003/readyz >/dev/null || fail "the stack did not become ready within 120 s"

check_json localhost:5003/current_time "b.user === 'demo' && b.current_time.endsWith('+00:00')"
check_json localhost:5003/current_time "b.user === 'alice'" -u alice:pw-Secret-123
check_json localhost:5003/epoch_time "b.user === 'demo' && Number.isInteger(b.epoch_time)"
check_json localhost:5003/epoch_time "b.user === 'bob'" -u bob:pw-Secret-123
status=$(curl -s -o /dev/null -w '%{http_code}' localhost:5003/nope)
[ "$status" = 404 ] || fail "GET /nope answered $status"

echo "compose-test: running the end-to-end suite against the containers"
E2E_AUTH_URL=http://localhost:5001 E2E_RESOURCE_URL=http://localhost:5002 E2E_WEBAPP_URL=http://localhost:5003 \
  E2E_LOGS_COMMAND="${COMPOSE[*]} logs --no-color --no-log-prefix {service} | grep -v '^Attaching to '" \
  npm run --silent test:e2e:run

echo "compose-test: soak, 60 s at 64 connections, each container under mem_limit 256m"
node scripts/compose-soak.js "${COMPOSE[@]}"

echo "compose-test: checking the logs"
for service in auth resource webapp; do
  # docker-compose 1.x prints an "Attaching to" line of its own before the service's output.
  "${COMPOSE[@]}" logs --no-color --no-log-prefix "$service" | grep -v '^Attaching to ' > "/tmp/compose-$service.log"
  node scripts/check-logs.js "$service" "/tmp/compose-$service.log" pw-Secret-123
done
echo "compose-test: passed"

# The scaled stack publishes the same ports: this one goes first.
trap - EXIT
"${COMPOSE[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
if [ "${COMPOSE_TEST_SKIP_SCALED:-0}" != "1" ]; then exec bash scripts/compose-scale-test.sh; fi
