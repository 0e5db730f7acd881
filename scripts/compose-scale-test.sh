#!/usr/bin/env bash
# The scaled compose test: docker-compose.yml + docker-compose.scale.yml with three auth, two
# resource and two webapp replicas behind lb, on one Redis. Calls the webapp as a user would,
# runs the e2e suite through lb, proves that flows cross replicas (X-Served-By), then, under a
# steady stream of user calls through lb: stops one auth replica (SIGTERM: no call may fail),
# kills one (SIGKILL: at most the calls in flight fail, whole again within the health checks),
# restarts Redis (503s while it is down, full service after, no app restarted). Prints every
# figure. Checks the logs, takes the stack down (also on failure).
#   bash scripts/compose-scale-test.sh     needs a Docker engine (DOCKER_HOST or the default socket)
#   COMPOSE_TEST_SKIP_WITHOUT_ENGINE=1      exit 0 with a notice when no engine is reachable
#   NODE_IMAGE, REDIS_IMAGE, HAPROXY_IMAGE  local images for air-gapped sites (see the compose files)
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=compose-scale-test COMPOSE_FILES=(-f docker-compose.yml -f docker-compose.scale.yml) LOG_TAIL=30
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-oauthtimestack}-scaled"
AUTH_REPLICAS=3 RESOURCE_REPLICAS=2 WEBAPP_REPLICAS=2
SCALE=(--scale "auth=$AUTH_REPLICAS" --scale "resource=$RESOURCE_REPLICAS" --scale "webapp=$WEBAPP_REPLICAS")
# lb checks every second and takes a replica out after two failed checks (configs/haproxy).
CHECK_BOUND_MS=3000
LOAD_CONCURRENCY=4
started=$SECONDS

source scripts/compose-lib.sh

"${COMPOSE[@]}" build "${build_args[@]}" auth resource webapp
"${COMPOSE[@]}" up -d "${SCALE[@]}"

echo "compose-scale-test: waiting for lb to reach every replica"
node scripts/scale-crossing.js --auth "$AUTH_REPLICAS" --resource "$RESOURCE_REPLICAS" --webapp "$WEBAPP_REPLICAS" --wait-ms 120000

check_json localhost:5003/current_time "b.user === 'demo' && b.current_time.endsWith('+00:00')"
check_json localhost:5003/epoch_time "b.user === 'bob' && Number.isInteger(b.epoch_time)" -u bob:pw-Secret-123
status=$(curl -s -o /dev/null -w '%{http_code}' localhost:5003/nope)
[ "$status" = 404 ] || fail "GET /nope answered $status"
# Browser logins through lb: /callback must reach the webapp replica whose /login set the
# cookie (lb sticks on it), whichever replica each /login lands on.
for i in 1 2 3 4; do
  jar=$(mktemp)
  check_json "localhost:5003/login?scope=current_time" "b.user === 'carol'" \
    --location-trusted -u carol:pw-Secret-123 -c "$jar" -b "$jar"
  rm -f "$jar"
done

echo "compose-scale-test: running the end-to-end suite through lb"
# The replicas' output one after the other (compose's `logs` interleaves them), so that the log
# suite reads each process's lines in order.
E2E_AUTH_URL=http://localhost:5001 E2E_RESOURCE_URL=http://localhost:5002 E2E_WEBAPP_URL=http://localhost:5003 \
  E2E_FRONT_PROXY=haproxy E2E_LOGS_COMMAND="for c in \$(${COMPOSE[*]} ps -q {service}); do docker logs \$c 2>&1; done" \
  npm run --silent test:e2e:run

# What each app container is now: a restart (by the engine's policy or anybody) would change it.
app_states() {
  for service in auth resource webapp; do
    for id in $("${COMPOSE[@]}" ps -q "$service"); do
      docker inspect -f "{{.Name}} {{.RestartCount}} {{.State.StartedAt}}" "$id"
    done
  done | sort
}
load() { # label, fault command, scale-load bounds...
  local label=$1 fault=$2; shift 2
  echo "compose-scale-test: under load: $label"
  node scripts/scale-load.js --url http://localhost:5003/current_time --concurrency "$LOAD_CONCURRENCY" \
    --label "$label" --fault "$fault" "$@"
}
one_auth() { "${COMPOSE[@]}" ps -q auth | sed -n 1p; }
back_to_full() { # brings a stopped or killed replica back and waits until lb uses it again
  docker start "$1" >/dev/null
  node scripts/scale-crossing.js --auth "$AUTH_REPLICAS" --resource "$RESOURCE_REPLICAS" --webapp "$WEBAPP_REPLICAS" >/dev/null
}

victim=$(one_auth)
load "SIGTERM one auth replica" "docker stop -t 15 $victim >/dev/null" --max-failed 0
back_to_full "$victim"

victim=$(one_auth)
load "SIGKILL one auth replica" "docker kill -s KILL $victim >/dev/null" \
  --max-failed "$LOAD_CONCURRENCY" --max-recovery-ms "$CHECK_BOUND_MS"
back_to_full "$victim"

before=$(app_states)
load "restart Redis" "${COMPOSE[*]} restart -t 5 redis >/dev/null 2>&1" \
  --min-failed 1 --failure-status 503 --after-ms 8000
[ "$(app_states)" = "$before" ] || fail "an app container was restarted with Redis: $before -> $(app_states)"
echo "compose-scale-test: ok  no app container restarted with Redis"

echo "compose-scale-test: checking the logs"
for service in auth resource webapp; do
  "${COMPOSE[@]}" logs --no-color --no-log-prefix "$service" | grep -v '^Attaching to ' > "/tmp/compose-scaled-$service.log"
  node scripts/check-logs.js "$service" "/tmp/compose-scaled-$service.log" pw-Secret-123
done
echo "compose-scale-test: passed in $((SECONDS - started)) s"
