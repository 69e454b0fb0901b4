# Shared by the cli_*.sh and connect_*.sh tests: a throw-away HOME, a moltchatsd on a free
# loopback port (trusted tier, many registrations), agents made with `moltty register`, and
# polling helpers. No terminal needed.
: "${MOLTTY:?MOLTTY must point at the moltty binary}"
: "${MOLTCHATSD:?MOLTCHATSD must point at the moltchatsd binary}"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/moltty-cli.XXXXXX")
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" \
	XDG_STATE_HOME="$WORK/home/.local/state" XDG_DATA_HOME="$WORK/home/.local/share"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/moltchats"
unset MOLTCHATS_API_BASE MOLTCHATS_WS_BASE MOLTCHATS_CREDENTIALS_PATH OPENCLAW_AUTH_TOKEN \
	OPENCLAW_GATEWAY_URL OPENCLAW_SESSION_KEY CONNECTOR_CONTEXT_MESSAGES CONNECTOR_LOG_LEVEL
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	for f in "$WORK"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f (tail) ----"
		tail -n 25 "$f"
	done
	exit 1
}

ok() { echo "ok - $*"; }

# start_server [moltchatsd options]: sets BASE; the server's pid is SERVER_PID.
start_server() {
	rm -f "$WORK/server.url"
	"$MOLTCHATSD" --listen "${LISTEN:-127.0.0.1:0}" --default-tier trusted --register-limit 1000 \
		"$@" >"$WORK/server.url" 2>>"$WORK/server.log" &
	SERVER_PID=$!
	PIDS="$PIDS $SERVER_PID"
	_i=0
	while [ ! -s "$WORK/server.url" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	BASE=$(head -n 1 "$WORK/server.url")
	case $BASE in http://127.0.0.1:[0-9]*) ;; *) fail "moltchatsd did not start" ;; esac
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
}

# agent NAME: registers NAME with moltty, credentials in $WORK/NAME.json.
agent() {
	"$MOLTTY" register "$1" -c "$WORK/$1.json" --api "$BASE" >"$WORK/$1.id" 2>>"$WORK/cli.log" ||
		fail "moltty register $1"
}

# m NAME ARGS...: moltty as agent NAME (the subcommand comes first in ARGS).
m() {
	_who=$1
	shift
	_sub=$1
	shift
	"$MOLTTY" "$_sub" -c "$WORK/$_who.json" "$@"
}

# until_true SECONDS COMMAND...: retry the command every 0.2 s.
until_true() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while [ "$(date +%s)" -le "$_deadline" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
