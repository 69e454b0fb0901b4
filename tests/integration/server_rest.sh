#!/bin/sh
# moltchatsd REST behaviour against protocol.md: auth lifecycle, error shapes, servers,
# channels, messages, observers, rate limits, persistence. Uses curl, jq and the openssl CLI.
. "$(dirname "$0")/server_lib.sh"

# ---------------------------------------------------------------- daemon A: defaults
start_daemon A --register-limit 1000
PID_A=$LAST_PID

req GET /health
check "health" expect 200 '.status == "ok" and (.timestamp | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z$"))'
check "json content type" sh -c "grep -qi '^content-type: application/json; charset=utf-8' '$tmp/headers'"

req GET /api/v1/nope
check "unknown route 404 without code" \
	expect 404 '. == {"message":"Route GET:/api/v1/nope not found","error":"Not Found","statusCode":404}'

req POST /api/v1/agents/register '{"username":"ab","publicKey":"k"}'
check "username too short" expect 400 '.code == "VALIDATION_ERROR" and .error == "Bad Request"'
req POST /api/v1/agents/register '{"username":"bad-name","publicKey":"k"}'
check "username pattern" expect 400 '.code == "VALIDATION_ERROR"'
short_msg=$(jq -r .message "$tmp/body")
req POST /api/v1/agents/register '{"publicKey":"k"}'
check "username required" expect 400 '.message == "Username is required"'
req POST /api/v1/agents/register '{"username":"okname"}'
check "public key required" expect 400 '.code == "VALIDATION_ERROR"'
check "length and pattern messages differ" [ "$short_msg" != "$(jq -r .message "$tmp/body")" ]
req POST /api/v1/agents/register '{bad json'
check "invalid JSON is a 500 without code" expect 500 '.statusCode == 500 and (has("code") | not) and .error == "Internal Server Error"'
req POST /api/v1/agents/register
check "missing body is a 500" expect 500 '(has("code") | not) and (.message | test("destructure"))'

new_agent alice || not_ok "alice registers and verifies"
ALICE_ID=$AGENT_ID ALICE_TOKEN=$TOKEN ALICE_REFRESH=$REFRESH
check "verify returns agentId, JWT, msr_ refresh token" \
	jqt ".agentId == \"$ALICE_ID\" and (.refreshToken | test(\"^msr_[0-9a-f]{96}$\")) and (.token | split(\".\") | length == 3)"
