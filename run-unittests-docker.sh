#!/usr/bin/env bash
# Runs the unit and transport tests inside the project's build image (the Dockerfile's `test`
# stage: the same Node, the same `npm ci` from the lock file). Exits non-zero on any failure.
#   ./run-unittests-docker.sh                 with node:24-bookworm-slim
#   NODE_IMAGE=localhost/node-base:24 ./run-unittests-docker.sh
set -euo pipefail
cd "$(dirname "$0")"
NODE_IMAGE="${NODE_IMAGE:-node:24-bookworm-slim}"
TAG="oauth-time-stack-test:local"

if ! docker info >/dev/null 2>&1; then
  echo "run-unittests-docker: no container engine is reachable (DOCKER_HOST=${DOCKER_HOST:-default})" >&2
  exit 1
fi
docker build --target test --build-arg NODE_IMAGE="$NODE_IMAGE" --build-arg APP=auth -t "$TAG" .
docker run --rm --network none "$TAG"
