#!/usr/bin/env bash
# Installs, starts and stops a local Temporal development server for tests
# and demos. The server is the Temporal CLI's `server start-dev`, bound to
# 127.0.0.1, with its state, log and pid file under .temporal/ in the
# repository.
#
# Usage: scripts/temporal-server.sh install|start|stop|status|run CMD [ARG...]
#
#   install  Build the Temporal CLI into .tools/bin unless that binary is
#            already the pinned version.
#   start    Reuse a server that already responds on TEMPORAL_ADDRESS, else
#            start one in the background and wait until it is healthy.
#   stop     Stop the server that `start` started. A server started any
#            other way is left running.
#   status   Print whether a server responds on TEMPORAL_ADDRESS.
#   run      Start (or reuse) a server, run CMD with TEMPORAL_ADDRESS
#            exported, then stop the server if this command started it.
#            Exits with CMD's exit code.
#
# Environment:
#   TEMPORAL_ADDRESS        host:port of the gRPC frontend (127.0.0.1:7233)
#   TEMPORAL_UI_PORT        Web UI port of a started server (gRPC port + 1000)
#   TEMPORAL_CLI_VERSION    CLI module version to build (v1.5.1)
#   TEMPORAL_CLI            path of the CLI binary (.tools/bin/temporal)
#   TEMPORAL_START_TIMEOUT  seconds to wait for a started server (90)
#   TEMPORAL_DB_FILE        SQLite file where a started server keeps workflow
#                           histories across restarts (.temporal/dev-PORT.db);
#                           set it empty for a server that keeps them in memory
#
# The log, pid and database files are named after the port, so servers on
# different ports, started from the same checkout, do not stop each other.
#
# Exit codes: 0 success, 1 failure, 2 bad usage, 3 no server responds (status).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli_module="github.com/temporalio/cli"
cli_version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
cli="${TEMPORAL_CLI:-$root/.tools/bin/temporal}"
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
host="${address%:*}"
port="${address##*:}"
start_timeout="${TEMPORAL_START_TIMEOUT:-90}"
state_dir="$root/.temporal"
log_file="$state_dir/server-$port.log"
db_file="${TEMPORAL_DB_FILE-$state_dir/dev-$port.db}"
pid_file="$state_dir/server-$port.pid"

log() { printf 'temporal-server: %s\n' "$*" >&2; }
fail() {
	log "error: $*"
	exit 1
}

# installed_version prints the module version the CLI binary was built from,
# or nothing when the binary is missing or was not built by `go install`.
installed_version() {
	[[ -x "$cli" ]] || return 0
	go version -m "$cli" 2>/dev/null | awk -v m="$cli_module" '$1 == "mod" && $2 == m { print $3 }'
}

cmd_install() {
	if [[ "$(installed_version)" == "$cli_version" ]]; then
		log "Temporal CLI $cli_version already installed at $cli"
		return 0
	fi
	command -v go >/dev/null || fail "go not found on PATH, but it is needed to build the Temporal CLI"
	log "building Temporal CLI $cli_version into $(dirname "$cli") (takes minutes the first time)"
	mkdir -p "$(dirname "$cli")"
	GOBIN="$(dirname "$cli")" go install "$cli_module/cmd/temporal@$cli_version" ||
		fail "go install $cli_module/cmd/temporal@$cli_version failed"
	if [[ "$(basename "$cli")" != temporal ]]; then
		mv "$(dirname "$cli")/temporal" "$cli"
	fi
	log "installed Temporal CLI $cli_version at $cli"
}

# healthy reports whether a Temporal frontend responds to a health check on the address. The
# user's CLI config file and environment are ignored so that a profile with
# TLS or another namespace cannot change the check.
healthy() {
	"$cli" operator cluster health --address "$address" --command-timeout 2s \
		--disable-config-file --disable-config-env >/dev/null 2>&1
}

# started_pid prints the pid recorded by `start` while that process still
# runs the dev server, and removes a stale pid file otherwise.
started_pid() {
	[[ -f "$pid_file" ]] || return 0
	local pid
	pid="$(<"$pid_file")"
	if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
		grep -q 'server start-dev'; then
		echo "$pid"
		return 0
	fi
	rm -f "$pid_file"
}