payload=$(echo "$ALICE_TOKEN" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
echo "$payload" | base64 -d >"$tmp/body" 2>/dev/null
check "JWT payload claims" jqt ".sub == \"$ALICE_ID\" and .username == \"alice\" and .role == \"agent\" and (.jti | test(\"^[0-9a-f-]{36}$\")) and (.exp - .iat == 14400)"

req POST /api/v1/agents/register "$(jq -n --rawfile k "$tmp/alice.pub" '{username: "ALICE", publicKey: $k}')"
check "username taken (after lowercasing)" expect 409 '.code == "USERNAME_TAKEN"'

# bad signature keeps the challenge usable
"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/pat.key" 2>/dev/null
"$OPENSSL" pkey -in "$tmp/pat.key" -pubout -out "$tmp/pat.pub"
req POST /api/v1/agents/register "$(jq -n --rawfile k "$tmp/pat.pub" '{username: "Pending_Pat", publicKey: $k}')"
check "register is 201 with a 64-hex challenge" expect 201 '.challenge | test("^[0-9a-f]{64}$")'
PAT_ID=$(jq -r .agentId "$tmp/body")
PAT_CHALLENGE=$(jq -r .challenge "$tmp/body")
req GET /api/v1/agents/pending_pat
check "pending agent has no public profile" expect 404 '.code == "AGENT_NOT_FOUND"'
req POST /api/v1/auth/challenge "{\"agentId\":\"$PAT_ID\"}"
check "challenge refused for unverified agent" expect 404 '.code == "AGENT_NOT_FOUND"'
verify pat "$PAT_ID" "$PAT_CHALLENGE
"
check "signature over challenge+newline rejected" expect 400 '.code == "INVALID_SIGNATURE" and .message == "Invalid signature"'
verify alice "$PAT_ID" "$PAT_CHALLENGE"
check "signature by another key rejected" expect 400 '.code == "INVALID_SIGNATURE"'
verify pat "$PAT_ID" "$PAT_CHALLENGE"
check "challenge still usable after bad signatures" expect 200 '.agentId'
verify pat "$PAT_ID" "$PAT_CHALLENGE"
check "challenge is single use" expect 400 '.code == "CHALLENGE_EXPIRED"'
req POST /api/v1/agents/verify '{"agentId":"00000000-0000-4000-8000-000000000000","signedChallenge":"AAAA"}'
check "verify unknown agent" expect 404 '.code == "AGENT_NOT_FOUND"'
req POST /api/v1/agents/verify '{"agentId":"x"}'
check "verify needs both fields" expect 400 '.code == "VALIDATION_ERROR"'
req GET /api/v1/agents/PENDING_PAT
check "public profile lowercases the name" expect 200 '.username == "pending_pat" and .status == "verified"'

# re-authentication
req POST /api/v1/auth/challenge "{\"agentId\":\"$ALICE_ID\"}"
check "auth challenge for verified agent" expect 200 '.challenge | test("^[0-9a-f]{64}$")'
verify alice "$ALICE_ID" "$(jq -r .challenge "$tmp/body")"
check "re-verify opens a second session" expect 200 '.token'
SECOND_TOKEN=$(jq -r .token "$tmp/body")
req POST /api/v1/auth/challenge '{"agentId":"00000000-0000-4000-8000-000000000000"}'
check "auth challenge unknown agent" expect 404 '.code == "AGENT_NOT_FOUND"'
req POST /api/v1/auth/challenge '{"agentId":"nope"}'
check "non-UUID id is a 500" expect 500 'has("code") | not'

# bearer checks
req GET /api/v1/agents/@me "" "$ALICE_TOKEN"
check "@me profile" expect 200 ".id == \"$ALICE_ID\" and .username == \"alice\" and .karma == 0 and .trustTier == \"untrusted\" and .agentType == \"openclaw\" and .capabilities == [\"chat\"] and has(\"eigentrustScore\") and has(\"lastSeenAt\")"
req GET /api/v1/agents/@me
check "@me without token" expect 401 '.code == "INVALID_CREDENTIALS" and .error == "Unauthorized"'
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: bearer $ALICE_TOKEN" "$URL/api/v1/agents/@me")
check "Bearer prefix is case-sensitive" expect 401 '.code == "INVALID_CREDENTIALS"'
req GET /api/v1/agents/@me "" "${ALICE_TOKEN}x"
check "tampered token" expect 401 '.code == "INVALID_CREDENTIALS"'

req PATCH /api/v1/agents/@me '{"displayName":"Alice A.","bio":""}' "$ALICE_TOKEN"
check "PATCH @me returns profile without trust fields" \
	expect 200 '.displayName == "Alice A." and .bio == null and (has("karma") | not) and (has("trustTier") | not) and (has("eigentrustScore") | not)'
req PATCH /api/v1/agents/@me '{}' "$ALICE_TOKEN"
check "PATCH @me with no fields" expect 400 '.message == "No valid fields to update"'
req PATCH /api/v1/agents/@me "{\"bio\":\"$(head -c 300 /dev/zero | tr '\0' 'b')\"}" "$ALICE_TOKEN"
check "PATCH @me bio too long" expect 400 '.code == "VALIDATION_ERROR"'

# refresh rotation
req POST /api/v1/auth/refresh "{\"refreshToken\":\"$ALICE_REFRESH\"}"
check "refresh rotates" expect 200 ".agentId == \"$ALICE_ID\" and (.refreshToken | startswith(\"msr_\"))"
NEW_TOKEN=$(jq -r .token "$tmp/body")
NEW_REFRESH=$(jq -r .refreshToken "$tmp/body")
req GET /api/v1/agents/@me "" "$ALICE_TOKEN"
check "old JWT revoked by rotation" expect 401 '.code == "TOKEN_REVOKED" and .message == "Token has been revoked"'
req POST /api/v1/auth/refresh "{\"refreshToken\":\"$ALICE_REFRESH\"}"
check "old refresh token revoked" expect 401 '.code == "TOKEN_REVOKED"'
req GET /api/v1/agents/@me "" "$NEW_TOKEN"
check "new JWT works" expect 200 '.username == "alice"'
req GET /api/v1/agents/@me "" "$SECOND_TOKEN"
check "other sessions survive a rotation" expect 200 '.username == "alice"'
req POST /api/v1/auth/refresh '{"refreshToken":"msr_nothing"}'
check "unknown refresh token" expect 401 '.code == "INVALID_CREDENTIALS"'
req POST /api/v1/auth/refresh '{}'
check "refresh token required" expect 400 '.code == "VALIDATION_ERROR"'
ALICE_TOKEN=$NEW_TOKEN

req POST /api/v1/servers '{"name":"Nope"}' "$ALICE_TOKEN"
check "untrusted agent cannot create servers" expect 403 '.code == "INSUFFICIENT_TRUST" and .error == "Forbidden"'
check "server create sends rate-limit headers" [ "$(header x-ratelimit-limit)" = 5 ]

# transport edge cases
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary '{}' "$URL/api/v1/auth/refresh")
check "chunked body gets 411" is 411
head -c 1100000 /dev/zero | tr '\0' 'a' >"$tmp/big"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$tmp/big" "$URL/api/v1/auth/refresh")
check "oversized body gets 413" is 413

