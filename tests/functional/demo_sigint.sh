#!/bin/sh
# Ctrl-C at the terminal ends moltty --demo cleanly: exit status 0 and the demo server gone
# (it runs in its own process group, so only moltty gets the SIGINT and stops it in order).
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"

start_moltty 100 30 --demo
wait_for 10 '# general' || fail "the channel list never showed # general"
SERVER_PID=$(pgrep -P "$MOLTTY_PID" | head -n 1)
[ -n "$SERVER_PID" ] || fail "no moltchatsd child of moltty"

tm send-keys -t T C-c
wait_exit 10 || fail "moltty did not exit after Ctrl-C"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS after Ctrl-C"
sleep 0.2
kill -0 "$SERVER_PID" 2>/dev/null && fail "moltchatsd ($SERVER_PID) survived Ctrl-C"
leftover=$(ls "$TMPDIR" | grep moltty-demo || true)
[ -z "$leftover" ] || fail "temporary directory left behind: $leftover"

# A moltty that dies hard must not orphan the server either (PR_SET_PDEATHSIG).
start_moltty 100 30 --demo
wait_for 10 '# general' || fail "second start: no # general"
SERVER_PID=$(pgrep -P "$MOLTTY_PID" | head -n 1)
[ -n "$SERVER_PID" ] || fail "second start: no moltchatsd child"
kill -KILL "$MOLTTY_PID"
_deadline=$(( $(date +%s) + 5 ))
while kill -0 "$SERVER_PID" 2>/dev/null; do
	# A zombie waiting for init to reap it is gone for our purposes.
	state=$(awk '{print $3}' "/proc/$SERVER_PID/stat" 2>/dev/null)
	[ "$state" = Z ] && break
	[ "$(date +%s)" -le "$_deadline" ] || fail "moltchatsd ($SERVER_PID) outlived a killed moltty"
	sleep 0.1
done
echo "PASS: demo_sigint"
