#!/bin/sh
# moltchatsd trust REST (§3.11), webhooks (§3.12), observer accounts (§2.9, §2.7), --strict
# (§1.4, §10) and the admin socket knobs. curl + jq + openssl; the admin socket and the webhook
# receiver go through tests/integration/server_trust_tool (no socat/netcat needed).
. "$(dirname "$0")/server_lib.sh"
TOOL=${TOP_BUILDDIR:-.}/tests/integration/server_trust_tool
[ -x "$TOOL" ] || { echo "Bail out! $TOOL not built"; exit 99; }

# admin JSON: one command over the admin socket; the answer goes to $tmp/body
admin() { "$TOOL" admin "$SOCK" "$1" >"$tmp/body"; status=admin; }

jwt_payload() {
	p=$(echo "$1" | cut -d. -f2 | tr '_-' '/+')
	while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
	echo "$p" | base64 -d 2>/dev/null
}

# --------------------------------------------------------------- daemon A: defaults
SOCK=$tmp/admin.sock
start_daemon A --admin-socket "$SOCK" --webhook-timeout 1
PID_A=$LAST_PID
check "admin socket is mode 0600" [ "$(stat -c %a "$SOCK")" = 600 ]

new_agent alice || not_ok "alice registers"
ALICE_ID=$AGENT_ID ALICE=$TOKEN
new_agent bob || not_ok "bob registers"
BOB_ID=$AGENT_ID BOB=$TOKEN
new_agent carol || not_ok "carol registers"
CAROL=$TOKEN

# ---- trust REST
req GET /api/v1/trust/@me "" "$ALICE"
check "trust/@me defaults" expect 200 '. == {"tier":"untrusted","eigentrustScore":0,"normalizedKarma":0,"isSeed":false,"computedAt":null,"vouchesGiven":[],"vouchesReceived":[],"flagsReceived":0,"challenges":[]}'
req GET /api/v1/trust/@me
check "trust/@me needs a bearer" expect 401 '.code == "INVALID_CREDENTIALS"'
req GET /api/v1/trust/AlIcE
check "trust/:username is public, lowercases, echoes as typed" \
	expect 200 '. == {"username":"AlIcE","tier":"untrusted","eigentrustScore":0,"isSeed":false,"vouchesReceived":0,"computedAt":null}'
req GET /api/v1/trust/nobody
check "trust/:username unknown" expect 404 '.code == "AGENT_NOT_FOUND" and .message == "Agent not found"'

req GET /api/v1/trust/challenge/00000000-0000-4000-8000-000000000000 "" "$ALICE"
check "trust challenge unknown is 404 NOT_FOUND" expect 404 '.code == "NOT_FOUND" and .message == "Not found"'
req GET /api/v1/trust/challenge/xyz "" "$ALICE"
check "trust challenge non-UUID is a 500 (default)" expect 500 '(has("code") | not) and (.message | test("uuid"))'
admin '{"cmd":"add_challenge","suspect":"alice","voter":"bob","verdict":"human"}'
check "admin add_challenge" jqt '.ok == true and (.id | test("^[0-9a-f-]{36}$"))'
CH=$(jq -r .id "$tmp/body")
req GET "/api/v1/trust/challenge/$CH" "" "$ALICE"
check "suspect reads the challenge" expect 200 ".id == \"$CH\" and .suspectId == \"$ALICE_ID\" and .status == \"pending\" and .triggeredBy == \"system\" and .completedAt == null and (.votes | length == 1) and .votes[0].voterId == \"$BOB_ID\" and .votes[0].verdict == \"human\""
req GET "/api/v1/trust/challenge/$CH" "" "$BOB"
check "a voter reads the challenge" is 200
req GET "/api/v1/trust/challenge/$CH" "" "$CAROL"
check "others get 403 FORBIDDEN" expect 403 '.code == "FORBIDDEN" and .message == "Forbidden"'
req GET /api/v1/trust/@me "" "$ALICE"
check "trust/@me lists the challenge" expect 200 "(.challenges | length == 1) and .challenges[0].id == \"$CH\" and (.challenges[0] | keys == [\"completedAt\",\"createdAt\",\"id\",\"status\",\"triggeredBy\"])"

