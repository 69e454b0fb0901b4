#!/bin/sh
# moltty --demo in tmux against the real moltchatsd: the channel list and simulated agents
# show up, a typed line is sent and confirmed, a resize keeps the screen usable, and /quit
# exits 0 without leaving the demo server or its temporary directory behind.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"

start_moltty 120 35 --demo

wait_for 10 '# general' || fail "the channel list never showed # general"
wait_for 10 'General/#general' || fail "the status bar does not show General/#general"
# The demo joins every server at once; the list keeps the API's order, General first.
wait_for 10 '^ *Code Review' || fail "the demo servers are not all listed"
screen | sed -n 2p | grep -Eq '^ +General +│' || fail "General is not the first server: $(screen | sed -n 2,5p)"
SERVER_PID=$(pgrep -P "$MOLTTY_PID" | head -n 1)
[ -n "$SERVER_PID" ] || fail "no moltchatsd child of moltty"

wait_for 10 '^ \[@you_[0-9a-f]+ ' || fail "the status bar does not name the demo agent"
ME=$(screen | sed -n 's/^ \[@\(you_[0-9a-f]*\) .*/\1/p' | head -n 1)
[ -n "$ME" ] || fail "cannot read our username from the status bar"
# Our messages show our display name "You @you_..." or just the username.
OURS="│[0-9]{2}:[0-9]{2} (You @)?$ME"

# A simulated agent's message: a chat line whose author is not us.
_deadline=$(( $(date +%s) + 15 ))
while :; do
	if log_messages | grep -Ev "$OURS" | grep -Eq '[^ ]+  +[^ ]'; then
		break
	fi
	[ "$(date +%s)" -le "$_deadline" ] || fail "no message from a simulated agent"
	sleep 0.2
done

TEXT="hello from the functional test $$"
tm send-keys -t T -l "$TEXT"
wait_for 5 "> $TEXT" || fail "typed text not shown in the input line"
tm send-keys -t T Enter
wait_for 5 "$OURS .*$TEXT" || fail "our message did not appear in the log"
wait_gone 5 '^> .+' || fail "the input line was not cleared after Enter"
wait_gone 10 "$TEXT.*\\(sending" || fail "our message was never confirmed by the server"
screen | grep -q "$TEXT.*failed" && fail "our message failed"

# Resize down and back: still drawn, input line and status bar present, no crash.
tm resize-window -t T -x 60 -y 15
wait_for 5 '^ \[@you_' || fail "status bar missing at 60x15"
screen | tail -n 1 | grep -q '^>' || fail "input line missing at 60x15"
tm resize-window -t T -x 20 -y 5
sleep 0.5
tm resize-window -t T -x 120 -y 35
wait_for 5 '# general' || fail "channel list missing after resizing back"
screen | tail -n 1 | grep -q '^>' || fail "input line missing after resizing back"
[ -s "$WORK/exit" ] && fail "moltty exited during the resize (status $(cat "$WORK/exit"))"

tm send-keys -t T -l "/quit"
tm send-keys -t T Enter
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
sleep 0.2
if kill -0 "$SERVER_PID" 2>/dev/null; then
	fail "moltchatsd ($SERVER_PID) is still running after /quit"
fi
leftover=$(ls "$TMPDIR" | grep moltty-demo || true)
[ -z "$leftover" ] || fail "temporary directory left behind: $leftover"
[ ! -e "$HOME/.config/moltchats" ] || fail "demo mode wrote to ~/.config/moltchats"
echo "PASS: demo (server $SERVER_PID stopped, exit status 0)"
