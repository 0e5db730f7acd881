#!/usr/bin/env bash
# bench/profile.sh <auth|resource|webapp> [seconds] [bench.js options...]
#
# Where that app spends its CPU under the end-to-end load: bench.js builds and starts the stack
# with the app under node --perf-basic-prof (so perf can name JIT-compiled JavaScript), warms it
# for 15 s, then runs the end-to-end load at 16 connections while `perf record -g` samples that
# one process; this script then prints the top symbols of `perf report --stdio`.
# perf comes from Debian's linux-perf, installed when missing. Samples land in bench/.perf/.
set -euo pipefail

app=${1:-}
seconds=${2:-15}
case "$app" in
  auth | resource | webapp) ;;
  *)
    echo "usage: bench/profile.sh <auth|resource|webapp> [seconds] [bench.js options...]" >&2
    exit 2
    ;;
esac
shift $(($# < 2 ? $# : 2))
cd "$(dirname "$0")/.."
export PATH="/usr/local/bin:$PATH"

if ! command -v perf >/dev/null 2>&1; then
  echo "perf not found: installing linux-perf" >&2
  apt-get install -y linux-perf >/dev/null || { apt-get update >/dev/null && apt-get install -y linux-perf >/dev/null; }
fi

mkdir -p bench/.perf
data="bench/.perf/$app.data"
# perf needs perf_event_open(2), which a container or VM may refuse (seccomp,
# kernel.perf_event_paranoid); find out before spending a build and a warm-up on it.
if ! probe=$(perf record -q -g -o bench/.perf/probe.data -- true 2>&1); then
  echo "perf is not supported on this machine (perf record failed: ${probe:-no reason given})" >&2
  exit 3
fi
rm -f bench/.perf/probe.data

out=$(node bench/bench.js --profile "$app" --duration "$seconds" --perf-data "$data" "$@")
echo "$out"
pid=$(sed -n 's/.*pid=\([0-9][0-9]*\).*/\1/p' <<<"$out")

echo
echo "top symbols of $app (self time, $seconds s of end-to-end load; JIT names from /tmp/perf-$pid.map):"
perf report --stdio --no-children -g none --sort dso,symbol --percent-limit 0.5 -i "$data" 2>/dev/null |
  grep -v '^#' | sed -E 's/([[:space:]]+-)*[[:space:]]*$//' | grep -v '^$' | head -n 40 || true # head closes the pipe early
echo
echo "full report: perf report -i $data   (call graphs: perf report -g -i $data)"