# ---- admin knobs
admin '{"cmd":"set_tier","username":"Bob","tier":"seed"}'
check "admin set_tier" jqt '.ok == true'
req GET /api/v1/trust/bob
check "tier shows on trust/:username" expect 200 '.tier == "seed" and .isSeed == true'
admin '{"cmd":"set_tier","username":"bob","tier":"godlike"}'
check "admin set_tier refuses unknown tiers" jqt '.ok == false'
admin '{"cmd":"set_tier","username":"nobody","tier":"seed"}'
check "admin refuses unknown agents" jqt '.ok == false and .error == "unknown agent"'
admin '{"cmd":"what"}'
check "admin unknown cmd" jqt '.ok == false'
admin 'not json'
check "admin bad line" jqt '.ok == false'
admin '{"cmd":"stats"}'
check "admin stats" jqt '.ok == true and .agentConnections == 0 and .observerConnections == 0'
admin '{"cmd":"mint_token","username":"alice","expires_in":-5}'
EXPIRED=$(jq -r .token "$tmp/body")
req GET /api/v1/agents/@me "" "$EXPIRED"
check "admin mint_token: an expired JWT gives TOKEN_EXPIRED" expect 401 '.code == "TOKEN_EXPIRED"'
admin '{"cmd":"mint_token","username":"alice","expires_in":60}'
req GET /api/v1/agents/@me "" "$(jq -r .token "$tmp/body")"
check "admin mint_token: a live JWT works" expect 200 ".id == \"$ALICE_ID\""

# ---- webhooks
req GET /api/v1/webhooks/config "" "$ALICE"
check "webhook config defaults" expect 200 '. == {"webhookUrl":null,"webhookEvents":["dm.received","mention.received","reply.received"]}'
req POST /api/v1/webhooks/test "" "$ALICE"
check "test without URL" expect 400 '.code == "VALIDATION_ERROR" and .message == "No webhook URL configured"'
req PUT /api/v1/webhooks/config "" "$ALICE"
check "PUT without body is a 500" expect 500 '.message | test("destructure")'
rm -f "$tmp/port"
"$TOOL" listen "$tmp/port" "$tmp/hook.req" 418 "I'm a teapot" &
LISTENER=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
HOOK="http://127.0.0.1:$(cat "$tmp/port")/hook?x=1"
req PUT /api/v1/webhooks/config "$(jq -n --arg u "$HOOK" '{webhookUrl: $u}')" "$ALICE"
check "PUT sets the URL, keeps the events" expect 200 ". == {\"webhookUrl\":\"$HOOK\",\"webhookEvents\":[\"dm.received\",\"mention.received\",\"reply.received\"]}"
req PUT /api/v1/webhooks/config '{"webhookEvents":["anything"]}' "$ALICE"
check "PUT events only (no validation) keeps the URL" expect 200 ".webhookUrl == \"$HOOK\" and .webhookEvents == [\"anything\"]"
req POST /api/v1/webhooks/test "" "$ALICE"
check "test call reports the receiver's status line" expect 200 '. == {"success":true,"statusCode":418,"statusText":"I'"'"'m a teapot"}'
wait "$LISTENER"
check "receiver got POST to the configured path" grep -q '^POST /hook?x=1 HTTP/1.1' "$tmp/hook.req"
check "receiver got JSON" grep -qi '^content-type: application/json' "$tmp/hook.req"
sed -n '/^\r$/,$p' "$tmp/hook.req" | tail -n 1 >"$tmp/body"
check "payload shape" jqt ". == {event: \"test\", agentId: \"$ALICE_ID\", message: \"This is a test webhook from MoltChats\", timestamp: .timestamp} and (.timestamp | test(\"Z$\"))"

# refused: the listener is gone, its port is closed now
req POST /api/v1/webhooks/test "" "$ALICE"
check "unreachable receiver" expect 200 '. == {"success":false,"error":"fetch failed"}'
req PUT /api/v1/webhooks/config '{"webhookUrl":"not a url"}' "$ALICE"
req POST /api/v1/webhooks/test "" "$ALICE"
check "unparsable URL" expect 200 '. == {"success":false,"error":"Failed to parse URL from not a url"}'

# a silent receiver: the call times out (1 s here) and never stalls the server
rm -f "$tmp/port"
"$TOOL" listen "$tmp/port" "$tmp/hook2.req" 200 OK 3000 &
LISTENER=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
req PUT /api/v1/webhooks/config "{\"webhookUrl\":\"http://localhost:$(cat "$tmp/port")/\"}" "$ALICE"
curl -s -m 20 -o "$tmp/slow" -X POST -H "Authorization: Bearer $ALICE" "$URL/api/v1/webhooks/test" &
SLOW=$!
sleep 0.3
t0=$(date +%s%N)
req GET /health
t1=$(date +%s%N)
check "server answers while a webhook call waits" [ "$status" = 200 ] && [ $(( (t1 - t0) / 1000000 )) -lt 500 ]
wait "$SLOW"
cp "$tmp/slow" "$tmp/body"
status=200
check "webhook timeout" jqt '. == {"success":false,"error":"The operation was aborted due to timeout"}'
wait "$LISTENER"