check "daemon A exits 0 on SIGTERM" stop_daemon "$PID_A"

# ---------------------------------------------------------------- expired JWT, secret file
printf 'test-secret-123\n' >"$tmp/secret"
start_daemon S --jwt-secret-file "$tmp/secret"
hdr=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
pl=$(printf '{"sub":"00000000-0000-4000-8000-000000000000","username":"x","role":"agent","iat":1000,"exp":2000}' | b64url)
sig=$(printf '%s.%s' "$hdr" "$pl" | "$OPENSSL" dgst -sha256 -hmac test-secret-123 -binary | b64url)
req GET /api/v1/agents/@me "" "$hdr.$pl.$sig"
check "expired JWT (secret from --jwt-secret-file)" expect 401 '.code == "TOKEN_EXPIRED" and .message == "Token has expired"'
check "daemon S exits 0" stop_daemon "$LAST_PID"

# ---------------------------------------------------------------- registration rate limit
start_daemon R --register-limit 2
for n in 1 2 3; do req POST /api/v1/agents/register "{\"username\":\"r$n$n$n\",\"publicKey\":\"k\"}"; done
check "third registration in the hour is 429" expect 429 '. == {"statusCode":429,"code":"RATE_LIMITED","error":"Too Many Requests","message":"Too many requests"}'
check "daemon R exits 0" stop_daemon "$LAST_PID"

# ---------------------------------------------------------------- daemon B: trusted agents
start_daemon B --default-tier trusted --register-limit 1000
PID_B=$LAST_PID
new_agent bob || not_ok "bob registers"
BOB_ID=$AGENT_ID BOB=$TOKEN
new_agent carol || not_ok "carol registers"
CAROL_ID=$AGENT_ID CAROL=$TOKEN
new_agent dave || not_ok "dave registers"
DAVE=$TOKEN

req POST /api/v1/servers '{"description":"x"}' "$BOB"
check "server name required" expect 400 '.code == "VALIDATION_ERROR"'
req POST /api/v1/servers '{"name":"Bob Place","description":"test server","tags":["test","demo"],"instructions":"Be brief."}' "$BOB"
check "trusted agent creates a server (201, wrapped)" \
	expect 201 ".server.name == \"Bob Place\" and .server.ownerAgentId == \"$BOB_ID\" and .server.isPublic == true and .server.maxMembers == 500 and .server.reportThreshold == 10 and .server.instructions == \"Be brief.\""
SERVER=$(jq -r .server.id "$tmp/body")
check "rate-limit remaining counts down" [ "$(header x-ratelimit-remaining)" = 3 ]
reset=$(header x-ratelimit-reset)
check "rate-limit reset is absolute epoch seconds" [ "${reset:-0}" -gt "$(date +%s)" ]
req POST /api/v1/servers '{"name":"Secret Club","isPublic":false}' "$BOB"
check "private server" expect 201 '.server.isPublic == false'
PRIVATE=$(jq -r .server.id "$tmp/body")

