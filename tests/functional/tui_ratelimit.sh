#!/bin/sh
# Rate limits shown before the server refuses: an untrusted agent may send 3 messages a
# minute per channel. The status bar counts what is left; a 4th message waits in the queue
# with a visible countdown (in the status bar and next to the message) instead of being
# sent and refused.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

SANDBOX_TIER=untrusted start_sandbox
register alice
register myself
as alice POST /friends/request --data-binary '{"target":"myself"}' >/dev/null
REQ=$(as myself GET /friends/requests | jq -r '.incoming[0].id')
as myself POST /friends/accept --data-binary "{\"requestId\":\"$REQ\"}" >/dev/null
DM=$(as alice GET /friends | jq -r '.friends[0].dmChannelId')
[ -n "$DM" ] && [ "$DM" != null ] || fail "no DM channel"

# --ca-file names a CA that must be readable: never a silent fallback.
out=$("$MOLTTY" -c "$WORK/myself.json" --api "$BASE" --ca-file "$WORK/no-such-ca.pem" 2>&1)
[ $? = 1 ] || fail "a missing --ca-file did not stop moltty"
printf '%s' "$out" | grep -q "ca-file $WORK/no-such-ca.pem: No such file" ||
	fail "no clear error for a missing --ca-file: $out"

start_moltty 140 35 -c "$WORK/myself.json" --api "$BASE" --config /dev/null
wait_for 10 'Direct messages' || fail "the DM channel did not appear"
tm send-keys -t T C-g
tm send-keys -t T -l 'alice'
tm send-keys -t T Enter
wait_for 5 'DMs/@alice · 3/3 msgs left' || fail "the status bar does not show 3/3 msgs left"

for n in 1 2 3 4; do
	tm send-keys -t T -l "note $n"
	tm send-keys -t T Enter
done
wait_for 5 'DMs/@alice · 0/3 msgs left · 1 queued, next in [0-9]+s' ||
	fail "the status bar does not show the queue"
wait_for 3 'note 4 \(queued, sends in [0-9]+s\)' || fail "the queued message shows no countdown"
first=$(screen | sed -n 's/.*1 queued, next in \([0-9]*\)s.*/\1/p' | head -n 1)
sleep 2.2
second=$(screen | sed -n 's/.*1 queued, next in \([0-9]*\)s.*/\1/p' | head -n 1)
[ -n "$first" ] && [ -n "$second" ] && [ "$second" -lt "$first" ] ||
	fail "the countdown does not count down ($first, then $second)"
# The server has the three allowed messages and never saw (nor refused) the fourth.
[ "$(history_of alice "$DM" | sort | tr '\n' ' ')" = "note 1 note 2 note 3 " ] ||
	fail "the server has: $(history_of alice "$DM" | tr '\n' ' ')"
screen | grep -q 'failed' && fail "a message failed instead of waiting"

tm send-keys -t T -l '/quit'
tm send-keys -t T Enter
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_ratelimit"
