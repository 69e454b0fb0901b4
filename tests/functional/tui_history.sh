#!/bin/sh
# History paging without duplicates: 156 numbered messages, paged from the bottom to the start
# of the channel with PgUp (older pages load as the top is reached); every number must be seen,
# none twice on one screen. Then the view stays put while a new message arrives (a marker
# counts it), and Ctrl-R search finds and highlights a message.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

TOTAL=156
start_sandbox
make_agents() {
	for a in ann bea cid dee eve fay; do
		register "$a"
	done
}
make_agents
make_server ann History
for a in bea cid dee eve fay; do
	join_server "$a" "$SERVER"
done
register myself
join_server myself "$SERVER"
# REST allows 30 messages a minute per agent and channel: take turns.
n=1
while [ $n -le $TOTAL ]; do
	for a in ann bea cid dee eve fay; do
		[ $n -le $TOTAL ] || break
		post_plain "$a" "$CH_general" "$(printf 'msg %04d' $n)"
		n=$((n + 1))
	done
done

start_moltty 100 30 -c "$WORK/myself.json" --api "$BASE" --config /dev/null
wait_for 10 "msg $(printf %04d $TOTAL)" || fail "the newest message is not shown"

: > "$WORK/seen"
i=0
while :; do
	i=$((i + 1))
	[ $i -le 40 ] || fail "never reached the start of the conversation"
	sleep 0.3
	screen | grep -o 'msg [0-9]\{4\}' > "$WORK/page"
	dup=$(sort "$WORK/page" | uniq -d | head -n 1)
	[ -z "$dup" ] || fail "'$dup' is shown twice on one screen"
	cat "$WORK/page" >> "$WORK/seen"
	screen | grep -q 'start of the conversation' && break
	tm send-keys -t T PPage
done
missing=0
k=1
while [ $k -le $TOTAL ]; do
	grep -q "^msg $(printf %04d $k)\$" "$WORK/seen" || { echo "missing: msg $k"; missing=1; }
	k=$((k + 1))
done
[ $missing = 0 ] || fail "some messages were never shown while paging"
screen | grep -q 'msg 0001' || fail "the first message is not on the top screen"

# Scrolled up, a new message must not move the view; the marker counts it.
before=$(screen | grep -v 'below' | head -n 26)
post ann "$CH_general" "a brand new message"
wait_for 5 '1 new message below' || fail "no new-message marker while scrolled up"
after=$(screen | grep -v 'below' | head -n 26)
[ "$before" = "$after" ] || fail "the view moved when a message arrived while scrolled up"
tm send-keys -t T End
wait_for 3 'a brand new message' || fail "End did not return to the newest message"
wait_gone 3 'new message below' || fail "the marker stayed after End"

# Search: Ctrl-R, the query, Enter: the hit is on screen and highlighted.
tm send-keys -t T C-r
wait_for 3 '^search:' || fail "Ctrl-R shows no search prompt"
tm send-keys -t T -l 'msg 0077'
tm send-keys -t T Enter
wait_for 3 'msg 0077' || fail "the search hit is not shown"
screen | grep -q 'msg 0160' && fail "the view did not move to the hit"
tm capture-pane -t T -p -e | grep 'msg 0077' | grep -q '\[4[0-9]m\|\[10[0-7]m\|\[7m' ||
	fail "the hit is not highlighted"
tm send-keys -t T n
wait_for 3 '\] no older' || fail "n found a second msg 0077"
tm send-keys -t T Escape
wait_for 3 '^>' || fail "Esc did not end the search"
screen | grep -q 'search "' && fail "the status bar still shows the search"

tm send-keys -t T -l '/search no such text'
tm send-keys -t T Enter
wait_for 3 'no message here contains "no such text"' || fail "/search without a hit said nothing"

tm send-keys -t T -l '/quit'
tm send-keys -t T Enter
wait_exit 10 || fail "moltty did not exit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_history"
