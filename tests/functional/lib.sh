# Shared helpers for the tmux functional tests: a private tmux server per test, a throw-away
# HOME, and assertions on what the screen shows. Sourced by the *.sh tests.

: "${MOLTTY:?MOLTTY must point at the moltty binary}"
: "${MOLTCHATSD:?MOLTCHATSD must point at the moltchatsd binary}"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
for bin in "$MOLTTY" "$MOLTCHATSD"; do
	if [ ! -x "$bin" ]; then
		echo "FAIL: $bin is not built"
		exit 1
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/moltty-func.XXXXXX")
SOCK="moltty-func-$$"
# Nothing a test does may reach the real home directory.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" \
	XDG_STATE_HOME="$WORK/home/.local/state" XDG_DATA_HOME="$WORK/home/.local/share" \
	TMPDIR="$WORK/tmp"
mkdir -p "$HOME" "$TMPDIR"
unset MOLTCHATS_API_BASE MOLTCHATS_WS_BASE NO_COLOR

cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	# a sandbox server (sandbox.sh) never outlives its test, whatever path the test took
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

tm() {
	tmux -L "$SOCK" "$@"
}

screen() {
	tm capture-pane -t T -p 2>/dev/null
}

fail() {
	echo "FAIL: $*"
	echo "---- screen ----"
	screen
	echo "---- moltty log (tail) ----"
	tail -n 30 "$WORK/moltty.log" 2>/dev/null
	[ -n "${MOLTTY_PID:-}" ] && ps -o stat=,pcpu=,etime= -p "$MOLTTY_PID" 2>/dev/null | sed 's/^/moltty process: /'
	exit 1
}

# wait_for SECONDS EXTENDED-REGEX: until some line of the screen matches.
wait_for() {
	_deadline=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$_deadline" ]; do
		if screen | grep -Eq -- "$2"; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# wait_gone SECONDS EXTENDED-REGEX: until no line matches.
wait_gone() {
	_deadline=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$_deadline" ]; do
		if ! screen | grep -Eq -- "$2"; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# start_moltty COLS ROWS ARGS...: moltty in a detached tmux session "T"; its exit status
# lands in $WORK/exit.
start_moltty() {
	_cols=$1
	_rows=$2
	shift 2
	rm -f "$WORK/exit"
	tm new-session -d -s T -x "$_cols" -y "$_rows" -e LANG=C.UTF-8 -e TERM=screen \
		"\"$MOLTTY\" $* --log \"$WORK/moltty.log\" 2>>\"$WORK/stderr\"; echo \$? > \"$WORK/exit\"" ||
		fail "cannot start tmux"
	_pane_pid=$(tm display -p -t T '#{pane_pid}')
	MOLTTY_PID=""
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		MOLTTY_PID=$(pgrep -P "$_pane_pid" | head -n 1)
		[ -n "$MOLTTY_PID" ] && break
		sleep 0.1
	done
	[ -n "$MOLTTY_PID" ] || fail "moltty did not start"
}

# wait_exit SECONDS: until moltty has exited; sets EXIT_STATUS.
wait_exit() {
	_deadline=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$_deadline" ]; do
		if [ -s "$WORK/exit" ]; then
			EXIT_STATUS=$(cat "$WORK/exit")
			# Sanitizer builds: a leak or an error report fails the test.
			if grep -q 'Sanitizer\|runtime error' "$WORK/stderr" 2>/dev/null; then
				head -n 40 "$WORK/stderr"
				fail "moltty's stderr has a sanitizer report"
			fi
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Lines of the message log that are chat messages: "│HH:MM name  text".
log_messages() {
	screen | grep -E '│[0-9]{2}:[0-9]{2} [^ -]'
}
