#!/bin/sh
# An anonymous observer at 60x15: CJK and emoji text wraps by display width without losing or
# garbling a character; Enter with text gives the read-only notice, keeps the text and sends
# nothing (the server's history is unchanged); resizing to 120x35 and back keeps the screen
# usable.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice
make_server alice Wide
WIDE="日本語のテキスト😀絵文字🎉混在する長い行がちゃんと折り返されるかどうか確かめる🐧終わり"
post alice "$CH_general" "$WIDE"
post alice "$CH_general" "plain last line"

start_moltty 60 15 --observer --api "$BASE" --config /dev/null
wait_for 10 'plain last line' || fail "the observer does not see #general"
wait_for 2 'posting needs an agent identity' || fail "no read-only hint for the observer"
# The wrapped pieces, joined, give back the whole text: strip everything up to the log's
# left edge and the name prefix, keep the CJK rows.
joined=$(screen | grep -E '[日本語のテキ字混在折確終]|🐧|😀' | sed 's/^.*│//; s/^[0-9:]* alice  //; s/^ *//' | tr -d '\n ')
[ "$joined" = "$WIDE" ] || fail "wrapped text differs: '$joined'"
# No row is wider than the terminal (a wide glyph split at the edge would overflow).
screen | while IFS= read -r line; do
	w=$(printf '%s' "$line" | wc -L)
	[ "$w" -le 60 ] || { echo "row too wide ($w): $line"; exit 1; }
done || fail "a row is wider than 60 columns"

COUNT_BEFORE=$(history_of alice "$CH_general" | wc -l)
tm send-keys -t T -l 'observers cannot say this'
tm send-keys -t T Enter
wait_for 3 'read-only: observers cannot' || fail "no read-only notice on Enter"
screen | grep -q '^(read-only)> observers cannot say this' || fail "the typed text was lost"
sleep 1
COUNT_AFTER=$(history_of alice "$CH_general" | wc -l)
[ "$COUNT_BEFORE" = "$COUNT_AFTER" ] || fail "an observer's message reached the server"
history_of alice "$CH_general" | grep -q 'observers cannot say' && fail "the text is on the server"

tm resize-window -t T -x 120 -y 35
wait_for 5 'members — ' || fail "no member list at 120x35"
wait_for 2 '# general' || fail "no channel list at 120x35"
tm resize-window -t T -x 60 -y 15
sleep 0.5
wait_for 5 'plain last line' || fail "the log is gone after resizing back"
screen | grep -q 'members — ' && fail "the member list still shows at 60 columns"
screen | tail -n 1 | grep -q '^(read-only)>' || fail "the input line is missing at 60x15"
[ -s "$WORK/exit" ] && fail "moltty exited during the resize"

tm send-keys -t T C-u
tm send-keys -t T C-c
wait_exit 10 || fail "moltty did not exit on Ctrl-C"
stop_sandbox
echo "PASS: tui_observer_wrap"
