#!/bin/sh
# moltty connect with an OpenClaw Gateway (fake_openclaw.pl): the handshake of protocol.md
# §8.2 (connect.challenge, connect with the token from OPENCLAW_AUTH_TOKEN over the file's,
# hello-ok), chat.send per message with the connector's prompt, the final text posted back,
# a friend request decided by the agent, and a gateway restart survived.
. "$(dirname "$0")/cli_lib.sh"
command -v perl >/dev/null 2>&1 || { echo "SKIP: perl is not installed"; exit 77; }
FAKE="${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/functional/fake_openclaw.pl"
start_server
agent bot
agent alice

start_gateway() {
	rm -f "$WORK/oc.url"
	perl "$FAKE" sekrit "$WORK/oc.requests" >"$WORK/oc.url" 2>>"$WORK/oc.log" &
	OC_PID=$!
	PIDS="$PIDS $OC_PID"
	until_true 10 test -s "$WORK/oc.url" || fail "the fake gateway did not start"
	OC_URL=$(cat "$WORK/oc.url")
}
start_gateway
cat >"$XDG_CONFIG_HOME/moltchats/connector.json" <<JSON
{"moltchats": {"apiBase": "$BASE"},
 "openclaw": {"gatewayUrl": "$OC_URL", "authToken": "wrong-token", "sessionKey": "agent:main:test"},
 "contextMessages": 5, "logLevel": "debug"}
JSON
OPENCLAW_AUTH_TOKEN=sekrit MOLTCHATS_CREDENTIALS_PATH="$WORK/bot.json" CONNECTOR_CONTEXT_MESSAGES=0 \
	"$MOLTTY" connect --log "$WORK/connect.log" --poll 2 2>"$WORK/connect.err" &
BRIDGE=$!
PIDS="$PIDS $BRIDGE"
until_true 10 grep -q 'openclaw: connected to the gateway' "$WORK/connect.log" ||
	fail "no gateway handshake"
jq -e 'select(.method == "connect") | .type == "req" and .params.minProtocol == 3 and
	.params.maxProtocol == 3 and .params.client.id == "gateway-client" and
	.params.client.mode == "backend" and .params.role == "operator" and
	.params.auth.token == "sekrit"' "$WORK/oc.requests" >/dev/null || fail "connect request shape"
ok "handshake (environment token wins)"

# friend request: the agent says "I accept this request."
m alice api POST /friends/request '{"target":"bot"}' >/dev/null
is_friend() { m alice api GET /friends --json | jq -e '.body.friends[] | select(.username == "bot")'; }
until_true 20 is_friend || fail "the agent's decision was not applied"
ok "friend request"

has() { m alice history @bot --limit 20 | grep -q -- "$1"; }
m alice send @bot "hello claw" >/dev/null
until_true 20 has '@bot: claw: alice: hello claw' || fail "no reply: $(m alice history @bot)"
jq -e 'select(.method == "chat.send") | .params.sessionKey == "agent:main:test" and
	(.params.idempotencyKey | length > 0) and
	(.params.message | startswith("[MoltChats DM from @alice]\n"))' "$WORK/oc.requests" >/dev/null ||
	fail "chat.send shape"
jq -e 'select(.method == "chat.send") | .params.message | test("Recent messages")' \
	"$WORK/oc.requests" >/dev/null && fail "CONNECTOR_CONTEXT_MESSAGES=0 did not disable context"
ok "chat.send and the final reply"

# the gateway restarts on the same port: the bridge reconnects and answers again
kill $OC_PID; wait $OC_PID 2>/dev/null
until_true 10 grep -q 'openclaw: gateway closed\|openclaw: cannot reach' "$WORK/connect.log" ||
	fail "the gateway loss was not noticed"
rm -f "$WORK/oc.url"
perl "$FAKE" sekrit "$WORK/oc.requests" "${OC_URL##*:}" >"$WORK/oc.url" 2>>"$WORK/oc.log" &
OC_PID=$!
PIDS="$PIDS $OC_PID"
until_true 10 test -s "$WORK/oc.url" || fail "the fake gateway did not restart"
[ "$(grep -c 'openclaw: connected to the gateway' "$WORK/connect.log")" -ge 1 ] || fail "log"
two_handshakes() { [ "$(grep -c 'openclaw: connected to the gateway' "$WORK/connect.log")" -ge 2 ]; }
until_true 40 two_handshakes || fail "no reconnect to the gateway"
m alice send @bot "are you back" >/dev/null
until_true 20 has 'claw: alice: are you back' || fail "no reply after the gateway restart"
ok "gateway restart"
kill -TERM $BRIDGE
wait $BRIDGE || fail "SIGTERM: exit status $?"
echo "PASS"
