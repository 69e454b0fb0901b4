#!/bin/sh
# The protocol inspector: F9 lists REST exchanges ("GET /api/v1/agents/@me/servers 200") and
# WebSocket frames (subscribe/subscribed) with no token anywhere on screen, Enter
# pretty-prints an entry, a filter narrows the list, /raw sends a frame whose answer shows
# up, /raw is refused for observers, and /inspect save writes 0600 JSON lines.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice
make_server alice Hub
post alice "$CH_general" "welcome to the hub"

cmd() {
	tm send-keys -t T -l "$1"
	tm send-keys -t T Enter
}
no_jwt() {
	! screen | grep -q 'eyJ' || fail "a JWT is visible on screen ($1)"
}

start_moltty 200 50 -c "$WORK/alice.json" --api "$BASE" --config /dev/null
wait_for 10 'connected · Hub/#general' || fail "moltty did not connect"
wait_for 5 'welcome to the hub' || fail "no history"

tm send-keys -t T F9
wait_for 5 ' inspector · [0-9]+ shown of [0-9]+' || fail "F9 did not open the inspector"
wait_for 5 '@alice GET /api/v1/agents/@me/servers 200 [0-9]+ms [0-9]+B' ||
	fail "no REST line for GET /api/v1/agents/@me/servers"
wait_for 5 '@alice -> subscribe [0-9]+B' || fail "no outgoing subscribe frame"
wait_for 5 '@alice <- subscribed [0-9]+B' || fail "no incoming subscribed frame"
no_jwt "list"

# the auth exchanges carry tokens: their details must show them redacted
tm send-keys -t T /
tm send-keys -t T -l 'agents/verify'
tm send-keys -t T Enter
wait_for 5 'shown of .* filter: agents/verify ·' || fail "the filter was not taken"
wait_gone 5 'subscribe' || fail "the filter does not hide frames"
tm send-keys -t T Enter
wait_for 5 '── detail' || fail "Enter did not open the detail"
wait_for 5 '"token": "\[REDACTED\]"' || fail "the verify response's token is not shown redacted"
wait_for 5 '"refreshToken": "\[REDACTED\]"' || fail "the refresh token is not shown redacted"
no_jwt "auth detail"
tm send-keys -t T Enter
wait_gone 5 '── detail' || fail "Enter did not close the detail"
tm send-keys -t T /
tm send-keys -t T C-u
tm send-keys -t T Enter
wait_for 5 'subscribe' || fail "clearing the filter did not show frames again"

# Esc gives the keyboard back; /raw goes out over the socket and its answer shows
tm send-keys -t T Escape
wait_for 5 ' inspector \(F9 closes\)' || fail "Esc did not leave the inspector"
cmd '/raw {"op":"ping"}'
wait_for 5 '@alice -> ping [0-9]+B' || fail "/raw ping not in the inspector"
wait_for 5 '@alice <- pong [0-9]+B' || fail "no pong after /raw ping"
cmd '/raw {"op":'
wait_for 5 '/raw: not valid JSON' || fail "/raw accepted broken JSON"
no_jwt "after /raw"

# save: JSON lines, mode 0600, that jq can read
cmd "/inspect save $WORK/wire.jsonl"
wait_for 5 'inspector: [0-9]+ entries written to' || fail "/inspect save did not report"
[ -f "$WORK/wire.jsonl" ] || fail "no saved file"
[ "$(stat -c %a "$WORK/wire.jsonl")" = 600 ] || fail "the saved file is not mode 600"
jq -e . "$WORK/wire.jsonl" >/dev/null || fail "the saved lines do not parse"
jq -se 'map(select(.dir == "rest" and .method == "GET" and .path == "/api/v1/agents/@me/servers"
	and .status == 200)) | length >= 1' "$WORK/wire.jsonl" >/dev/null ||
	fail "the saved file lacks GET /api/v1/agents/@me/servers"
jq -se 'map(select(.dir == "<-" and .op == "pong" and .frame.op == "pong")) | length >= 1' \
	"$WORK/wire.jsonl" >/dev/null || fail "the saved file lacks the pong"
! grep -q 'eyJ' "$WORK/wire.jsonl" || fail "a JWT was saved"
! grep -q 'msr_[A-Za-z0-9]' "$WORK/wire.jsonl" || fail "a refresh token was saved"

# F9 closes; /inspect opens it again
tm send-keys -t T F9
wait_gone 5 ' inspector( \(F9 closes\))? · [0-9]+ shown' || fail "F9 did not close the inspector"
cmd '/inspect'
wait_for 5 ' inspector · ' || fail "/inspect did not open the inspector"
tm send-keys -t T F9
wait_gone 5 ' inspector( \(F9 closes\))? · [0-9]+ shown' || fail "F9 did not close the inspector again"
cmd '/quit'
wait_exit 10 || fail "moltty did not exit"

# an observer may look but not poke
start_moltty 200 50 --observer --api "$BASE" --config /dev/null
wait_for 10 'connected' || fail "the observer did not connect"
cmd '/raw {"op":"ping"}'
wait_for 5 '/raw needs an agent identity' || fail "/raw was not refused for the observer"
cmd '/quit'
wait_exit 10 || fail "the observer did not exit"
echo "PASS: protocol inspector"
