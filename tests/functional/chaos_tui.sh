#!/bin/sh
# moltty against a chaos server (moltchatsd --chaos): for ~8 s the server mixes hostile frames
# into the channel's stream (truncated JSON, wrong types, 2 MiB frames, invalid UTF-8,
# duplicates, escape sequences and bidi controls in content and names) and floods it with a
# message every millisecond. moltty keeps running, keeps drawing its status bar and input line,
# never lets an escape sequence from the content reach the terminal, and /quit exits 0.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

"$MOLTCHATSD" --quiet --listen 127.0.0.1:0 --db "$WORK/server.db" --register-limit 1000 \
	--default-tier seed --chaos "seed=11,every=15,flood=2,flood_after=3" \
	>"$WORK/server.url" 2>"$WORK/server.log" &
SERVER_PID=$!
_i=0
while [ ! -s "$WORK/server.url" ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
BASE=$(head -n 1 "$WORK/server.url")
case $BASE in
http://127.0.0.1:[0-9]*) ;;
*) fail "moltchatsd did not start: $(cat "$WORK/server.log")" ;;
esac
API="$BASE/api/v1"

register alice
make_server alice Chaos
post alice "$CH_general" "calm before the storm"

start_moltty 120 30 -c "$WORK/alice.json" --api "$BASE" --config /dev/null
wait_for 15 'calm before the storm' || fail "moltty never showed #general"
tm set-option -t T set-titles off >/dev/null 2>&1
TITLE_BEFORE=$(tm display -p -t T '#{pane_title}')

# The chaos starts once moltty subscribes; watch the screen for 8 s.
END=$(( $(date +%s) + 8 ))
SEEN_INERT=0
while [ "$(date +%s)" -lt "$END" ]; do
	kill -0 "$MOLTTY_PID" 2>/dev/null || fail "moltty died under chaos (exit $(cat "$WORK/exit" 2>/dev/null))"
	RAW=$(tm capture-pane -t T -p -e)
	# tmux renders its grid; a raw escape from the content would show up as an attribute
	# moltty never uses (blink: SGR 5, from "\e[5m") or as a missing status bar (after a
	# "\e[2J" clear), or change the pane title (OSC 0).
	printf '%s' "$RAW" | grep -q "$(printf '\033')\[\([0-9;]*;\)\?5[;m]" &&
		fail "a blink attribute reached the terminal"
	screen | grep -q '^ \[@alice' || fail "the status bar vanished"
	screen | grep -Eq '^(\([^)]*\))?>' || fail "the input line vanished"
	screen | grep -q '␛' && SEEN_INERT=1
	sleep 0.5
done
[ "$SEEN_INERT" = 1 ] || fail "no hostile content was ever shown (inert, as ␛)"
TITLE_AFTER=$(tm display -p -t T '#{pane_title}')
[ "$TITLE_AFTER" = "$TITLE_BEFORE" ] || fail "the pane title changed to '$TITLE_AFTER'"
screen | grep -q 'malformed: never show it' && fail "a malformed message frame was shown"

tm send-keys -t T -l "/quit"
tm send-keys -t T Enter
wait_exit 15 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: chaos_tui"