req GET /api/v1/servers "" "$BOB"
check "listing shows public servers only, memberCount as string" \
	expect 200 "(.servers | length == 1) and .servers[0].id == \"$SERVER\" and .servers[0].memberCount == \"1\" and .servers[0].tags == [\"test\",\"demo\"]"
req GET "/api/v1/servers?search=PLACE&sort=new" "" "$BOB"
check "search is case-insensitive" expect 200 '.servers | length == 1'
req GET "/api/v1/servers?tag=nomatch" "" "$BOB"
check "tag filter" expect 200 '.servers | length == 0'
req GET "/api/v1/servers?limit=-1" "" "$BOB"
check "negative limit is a 500" expect 500 'has("code") | not'
req GET /api/v1/servers
check "listing needs a bearer" expect 401 '.code == "INVALID_CREDENTIALS"'

req GET "/api/v1/servers/$SERVER" "" "$CAROL"
check "server detail: unwrapped, memberCount number, channels, tags" \
	expect 200 '.memberCount == 1 and .channels[0].name == "general" and .channels[0].position == 0 and .channels[0].category == null and .tags == ["test","demo"]'
GENERAL=$(jq -r '.channels[0].id' "$tmp/body")
req GET /api/v1/servers/not-a-uuid "" "$CAROL"
check "non-UUID server id is a 500" expect 500 'has("code") | not'
req GET /api/v1/servers/00000000-0000-4000-8000-000000000000 "" "$CAROL"
check "unknown server" expect 404 '.code == "SERVER_NOT_FOUND" and .message == "Server not found"'

req POST "/api/v1/servers/$SERVER/join" "" "$CAROL"
check "join is 201 ok" expect 201 '. == {"ok":true}'
req POST "/api/v1/servers/$SERVER/join" "" "$CAROL"
check "join twice" expect 409 '.code == "ALREADY_MEMBER"'
req POST /api/v1/servers/00000000-0000-4000-8000-000000000000/join "" "$CAROL"
check "join unknown server" expect 404 '.code == "SERVER_NOT_FOUND"'

req POST "/api/v1/servers/$SERVER/channels" '{"name":"dev"}' "$CAROL"
check "members cannot create channels" expect 403 '.code == "NOT_SERVER_ADMIN"'
req POST "/api/v1/servers/$SERVER/channels" '{"name":"dev","category":"Eng","topic":"Code talk","position":1}' "$BOB"
check "owner creates a channel (201, wrapped)" expect 201 '.channel.name == "dev" and .channel.category == "Eng" and .channel.type == "text" and .channel.topic == "Code talk"'
req POST "/api/v1/servers/$SERVER/channels" '{}' "$BOB"
check "channel name required" expect 400 '.code == "VALIDATION_ERROR"'
req GET "/api/v1/servers/$SERVER/channels" "" "$DAVE"
check "channels grouped by category" \
	expect 200 '(.channels | keys | sort) == ["Eng","uncategorized"] and .channels.uncategorized[0].name == "general" and .channels.Eng[0].name == "dev"'

# messages
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"hello from carol"}' "$CAROL"
check "REST send is 201 with the message" \
	expect 201 ".content == \"hello from carol\" and .contentType == \"text\" and .channelId == \"$GENERAL\" and .agent.username == \"carol\" and (has(\"trustTier\") | not) and (.createdAt | test(\"Z$\"))"
FIRST_AT=$(jq -r .createdAt "$tmp/body")
sleep 0.01
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"fn main() {}","contentType":"code"}' "$BOB"
check "code message" expect 201 '.contentType == "code"'
sleep 0.01
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"third"}' "$BOB"
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"hi"}' "$DAVE"
check "non-member cannot send" expect 403 '.code == "NOT_SERVER_MEMBER"'
req POST /api/v1/channels/00000000-0000-4000-8000-000000000000/messages '{"content":"hi"}' "$BOB"
check "unknown channel" expect 404 '.code == "CHANNEL_NOT_FOUND"'
req POST "/api/v1/channels/$GENERAL/messages" '{"content":""}' "$BOB"
check "empty content" expect 400 '.message == "Message content cannot be empty"'
emoji=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "\360\237\230\200" }')
req POST "/api/v1/channels/$GENERAL/messages" "{\"content\":\"$emoji\"}" "$BOB"
check "4000 UTF-16 units accepted (2000 emoji)" is 201
req POST "/api/v1/channels/$GENERAL/messages" "{\"content\":\"${emoji}x\"}" "$BOB"
check "4001 UTF-16 units rejected" expect 400 '.message == "Message exceeds maximum length of 4000 characters"'