# ---- observer accounts
req POST /api/v1/observers/register '{"email":"Human@Example.com","password":"hunter2","displayName":"H"}'
check "observer register 201 {id,email}" expect 201 '(keys == ["email","id"]) and .email == "Human@Example.com" and (.id | test("^[0-9a-f-]{36}$"))'
OBS_ID=$(jq -r .id "$tmp/body")
req POST /api/v1/observers/register '{"email":"Human@Example.com","password":"other"}'
check "observer email taken" expect 400 '.code == "VALIDATION_ERROR" and .message == "Email is already registered"'
req POST /api/v1/observers/register '{"email":"x@y","password":""}'
check "observer fields required" expect 400 '.message == "Email and password are required"'
req POST /api/v1/observers/register
check "observer register without body is a 500" expect 500 '.message | test("destructure")'
req POST /api/v1/observers/login '{"email":"Human@Example.com","password":"wrong"}'
check "observer wrong password" expect 401 '.code == "INVALID_CREDENTIALS"'
req POST /api/v1/observers/login '{"email":"nobody@example.com","password":"hunter2"}'
check "observer unknown email" expect 401 '.code == "INVALID_CREDENTIALS"'
req POST /api/v1/observers/login '{"email":"Human@Example.com","password":"hunter2"}'
check "observer login" expect 200 'keys == ["token"]'
OBS=$(jq -r .token "$tmp/body")
jwt_payload "$OBS" >"$tmp/body"
check "observer JWT: role observer, username = email, no jti, 4 h" \
	jqt ".sub == \"$OBS_ID\" and .username == \"Human@Example.com\" and .role == \"observer\" and (has(\"jti\") | not) and (.exp - .iat == 14400)"
req GET /api/v1/trust/@me "" "$OBS"
check "observer JWT accepted on bearer routes" expect 200 '.tier == "untrusted"'
req GET /api/v1/agents/@me "" "$OBS"
check "observer JWT is not an agent" expect 404 '.code == "AGENT_NOT_FOUND"'
req PUT /api/v1/webhooks/config '{"webhookUrl":"http://127.0.0.1:9/"}' "$OBS"
check "observer webhook config write fails like the platform's FK error" expect 500 '(has("code") | not)'

check "daemon A exits cleanly" stop_daemon "$PID_A"
check "admin socket removed at exit" [ ! -e "$SOCK" ]

# --------------------------------------------------------------- daemon B: --strict
start_daemon B --strict
PID_B=$LAST_PID
new_agent dave || not_ok "dave registers (strict)"
DAVE=$TOKEN
req POST /api/v1/agents/register '{bad json'
check "strict: invalid JSON is 400 VALIDATION_ERROR" expect 400 '.code == "VALIDATION_ERROR" and (.message | test("JSON"))'
req POST /api/v1/agents/register
check "strict: missing body is 400" expect 400 '.code == "VALIDATION_ERROR"'
req GET /api/v1/trust/challenge/xyz "" "$DAVE"
check "strict: non-UUID trust challenge is 404 NOT_FOUND" expect 404 '.code == "NOT_FOUND"'
req GET /api/v1/servers/xyz "" "$DAVE"
check "strict: non-UUID server id is 404 SERVER_NOT_FOUND" expect 404 '.code == "SERVER_NOT_FOUND" and .message == "Server not found"'
req GET /api/v1/channels/xyz/messages "" "$DAVE"
check "strict: non-UUID channel id is 404 CHANNEL_NOT_FOUND" expect 404 '.code == "CHANNEL_NOT_FOUND"'
req GET /api/v1/servers/xyz
check "strict: auth still comes first" expect 401 '.code == "INVALID_CREDENTIALS"'
check "daemon B exits cleanly" stop_daemon "$PID_B"

# --------------------------------------------------------------- bad admin socket path
if "$MOLTCHATSD" --quiet --admin-socket "$tmp/no/such/dir/s" >/dev/null 2>&1; then
	not_ok "an unusable admin socket path is fatal"
else
	ok "an unusable admin socket path is fatal"
fi

finish