require_cli() {
	[[ -x "$cli" ]] || fail "Temporal CLI not found at $cli. Run: $0 install"
}

# started_here is set to true by cmd_start when it launches a server.
started_here=false

cmd_start() {
	require_cli
	if healthy; then
		log "reusing the Temporal server on $address"
		return 0
	fi
	local pid
	pid="$(started_pid)"
	if [[ -n "$pid" ]]; then
		log "waiting for the server started earlier by this script (pid $pid)"
		wait_healthy "$pid"
		return 0
	fi
	mkdir -p "$state_dir"
	if [[ -f "$log_file" ]]; then
		mv -f "$log_file" "$log_file.1"
	fi
	local args=(--ip "$host" --port "$port" --ui-ip "$host" --ui-port "$ui_port"
		--log-format text --log-level warn)
	if [[ -n "$db_file" ]]; then
		args+=(--db-filename "$db_file")
	fi
	log "starting Temporal dev server on $address (Web UI http://$host:$ui_port, log $log_file)"
	nohup "$cli" server start-dev "${args[@]}" </dev/null >>"$log_file" 2>&1 &
	echo $! >"$pid_file"
	started_here=true
	wait_healthy "$!"
}

# wait_healthy polls the server until it responds, its process exits or
# TEMPORAL_START_TIMEOUT passes. The last two print the log tail and fail.
wait_healthy() {
	local pid="$1" deadline=$((SECONDS + start_timeout))
	until healthy; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$pid_file"
			server_failed "the server process exited before it responded on $address"
		fi
		if ((SECONDS >= deadline)); then
			cmd_stop >/dev/null 2>&1 || true
			server_failed "the server did not respond on $address within ${start_timeout}s"
		fi
		sleep 0.5
	done
	log "Temporal server ready on $address (pid $pid)"
}

server_failed() {
	log "error: $1. Last lines of $log_file:"
	tail -n 20 "$log_file" >&2 || true
	exit 1
}

cmd_stop() {
	local pid
	pid="$(started_pid)"
	if [[ -z "$pid" ]]; then
		log "no server started by this script is running, so there is nothing to stop"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "server pid $pid still running 10s after SIGTERM, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pid_file"
	log "stopped the Temporal server (pid $pid)"
}

cmd_status() {
	require_cli
	local pid
	pid="$(started_pid)"
	if healthy; then
		echo "serving on $address${pid:+ (started by this script, pid $pid)}"
		return 0
	fi
	echo "no Temporal server responds on $address${pid:+ (pid $pid from this script is running)}"
	return 3
}

# cmd_run starts or reuses a server and runs the command. A server that this
# call started is stopped on the way out, whether the command succeeds, fails
# or is interrupted.
cmd_run() {
	(($# > 0)) || usage
	trap 'if [[ "$started_here" == true ]]; then cmd_stop; fi' EXIT
	trap 'stop_command; exit 130' INT
	trap 'stop_command; exit 143' TERM
	cmd_start
	export TEMPORAL_ADDRESS="$address"

	# The command runs in the background so that a signal to this script is
	# handled at once rather than after the command ends.
	local status=0
	"$@" &
	command_pid=$!
	wait "$command_pid" || status=$?
	command_pid=""
	return "$status"
}

command_pid=""

stop_command() {
	if [[ -n "$command_pid" ]]; then
		kill -TERM "$command_pid" 2>/dev/null || true
		wait "$command_pid" 2>/dev/null || true
	fi
}

usage() {
	echo "usage: $0 install|start|stop|status|run CMD [ARG...]" >&2
	exit 2
}

[[ "$port" =~ ^[0-9]+$ && "$host" != "$address" ]] ||
	fail "TEMPORAL_ADDRESS must be host:port, got '$address'"
ui_port="${TEMPORAL_UI_PORT:-$((port + 1000))}"
[[ "$start_timeout" =~ ^[0-9]+$ ]] ||
	fail "TEMPORAL_START_TIMEOUT must be a whole number of seconds, got '$start_timeout'"

case "${1:-}" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
run)
	shift
	cmd_run "$@"
	;;
*) usage ;;
esac