req GET "/api/v1/channels/$GENERAL/messages?limit=2" "" "$CAROL"
check "history: bare array, newest first, limit" \
	expect 200 '(type == "array") and length == 2 and .[1].content == "third" and .[0].metadata == null and .[0].editedAt == null and .[1].agent.username == "bob"'
req GET "/api/v1/channels/$GENERAL/messages?before=$FIRST_AT" "" "$CAROL"
check "history before an ISO timestamp is exclusive" expect 200 'length == 0'
req GET "/api/v1/channels/$GENERAL/messages" "" "$CAROL"
check "history default" expect 200 'length == 4 and .[3].content == "hello from carol"'
req GET "/api/v1/channels/$GENERAL/messages" "" "$DAVE"
check "history needs membership" expect 403 '.code == "NOT_SERVER_MEMBER"'

req GET /api/v1/agents/@me/servers "" "$BOB"
check "@me/servers" expect 200 ".servers | length == 2 and .[0].id == \"$SERVER\" and .[0].role == \"owner\" and .[0].memberCount == \"2\" and .[0].tags == [\"test\",\"demo\"] and (.[0].joinedAt | test(\"Z$\"))"
req GET /api/v1/agents/@me/servers "" "$DAVE"
check "@me/servers empty" expect 200 '.servers == []'

# observers (public, no auth)
req GET /api/v1/observers/servers
check "observer server list: public only, memberCount number" \
	expect 200 ".servers | length == 1 and .[0].id == \"$SERVER\" and .[0].memberCount == 2 and .[0].maxMembers == 500 and .[0].tags == [\"test\",\"demo\"]"
req GET "/api/v1/observers/servers/$SERVER"
check "observer server row with tags" expect 200 '.name == "Bob Place" and .tags == ["test","demo"] and (has("channels") | not)'
req GET "/api/v1/observers/servers/$PRIVATE"
check "observer view hides private servers" expect 404 '.code == "SERVER_NOT_FOUND"'
req GET "/api/v1/observers/servers/$SERVER/channels"
check "observer channels" expect 200 '.channels.uncategorized[0].name == "general"'
req GET "/api/v1/observers/servers/$SERVER/members"
check "observer members with presence" \
	expect 200 ".members | length == 2 and .[0].agentId == \"$BOB_ID\" and .[0].role == \"owner\" and .[0].presence == \"offline\" and .[1].username == \"carol\""
req GET "/api/v1/observers/channels/$GENERAL/messages?limit=1"
check "observer history" expect 200 'length == 1'

# REST send limit: 30 per 60 s per (channel, agent); bob has sent 3 so far
i=0
while [ $i -lt 27 ]; do
	req POST "/api/v1/channels/$GENERAL/messages" '{"content":"spam"}' "$BOB"
	[ "$status" = 201 ] || break
	i=$((i + 1))
done
check "30 REST sends per minute allowed" [ $i -eq 27 ]
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"one too many"}' "$BOB"
check "31st REST send is 429" expect 429 '.code == "RATE_LIMITED"'
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"carol is fine"}' "$CAROL"
check "the limit is per agent" is 201

check "daemon B exits 0" stop_daemon "$PID_B"

# ---------------------------------------------------------------- persistence
start_daemon P1 --db "$tmp/p.db"
new_agent erin || not_ok "erin registers"
ERIN=$TOKEN
check "daemon P1 exits 0" stop_daemon "$LAST_PID"
start_daemon P2 --db "$tmp/p.db"
req GET /api/v1/agents/@me "" "$ERIN"
check "tokens survive a restart on the same database" expect 200 '.username == "erin"'
check "daemon P2 exits 0" stop_daemon "$LAST_PID"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
