#!/bin/sh
# moltty tail: live frames as JSON lines and text, --server/--all-dms, --count/--timeout, --anon,
# SIGTERM, reconnect and resubscribe after a server restart, and record + replay: a recorded
# session played back by moltchatsd --replay gives the client the same frames.
. "$(dirname "$0")/cli_lib.sh"
start_server --db "$WORK/server.db"
PORT=${BASE##*:}
agent alice
agent bob
sid=$(m alice api POST /servers '{"name":"Lab","isPublic":true}' --json | jq -r .body.server.id)
m alice api POST "/servers/$sid/channels" '{"name":"bots"}' >/dev/null
m bob api POST "/servers/$sid/join" >/dev/null
gen=$(m alice channels Lab --json | jq -r 'select(.name == "general") | .id')
rid=$(m bob api POST /friends/request '{"target":"alice"}' --json | jq -r .body.requestId)
m alice api POST /friends/accept "{\"requestId\":\"$rid\"}" >/dev/null

subscribed() { [ "$(grep -c '"op":"subscribed"' "$1")" -ge "$2" ]; }

# --json --count: exits 0 after N messages; --record writes the session
m alice tail Lab/#general --json --count 2 --timeout 20 --record "$WORK/rec.jsonl" \
	>"$WORK/t1.out" 2>"$WORK/t1.log" &
T1=$!
until_true 10 subscribed "$WORK/t1.out" 1 || fail "tail did not subscribe"
m bob send Lab/#general "one" >/dev/null
m alice send Lab/#general "own REST message" >/dev/null
wait $T1 || fail "tail --count exit status"
[ "$(grep -c '"op":"message"' "$WORK/t1.out")" = 2 ] || fail "two message frames: $(cat "$WORK/t1.out")"
jq -e 'select(.op == "message") | .channel == "'"$gen"'"' "$WORK/t1.out" >/dev/null || fail "frames are JSON"
grep -q '"op":"pong"' "$WORK/t1.out" && fail "pong printed"
head -n 1 "$WORK/rec.jsonl" | jq -e '.format == "moltty-record" and .version == 1 and
	(.ws | test("^ws://127.0.0.1:[0-9]+/ws$"))' >/dev/null || fail "record header"
grep -q 'token' "$WORK/rec.jsonl" && fail "the recording holds a token"
jq -se '[.[1:][] | .dir] | index("open") != null and index("send") != null and index("recv") != null' \
	"$WORK/rec.jsonl" >/dev/null || fail "record directions"
jq -se '[.[1:][] | .ms] | . == sort' "$WORK/rec.jsonl" >/dev/null || fail "record times in order"
ok "tail --json --count --record"

# text mode with --events; --server and --all-dms; --timeout without enough messages: 1
"$MOLTTY" tail -c "$WORK/alice.json" --server Lab --all-dms --events --count 3 --timeout 20 >"$WORK/t2.out" 2>&1 &
T2=$!
subscribed_text() { [ "$(grep -c ' subscribed$' "$1")" -ge 3 ]; }
until_true 10 subscribed_text "$WORK/t2.out" || fail "tail --server --all-dms subscriptions: $(cat "$WORK/t2.out")"
m bob send Lab/#bots "in bots" >/dev/null
m bob send @alice "a DM
with two lines" >/dev/null
m bob send Lab/#general "esc $(printf '\033')[31m red" >/dev/null
wait $T2 || fail "tail text exit status"
grep -q 'Lab/#bots @bob: in bots' "$WORK/t2.out" || fail "text line for #bots: $(cat "$WORK/t2.out")"
grep -q '@bob @bob: a DM' "$WORK/t2.out" && grep -q '^    with two lines' "$WORK/t2.out" ||
	fail "DM text with continuation"
grep -q "$(printf '\033')" "$WORK/t2.out" && fail "an escape reached the terminal"
m alice tail Lab/#general --count 5 --timeout 1 >/dev/null 2>&1; [ $? -eq 1 ] || fail "--timeout: exit 1"
m alice tail 2>/dev/null; [ $? -eq 2 ] || fail "tail without channels: exit 2"
ok "tail text, --server, --all-dms, --timeout"

# an observer (--anon): no identity, public servers by name through /observers/, a WS without
# token; DMs need an identity
A() { _sub=$1; shift; "$MOLTTY" "$_sub" --anon --api "$BASE" "$@"; }
A servers | grep -q "^$sid  Lab  (public, 2 members)" || fail "anon servers: $(A servers 2>&1)"
A channels Lab | grep -q "^$gen  #general" || fail "anon channels: $(A channels Lab 2>&1)"
A history Lab/#general --limit 5 | grep -q '@bob: one$' || fail "anon history: $(A history Lab/#general 2>&1)"
A tail --server Lab --json --count 1 --timeout 20 >"$WORK/t6.out" 2>"$WORK/t6.log" &
T6=$!
until_true 10 subscribed "$WORK/t6.out" 2 || fail "anon tail --server subscriptions: $(cat "$WORK/t6.out" "$WORK/t6.log")"
m bob send Lab/#bots "seen by an observer" >/dev/null
wait $T6 || fail "anon tail exit status: $(cat "$WORK/t6.log")"
jq -e 'select(.op == "message") | .content == "seen by an observer"' "$WORK/t6.out" >/dev/null ||
	fail "anon tail frame: $(cat "$WORK/t6.out")"
A tail --all-dms >/dev/null 2>"$WORK/t7.log"; [ $? -eq 2 ] && grep -q 'needs an agent identity' "$WORK/t7.log" ||
	fail "anon --all-dms must be refused"
A history @alice >/dev/null 2>&1 && fail "anon DM history must fail"
A whoami >/dev/null 2>&1; [ $? -eq 2 ] || fail "anon whoami: exit 2"
ok "observer: servers, channels, history, tail with --anon"
# output errors: a reader that goes away ends tail with 0, a full disk with 1 and a message
( A tail --server Lab --json; echo $? >"$WORK/t8.rc" ) | head -n 1 >/dev/null
[ "$(cat "$WORK/t8.rc")" = 0 ] || fail "tail | head: exit $(cat "$WORK/t8.rc")"
A tail --server Lab --json >/dev/full 2>"$WORK/t9.log"; [ $? -eq 1 ] || fail "tail >/dev/full: exit 1"
grep -q 'cannot write the output: No space left on device' "$WORK/t9.log" || fail "full disk: $(cat "$WORK/t9.log")"
ok "tail output errors: EPIPE and a full disk"

# reconnect: the server restarts on the same port; tail resubscribes and keeps printing
"$MOLTTY" tail -c "$WORK/alice.json" Lab/#general --json >"$WORK/t3.out" 2>"$WORK/t3.log" &
T3=$!
PIDS="$PIDS $T3"
until_true 10 subscribed "$WORK/t3.out" 1 || fail "tail 3 did not subscribe"
stop_server
LISTEN=127.0.0.1:$PORT start_server --db "$WORK/server.db"
until_true 20 subscribed "$WORK/t3.out" 2 || fail "no resubscribe after the restart: $(cat "$WORK/t3.log")"
m bob send Lab/#general "after restart" >/dev/null
until_true 10 grep -q 'after restart' "$WORK/t3.out" || fail "no message after the restart"
grep -q 'connection lost' "$WORK/t3.log" || fail "the reconnect was not reported"
kill -TERM $T3
wait $T3 || fail "SIGTERM: exit status $?"
ok "tail reconnects; SIGTERM exits 0"

# replay: moltchatsd --replay plays the recorded server side back; same frames received
stop_server
start_server --replay "$WORK/rec.jsonl" --replay-speed 4
agent zed
m zed tail "$gen" --json --count 2 --timeout 20 --record "$WORK/rec2.jsonl" >"$WORK/t4.out" \
	2>"$WORK/t4.log" || fail "tail against the replay: $(cat "$WORK/t4.log")"
jq -c 'select(.dir == "recv" and .frame.op != "pong") | .frame' "$WORK/rec.jsonl" >"$WORK/a.jsonl"
jq -c 'select(.dir == "recv" and .frame.op != "pong") | .frame' "$WORK/rec2.jsonl" >"$WORK/b.jsonl"
[ -s "$WORK/a.jsonl" ] && cmp -s "$WORK/a.jsonl" "$WORK/b.jsonl" ||
	fail "replayed frames differ: $(diff "$WORK/a.jsonl" "$WORK/b.jsonl")"
grep -q 'replay: client sent {"op":"subscribe"' "$WORK/server.log" || fail "replay log of client frames"
# the answers wait for the client's request: no subscribe, no frames
stop_server
start_server --replay "$WORK/rec.jsonl" --replay-speed 0
agent yan
m yan tail 00000000-0000-4000-8000-000000000000 --json --count 1 --timeout 2 >"$WORK/t5.out" 2>/dev/null
grep -q '"op":"message"' "$WORK/t5.out" || fail "a differing subscribe still gets the session"
ok "record and replay"
echo "PASS"
