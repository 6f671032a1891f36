#!/usr/bin/env bash
# Runs the fileinfo pipeline on Temporal over every regular file under a
# directory: starts bin/worker in the background, runs `bin/starter map`,
# prints a summary and stops the worker. It expects a Temporal server on
# TEMPORAL_ADDRESS, so run it through `make demo` or
# `scripts/temporal-server.sh run scripts/demo.sh DIR OUT`.
#
# Usage: scripts/demo.sh DIR OUT
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 DIR OUT" >&2
	exit 2
fi
dir="$1"
out="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
worker_log="$root/out/worker.log"

for bin in worker starter; do
	if [[ ! -x "$root/bin/$bin" ]]; then
		echo "demo: error: $root/bin/$bin not found. Run: make build" >&2
		exit 1
	fi
done
mkdir -p "$root/out" "$(dirname "$out")"

echo "demo: starting the worker (log $worker_log)" >&2
"$root/bin/worker" -log-format text >"$worker_log" 2>&1 &
worker_pid=$!
stop_worker() {
	kill -TERM "$worker_pid" 2>/dev/null || true
	wait "$worker_pid" 2>/dev/null || true
}
trap stop_worker EXIT

echo "demo: inventorying $dir into $out" >&2
"$root/bin/starter" map -pipeline fileinfo -dir "$dir" -out "$out" &
starter_pid=$!

# Wait for whichever ends first, so that a worker that fails at start-up
# ends the demo instead of leaving the starter waiting for it.
status=0
wait -n -p finished "$worker_pid" "$starter_pid" || status=$?
if [[ "$finished" == "$worker_pid" ]]; then
	kill -TERM "$starter_pid" 2>/dev/null || true
	echo "demo: error: the worker exited with status $status. Last lines of $worker_log:" >&2
	tail -n 20 "$worker_log" >&2
	exit 1
fi
if ((status != 0)); then
	echo "demo: error: the starter failed with status $status (worker log: $worker_log)" >&2
	exit "$status"
fi

echo "demo: wrote $(wc -l <"$out") records to $out"
host="${address%:*}"
port="${address##*:}"
ui="http://$host:${TEMPORAL_UI_PORT:-$((port + 1000))}"
echo "demo: the workflow histories are in the Web UI at $ui"
echo "demo: to browse them after the demo, run make server: it reuses the demo's database under .temporal/"
