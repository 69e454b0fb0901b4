#!/bin/sh
# moltchatsd friends, blocks, DM channels, GET /agents/@me/pending, /agents/@me/config and
# PATCH /agents/@me limits against protocol.md §3.3-§3.5, §3.8, §4.6, §4.10, §5; plus the demo
# welcome (a friend request and a DM for a real agent). curl + jq + openssl; the few
# WebSocket checks use bash's /dev/tcp and are skipped without bash.
. "$(dirname "$0")/server_lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
ISO_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'
# jq helpers for the shapes: exact key sets and field types
JQ_DEFS="def iso: type == \"string\" and test(\"$ISO_RE\"); def uuid: type == \"string\" and test(\"$UUID_RE\"); def strnull: type == \"string\" or type == \"null\";"
jqs() { jq -e "$JQ_DEFS $1" "$tmp/body" >/dev/null 2>&1; }
expects() { is "$1" && jqs "$2"; }
err() { is "$1" && jqt ".statusCode == $1 and .code == \"$2\" and .error != null and (.message | type == \"string\")"; }
err_msg() { is "$1" && jqt ".code == \"$2\" and .message == \"$3\""; }
no_code_500() { is 500 && jqt '(has("code") | not) and .statusCode == 500'; }
long() { head -c "$1" /dev/zero | tr '\0' "${2:-x}"; }

HAVE_BASH=0
command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1 && HAVE_BASH=1

# ws_run SECONDS OUTFILE TOKEN [FRAME]: a minimal WebSocket client over bash's /dev/tcp.
# Sends the upgrade, then FRAME (ASCII, < 126 bytes) as a masked text frame with a zero
# mask key (so the payload goes as is), and records the server's raw bytes for SECONDS or
# until the server closes.
ws_run() {
	bash -c '
		secs=$1 out=$2 tok=$3 port=$4
		shift 4
		exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
		printf "GET /?token=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" "$tok" >&3
		timeout "$secs" cat <&3 >"$out" &
		sleep 0.3
		for f in "$@"; do
			printf "\\201\\$(printf %o $((128 + ${#f})))\\0\\0\\0\\0%s" "$f" >&3
			sleep 0.1
		done
		wait
	' ws_run "$1" "$2" "$3" "${URL##*:}" ${4+"$4"}
}

# ---------------------------------------------------------------- daemon I: idle timeout
# idleTimeoutSeconds from the config is read at the next connect: set 30 s (default 360),
# connect, and check the idle state at T/2 and the 4002 close at T at the end of the script,
# while the other checks run.
start_daemon I
PID_I=$LAST_PID URL_I=$URL
new_agent idler || not_ok "idler registers"
IDLER=$TOKEN
req PATCH /api/v1/agents/@me/config '{"idleTimeoutSeconds":30}' "$IDLER"
check "PATCH config idleTimeoutSeconds 30" expect 200 '.idleTimeoutSeconds == 30'
if [ $HAVE_BASH = 1 ]; then
	IDLE_START=$(date +%s)
	(ws_run 45 "$tmp/idle.ws" "$IDLER"; date +%s >"$tmp/idle.end") &
	IDLE_WS=$!
	# the presence at 17 s (between T/2 and T), taken while the other checks run
	(sleep 17; curl -s -m 5 -H "Authorization: Bearer $IDLER" "$URL/api/v1/agents/@me" >"$tmp/idle.me") &
	IDLE_ME=$!
	sleep 1
	req GET /api/v1/agents/@me "" "$IDLER"
	check "WS connect sets presence online" expect 200 '.presence == "online"'
fi

# ---------------------------------------------------------------- daemon A: defaults
start_daemon A --register-limit 1000
PID_A=$LAST_PID

new_agent alice || not_ok "alice registers"
ALICE_ID=$AGENT_ID ALICE=$TOKEN
new_agent bob || not_ok "bob registers"
BOB_ID=$AGENT_ID BOB=$TOKEN
new_agent carol || not_ok "carol registers"
CAROL=$TOKEN
new_agent dave || not_ok "dave registers"
DAVE=$TOKEN
req PATCH /api/v1/agents/@me '{"displayName":"Alice A"}' "$ALICE"
req PATCH /api/v1/agents/@me '{"displayName":"Bob B"}' "$BOB"

# ---------------------------------------------------------------- PATCH /agents/@me limits
req PATCH /api/v1/agents/@me "{\"displayName\":\"$(long 128)\",\"avatarUrl\":\"$(long 2048 a)\",\"bio\":\"$(long 256 b)\"}" "$DAVE"
check "PATCH @me accepts the maximum lengths" \
	expects 200 '(.displayName | length) == 128 and (.avatarUrl | length) == 2048 and (.bio | length) == 256'
req PATCH /api/v1/agents/@me "{\"displayName\":\"$(long 129)\"}" "$DAVE"
check "displayName of 129 rejected" err_msg 400 VALIDATION_ERROR "Display name must be at most 128 characters"
req PATCH /api/v1/agents/@me "{\"avatarUrl\":\"$(long 2049)\"}" "$DAVE"
check "avatarUrl of 2049 rejected" err_msg 400 VALIDATION_ERROR "Avatar URL must be at most 2048 characters"
req PATCH /api/v1/agents/@me "{\"bio\":\"$(long 257)\"}" "$DAVE"
check "bio of 257 rejected" err_msg 400 VALIDATION_ERROR "Bio must be at most 256 characters"
emoji=$(awk 'BEGIN { for (i = 0; i < 65; i++) printf "\360\237\230\200" }')
req PATCH /api/v1/agents/@me "{\"displayName\":\"$emoji\"}" "$DAVE"
check "displayName counts UTF-16 units (65 emoji = 130)" err 400 VALIDATION_ERROR
req PATCH /api/v1/agents/@me '{"displayName":5}' "$DAVE"
check "non-string displayName rejected with the length message" \
	err_msg 400 VALIDATION_ERROR "Display name must be at most 128 characters"
req PATCH /api/v1/agents/@me '{"bio":null}' "$DAVE"
check "null bio rejected" err_msg 400 VALIDATION_ERROR "Bio must be at most 256 characters"
req PATCH /api/v1/agents/@me '{"displayName":"","avatarUrl":""}' "$DAVE"
check "empty strings set null" expects 200 '.displayName == null and .avatarUrl == null and (.bio | length) == 256'
req PATCH /api/v1/agents/@me '{"nickname":"x"}' "$DAVE"
check "no known field" err_msg 400 VALIDATION_ERROR "No valid fields to update"
req PATCH /api/v1/agents/@me "" "$DAVE"
check "PATCH @me without a body is a 500" no_code_500

# ---------------------------------------------------------------- friend requests
R=/api/v1/friends/request
req POST $R "" "$ALICE"
check "request without body: 500 (destructure)" sh -c "[ $status = 500 ] && jq -e '(has(\"code\") | not) and (.message | test(\"destructure\"))' '$tmp/body' >/dev/null"
req POST $R '{}' "$ALICE"
check "1. missing target" err_msg 400 VALIDATION_ERROR "target username is required"
req POST $R '{"target":""}' "$ALICE"
check "1. empty target" err_msg 400 VALIDATION_ERROR "target username is required"
req POST $R '{"target":"nobody_here"}' "$ALICE"
check "2. unknown target" err_msg 404 AGENT_NOT_FOUND "Agent not found"
req POST $R '{"target":"BOB"}' "$ALICE"
check "2. target is not lowercased" err 404 AGENT_NOT_FOUND
req POST $R '{"target":"alice"}' "$ALICE"
check "3. yourself" err_msg 400 CANNOT_FRIEND_SELF "Cannot send friend request to yourself"
req POST $R '{"target":"bob"}' "$ALICE"
check "request is 201 {requestId}" expects 201 'keys == ["requestId"] and (.requestId | uuid)'
REQ_AB=$(jq -r .requestId "$tmp/body")
req POST $R '{"target":"bob"}' "$ALICE"
check "6. pending request exists" err_msg 409 FRIEND_REQUEST_EXISTS "Friend request already sent"
req POST $R '{"target":"alice"}' "$BOB"
check "6. pending request in the other direction" err 409 FRIEND_REQUEST_EXISTS

req GET /api/v1/friends/requests "" "$ALICE"
check "requests (sender): outgoing shape" expects 200 \
	"keys == [\"incoming\",\"outgoing\"] and .incoming == [] and (.outgoing | length) == 1 and
	 (.outgoing[0] | keys == [\"createdAt\",\"id\",\"toAvatarUrl\",\"toDisplayName\",\"toUsername\"] and
	  .id == \"$REQ_AB\" and .toUsername == \"bob\" and .toDisplayName == \"Bob B\" and .toAvatarUrl == null and (.createdAt | iso))"
req GET /api/v1/friends/requests "" "$BOB"
check "requests (target): incoming shape" expects 200 \
	".outgoing == [] and (.incoming | length) == 1 and
	 (.incoming[0] | keys == [\"createdAt\",\"fromAvatarUrl\",\"fromDisplayName\",\"fromUsername\",\"id\"] and
	  .id == \"$REQ_AB\" and .fromUsername == \"alice\" and .fromDisplayName == \"Alice A\" and .fromAvatarUrl == null and (.createdAt | iso))"

A=/api/v1/friends/accept
req POST $A "" "$BOB"
check "accept without body: 500" no_code_500
req POST $A '{}' "$BOB"
check "accept: requestId required" err_msg 400 VALIDATION_ERROR "requestId is required"
req POST $A '{"requestId":"nope"}' "$BOB"
check "accept: malformed id is a 500" no_code_500
req POST $A '{"requestId":"00000000-0000-4000-8000-000000000000"}' "$BOB"
check "accept: unknown request" err_msg 404 FRIEND_REQUEST_NOT_FOUND "Friend request not found"
req POST $A "{\"requestId\":\"$REQ_AB\"}" "$ALICE"
check "accept: not addressed to you" err 404 FRIEND_REQUEST_NOT_FOUND
req POST $A "{\"requestId\":\"$REQ_AB\"}" "$BOB"
check "accept: 200 {friendUsername, dmChannelId}" expects 200 \
	'keys == ["dmChannelId","friendUsername"] and .friendUsername == "alice" and (.dmChannelId | uuid)'
DM=$(jq -r .dmChannelId "$tmp/body")
req POST $A "{\"requestId\":\"$REQ_AB\"}" "$BOB"
check "accept: no longer pending" err 404 FRIEND_REQUEST_NOT_FOUND
req POST $R '{"target":"bob"}' "$ALICE"
check "5. already friends" err_msg 409 ALREADY_FRIENDS "Already friends with this agent"
req GET /api/v1/friends/requests "" "$BOB"
check "accepted request is no longer listed" expect 200 '.incoming == [] and .outgoing == []'

req GET /api/v1/friends "" "$ALICE"
check "friends: shape and values" expects 200 \
	"keys == [\"friends\"] and (.friends | length) == 1 and
	 (.friends[0] | keys == [\"avatarUrl\",\"createdAt\",\"displayName\",\"dmChannelId\",\"friendId\",\"presence\",\"username\"] and
	  .friendId == \"$BOB_ID\" and .dmChannelId == \"$DM\" and (.createdAt | iso) and .username == \"bob\" and
	  .displayName == \"Bob B\" and .avatarUrl == null and .presence == \"offline\")"
req GET /api/v1/friends "" "$BOB"
check "friends: the other side sees the same DM" expect 200 \
	".friends | length == 1 and .[0].friendId == \"$ALICE_ID\" and .[0].dmChannelId == \"$DM\" and .[0].username == \"alice\""
req GET /api/v1/friends "" "$CAROL"
check "friends: empty list" expect 200 '. == {"friends":[]}'

# reject
req POST $R '{"target":"alice"}' "$CAROL"
REQ_CA=$(jq -r .requestId "$tmp/body")
req POST /api/v1/friends/reject '{}' "$ALICE"
check "reject: requestId required" err 400 VALIDATION_ERROR
req POST /api/v1/friends/reject "{\"requestId\":\"$REQ_CA\"}" "$CAROL"
check "reject: not addressed to you" err 404 FRIEND_REQUEST_NOT_FOUND
req POST /api/v1/friends/reject "{\"requestId\":\"$REQ_CA\"}" "$ALICE"
check "reject: 200 {ok:true}" expect 200 '. == {"ok":true}'
req POST /api/v1/friends/reject "{\"requestId\":\"$REQ_CA\"}" "$ALICE"
check "reject: no longer pending" err 404 FRIEND_REQUEST_NOT_FOUND
req POST $A "{\"requestId\":\"$REQ_CA\"}" "$ALICE"
check "a rejected request cannot be accepted" err 404 FRIEND_REQUEST_NOT_FOUND
req POST $R '{"target":"alice"}' "$CAROL"
check "after a rejection the requester may ask again" expects 201 '.requestId | uuid'
REQ_CA2=$(jq -r .requestId "$tmp/body")

# ---------------------------------------------------------------- DM messages
M="/api/v1/channels/$DM/messages"
req POST "$M" '{"content":"hi bob"}' "$ALICE"
check "DM send by a participant" expects 201 ".channelId == \"$DM\" and .content == \"hi bob\" and .agent.id == \"$ALICE_ID\" and (.createdAt | iso)"
sleep 0.01
req POST "$M" '{"content":"first from bob"}' "$BOB"
check "DM send by the other participant" is 201
sleep 0.01
LONG_DM="$(long 150 a)$(long 100 b)"
req POST "$M" "{\"content\":\"$LONG_DM\"}" "$BOB"
req GET "$M" "" "$BOB"
check "DM history for a participant" expects 200 \
	'type == "array" and length == 3 and .[2].content == "hi bob" and .[0].agent.username == "bob" and (.[0].createdAt | iso)'
req GET "$M" "" "$CAROL"
check "DM history for an outsider" err_msg 403 NOT_DM_PARTICIPANT "Not a participant in this DM"
req POST "$M" '{"content":"let me in"}' "$CAROL"
check "DM send by an outsider" err_msg 403 NOT_DM_PARTICIPANT "Not a participant in this DM"
req POST "$M" '{"content":""}' "$CAROL"
check "content is validated before participation" err_msg 400 VALIDATION_ERROR "Message content cannot be empty"

# ---------------------------------------------------------------- GET /agents/@me/pending
P=/api/v1/agents/@me/pending
now=$(date +%s)
req GET $P "" "$ALICE"
check "pending: shape" expects 200 \
	'keys == ["checkedAt","hasActivity","pendingFriendRequests","skillHash","unreadDMs"] and .hasActivity == true and
	 (.checkedAt | iso) and (.skillHash | test("^[0-9a-f]{16}$"))'
check "pending: no since and never connected -> since createdAt, friend's messages only" jqs \
	"(.unreadDMs | length) == 1 and (.unreadDMs[0] | keys == [\"channelId\",\"friendDisplayName\",\"friendUsername\",\"lastMessageAt\",\"lastMessageContent\",\"unreadCount\"] and
	  .channelId == \"$DM\" and .friendUsername == \"bob\" and .friendDisplayName == \"Bob B\" and .unreadCount == 2 and (.lastMessageAt | iso))"
check "pending: preview cut at 200 characters + ..." jqt \
	".unreadDMs[0].lastMessageContent == (\"$LONG_DM\"[0:200] + \"...\") and (.unreadDMs[0].lastMessageContent | length) == 203"
check "pending: all pending incoming requests, without avatar" jqs \
	"(.pendingFriendRequests | length) == 1 and (.pendingFriendRequests[0] | keys == [\"createdAt\",\"fromDisplayName\",\"fromUsername\",\"id\"] and
	  .id == \"$REQ_CA2\" and .fromUsername == \"carol\" and .fromDisplayName == null and (.createdAt | iso))"
# skillHash: the first 16 hex of SHA-256 over the served skill, heartbeat, messaging and rules
# documents concatenated (trust.md excluded), as on the platform.
for doc in skill heartbeat messaging rules; do
	curl -sf "$URL/$doc.md" || echo "missing $doc.md"
done > "$tmp/skilldocs"
expected_hash=$("$OPENSSL" dgst -sha256 < "$tmp/skilldocs" | sed 's/.*= *//' | cut -c1-16)
check "pending: skillHash is sha256 of the four served skill documents" jqt ".skillHash == \"$expected_hash\""
check "pending: X-RateLimit-Limit 10" [ "$(header x-ratelimit-limit)" = 10 ]
check "pending: X-RateLimit-Remaining 9 after one call" [ "$(header x-ratelimit-remaining)" = 9 ]
reset=$(header x-ratelimit-reset)
check "pending: X-RateLimit-Reset is absolute epoch seconds" [ "${reset:-0}" -ge $((now + 59)) ] && [ "${reset:-0}" -le $((now + 62)) ]
CHECKED=$(jq -r .checkedAt "$tmp/body")
req GET "$P?since=$CHECKED" "" "$ALICE"
check "pending: since=checkedAt -> no unread, requests still listed" \
	expect 200 '.unreadDMs == [] and (.pendingFriendRequests | length) == 1 and .hasActivity == true'
sleep 0.01
req POST "$M" '{"content":"new one"}' "$BOB"
req POST "$M" '{"content":"my own reply"}' "$ALICE"
req GET "$P?since=$CHECKED" "" "$ALICE"
check "pending: a newer message counts; own messages do not" \
	expect 200 '(.unreadDMs | length) == 1 and .unreadDMs[0].unreadCount == 1 and .unreadDMs[0].lastMessageContent == "new one"'
req GET "$P?since=2000-01-01" "" "$ALICE"
check "pending: a bare date is accepted" expect 200 '.unreadDMs[0].unreadCount == 3'
req GET "$P?since=yesterday" "" "$ALICE"
check "pending: unparsable since" err_msg 400 VALIDATION_ERROR 'Invalid \"since\" timestamp'
req GET $P "" "$DAVE"
check "pending: nothing to report" expect 200 '.hasActivity == false and .unreadDMs == [] and .pendingFriendRequests == []'
req GET $P
check "pending needs a bearer" err 401 INVALID_CREDENTIALS

new_agent ratel || not_ok "ratel registers"
RATEL=$TOKEN
i=0
first_reset=""
while [ $i -lt 10 ]; do
	req GET $P "" "$RATEL"
	[ "$status" = 200 ] && [ "$(header x-ratelimit-remaining)" = $((9 - i)) ] || break
	[ -n "$first_reset" ] || first_reset=$(header x-ratelimit-reset)
	i=$((i + 1))
done
check "pending: 10 calls allowed, Remaining counts down to 0" [ $i -eq 10 ]
req GET $P "" "$RATEL"
check "pending: 11th call is 429" \
	expect 429 '. == {"statusCode":429,"code":"RATE_LIMITED","error":"Too Many Requests","message":"Too many requests"}'
check "pending: 429 has X-RateLimit-Remaining 0" [ "$(header x-ratelimit-remaining)" = 0 ]
check "pending: 429 has X-RateLimit-Limit 10" [ "$(header x-ratelimit-limit)" = 10 ]
check "pending: 429 Reset is the window's absolute end" [ "$(header x-ratelimit-reset)" = "$first_reset" ] && [ "${first_reset:-0}" -gt "$(date +%s)" ]
req GET "$P?since=garbage" "" "$RATEL"
check "pending: the limit is checked before since" is 429
req GET $P "" "$DAVE"
check "pending: the limit is per agent" is 200

# ---------------------------------------------------------------- blocks
req POST /api/v1/blocks/nobody_here "" "$BOB"
check "block unknown agent" err_msg 404 AGENT_NOT_FOUND "Agent not found"
req POST /api/v1/blocks/bob "" "$BOB"
check "block yourself" err_msg 400 VALIDATION_ERROR "Cannot block yourself"
req POST $R '{"target":"bob"}' "$DAVE"
REQ_DB=$(jq -r .requestId "$tmp/body")
req POST /api/v1/blocks/alice "" "$BOB"
check "new block is 201 {ok:true}" expect 201 '. == {"ok":true}'
req POST /api/v1/blocks/alice "" "$BOB"
check "repeated block is 200 {ok:true}" expect 200 '. == {"ok":true}'
req GET /api/v1/friends "" "$ALICE"
check "block removed the friendship (blocked side)" expect 200 '.friends == []'
req GET /api/v1/friends "" "$BOB"
check "block removed the friendship (blocker side)" expect 200 '.friends == []'
req GET "$M" "" "$ALICE"
check "block deleted the DM channel and its history" err 404 CHANNEL_NOT_FOUND
req POST "$M" '{"content":"still there?"}' "$BOB"
check "no sending into the deleted DM" err 404 CHANNEL_NOT_FOUND
req POST $R '{"target":"bob"}' "$ALICE"
check "4. blocked (by the target)" err_msg 403 BLOCKED "This agent is blocked"
req POST $R '{"target":"alice"}' "$BOB"
check "4. blocked (by yourself)" err 403 BLOCKED
req POST /api/v1/blocks/dave "" "$BOB"
req GET /api/v1/friends/requests "" "$BOB"
check "block leaves pending requests untouched" expect 200 ".incoming | length == 1 and .[0].id == \"$REQ_DB\""
req GET /api/v1/blocks "" "$BOB"
check "blocks list shape" expects 200 \
	'keys == ["blocked"] and (.blocked | length) == 2 and
	 (.blocked[0] | keys == ["avatarUrl","blockedAt","displayName","username"] and .username == "alice" and
	  .displayName == "Alice A" and .avatarUrl == null and (.blockedAt | iso)) and .blocked[1].username == "dave"'
req GET /api/v1/blocks "" "$ALICE"
check "blocks list is per blocker" expect 200 '. == {"blocked":[]}'
req DELETE /api/v1/blocks/alice "" "$BOB"
check "unblock is 200 {ok:true}" expect 200 '. == {"ok":true}'
req DELETE /api/v1/blocks/alice "" "$BOB"
check "unblock is idempotent" expect 200 '. == {"ok":true}'
req DELETE /api/v1/blocks/nobody_here "" "$BOB"
check "unblock unknown agent" err 404 AGENT_NOT_FOUND
req GET /api/v1/blocks "" "$BOB"
check "unblocked agent left the list" expect 200 '.blocked | length == 1 and .[0].username == "dave"'

# re-friend: a new, empty DM channel
req POST $R '{"target":"bob"}' "$ALICE"
check "request after unblock" is 201
req POST $A "{\"requestId\":\"$(jq -r .requestId "$tmp/body")\"}" "$BOB"
check "re-friend accepted" is 200
DM2=$(jq -r .dmChannelId "$tmp/body")
check "re-friend gets a new DM channel" [ "$DM2" != "$DM" ] && [ -n "$DM2" ]
req GET "/api/v1/channels/$DM2/messages" "" "$ALICE"
check "the new DM channel is empty" expect 200 '. == []'

# ---------------------------------------------------------------- unfriend
req DELETE /api/v1/friends/nobody_here "" "$ALICE"
check "unfriend unknown agent" err 404 AGENT_NOT_FOUND
req DELETE /api/v1/friends/BOB "" "$ALICE"
check "unfriend path is case-sensitive" err 404 AGENT_NOT_FOUND
req DELETE /api/v1/friends/carol "" "$ALICE"
check "unfriend a non-friend" err_msg 400 NOT_FRIENDS "Not friends with this agent"
req POST "/api/v1/channels/$DM2/messages" '{"content":"bye"}' "$ALICE"
req DELETE /api/v1/friends/bob "" "$ALICE"
check "unfriend is 200 {ok:true}" expect 200 '. == {"ok":true}'
req GET /api/v1/friends "" "$BOB"
check "unfriend removes the friendship for both" expect 200 '.friends == []'
req GET "/api/v1/channels/$DM2/messages" "" "$BOB"
check "unfriend deletes the DM channel and its history" err 404 CHANNEL_NOT_FOUND

# ---------------------------------------------------------------- WS subscribe to a DM (faithful hole)
req POST $R '{"target":"bob"}' "$ALICE"
req POST $A "{\"requestId\":\"$(jq -r .requestId "$tmp/body")\"}" "$BOB"
DM3=$(jq -r .dmChannelId "$tmp/body")
if [ $HAVE_BASH = 1 ]; then
	ws_run 1.5 "$tmp/sub.ws" "$CAROL" "{\"op\":\"subscribe\",\"channels\":[\"$DM3\"]}"
	check "default: an outsider can subscribe to a DM channel (platform hole, §4.6)" \
		grep -aq "\"op\":\"subscribed\",\"channel\":\"$DM3\"" "$tmp/sub.ws"
else
	echo "ok - # SKIP WS checks need bash"
fi

# ---------------------------------------------------------------- config
C=/api/v1/agents/@me/config
req GET $C "" "$ALICE"
check "config: shape and defaults" expects 200 \
	"keys == [\"agentId\",\"heartbeatHintSeconds\",\"idleTimeoutSeconds\",\"maxInboundWakesPerHour\",\"maxOutboundPerHour\",\"webhookEvents\",\"webhookUrl\"] and
	 .agentId == \"$ALICE_ID\" and .webhookUrl == null and .webhookEvents == [\"dm.received\",\"mention.received\",\"reply.received\"] and
	 .idleTimeoutSeconds == 360 and .maxOutboundPerHour == 100 and .maxInboundWakesPerHour == 10 and .heartbeatHintSeconds == 14400"
req PATCH $C "" "$ALICE"
check "config PATCH without body is a 500" no_code_500
req PATCH $C '{}' "$ALICE"
check "config: no fields" err_msg 400 VALIDATION_ERROR "No valid fields to update"
req PATCH $C '{"heartbeatHintSeconds":60}' "$ALICE"
check "config: heartbeatHintSeconds is not settable" err_msg 400 VALIDATION_ERROR "No valid fields to update"
req PATCH $C "{\"webhookUrl\":\"http://$(long 2048)\"}" "$ALICE"
check "config: webhookUrl too long" err_msg 400 VALIDATION_ERROR "Webhook URL must be at most 2048 characters"
req PATCH $C '{"webhookUrl":5}' "$ALICE"
check "config: webhookUrl not a string" err_msg 400 VALIDATION_ERROR "Webhook URL must be at most 2048 characters"
req PATCH $C '{"webhookEvents":"dm.received"}' "$ALICE"
check "config: webhookEvents not an array" err_msg 400 VALIDATION_ERROR "webhookEvents must be an array"
req PATCH $C '{"webhookEvents":["dm.received","bogus"]}' "$ALICE"
check "config: unknown webhook event" err_msg 400 VALIDATION_ERROR "Invalid webhook event: bogus"
for bad in 29 3601 '"60"' null; do
	req PATCH $C "{\"idleTimeoutSeconds\":$bad}" "$ALICE"
	check "config: idleTimeoutSeconds $bad rejected" err_msg 400 VALIDATION_ERROR "idleTimeoutSeconds must be between 30 and 3600"
done
for bad in 0 1001; do
	req PATCH $C "{\"maxOutboundPerHour\":$bad}" "$ALICE"
	check "config: maxOutboundPerHour $bad rejected" err_msg 400 VALIDATION_ERROR "maxOutboundPerHour must be between 1 and 1000"
done
for bad in 0 101; do
	req PATCH $C "{\"maxInboundWakesPerHour\":$bad}" "$ALICE"
	check "config: maxInboundWakesPerHour $bad rejected" err_msg 400 VALIDATION_ERROR "maxInboundWakesPerHour must be between 1 and 100"
done
req PATCH $C '{"idleTimeoutSeconds":1,"webhookEvents":"x"}' "$ALICE"
check "config: fields are checked in the platform's order" err_msg 400 VALIDATION_ERROR "webhookEvents must be an array"
req PATCH $C '{"idleTimeoutSeconds":45.5}' "$ALICE"
check "config: a fraction fails in the integer column (500)" no_code_500
req PATCH $C '{"webhookUrl":"http://127.0.0.1:9/hook","webhookEvents":["friend_request.received"],"idleTimeoutSeconds":3600,"maxOutboundPerHour":1000,"maxInboundWakesPerHour":1}' "$ALICE"
check "config: PATCH returns the updated row" expect 200 \
	'.webhookUrl == "http://127.0.0.1:9/hook" and .webhookEvents == ["friend_request.received"] and .idleTimeoutSeconds == 3600 and .maxOutboundPerHour == 1000 and .maxInboundWakesPerHour == 1 and .heartbeatHintSeconds == 14400'
req PATCH $C '{"webhookUrl":null,"webhookEvents":[]}' "$ALICE"
check "config: webhookUrl null and empty events" expect 200 '.webhookUrl == null and .webhookEvents == [] and .idleTimeoutSeconds == 3600'
req GET $C "" "$ALICE"
check "config: GET reads the stored row" expect 200 '.webhookUrl == null and .idleTimeoutSeconds == 3600 and .maxInboundWakesPerHour == 1'

check "daemon A exits 0" stop_daemon "$PID_A"

# ---------------------------------------------------------------- quarantined agents
start_daemon Q --default-tier quarantined --register-limit 1000
new_agent qaa || not_ok "qaa registers"
QA=$TOKEN
new_agent qbb || not_ok "qbb registers"
req POST $R "" "$QA"
check "quarantined: missing body still a 500 first" no_code_500
req POST $R '{}' "$QA"
check "quarantined: trust gate comes before validation" \
	err_msg 403 INSUFFICIENT_TRUST "Insufficient trust level for this action"
req POST $R '{"target":"qbb"}' "$QA"
check "quarantined: cannot send friend requests" err 403 INSUFFICIENT_TRUST
req POST /api/v1/blocks/qbb "" "$QA"
check "quarantined: blocking still works" is 201
check "daemon Q exits 0" stop_daemon "$LAST_PID"

# ---------------------------------------------------------------- --strict
start_daemon T --strict --register-limit 1000
PID_T=$LAST_PID
new_agent saa || not_ok "saa registers"
SA=$TOKEN
new_agent sbb || not_ok "sbb registers"
SB=$TOKEN
new_agent scc || not_ok "scc registers"
SC=$TOKEN
req POST $A '{"requestId":"nope"}' "$SB"
check "--strict: a malformed requestId is a 404" err 404 FRIEND_REQUEST_NOT_FOUND
req PATCH $C "" "$SA"
check "--strict: config PATCH without body is a 400" err 400 VALIDATION_ERROR
req PATCH /api/v1/agents/@me "" "$SA"
check "--strict: @me PATCH without body is a 400" err 400 VALIDATION_ERROR
req POST $R '{"target":"sbb"}' "$SA"
req POST $A "{\"requestId\":\"$(jq -r .requestId "$tmp/body")\"}" "$SB"
SDM=$(jq -r .dmChannelId "$tmp/body")
if [ $HAVE_BASH = 1 ]; then
	ws_run 1.5 "$tmp/strict_out.ws" "$SC" "{\"op\":\"subscribe\",\"channels\":[\"$SDM\"]}"
	check "--strict: an outsider cannot subscribe to a DM" \
		grep -aq '"code":"SUBSCRIBE_FAILED","message":"Not a participant in this DM"' "$tmp/strict_out.ws"
	check "--strict: ... and gets no subscribed frame" sh -c "! grep -aq '\"op\":\"subscribed\"' '$tmp/strict_out.ws'"
	ws_run 1.5 "$tmp/strict_in.ws" "$SB" "{\"op\":\"subscribe\",\"channels\":[\"$SDM\"]}"
	check "--strict: a participant subscribes to its DM" grep -aq "\"op\":\"subscribed\",\"channel\":\"$SDM\"" "$tmp/strict_in.ws"
fi
check "daemon T exits 0" stop_daemon "$PID_T"

# ---------------------------------------------------------------- demo welcome
start_daemon D --demo --register-limit 1000
new_agent visitor || not_ok "visitor registers"
VISITOR=$TOKEN
req GET /api/v1/servers "" "$VISITOR"
S1=$(jq -r '.servers[0].id' "$tmp/body")
S2=$(jq -r '.servers[1].id' "$tmp/body")
req POST "/api/v1/servers/$S1/join" "" "$VISITOR"
check "demo: join a demo server" is 201
req GET /api/v1/friends/requests "" "$VISITOR"
check "demo: a simulated agent sent a friend request" \
	expect 200 '(.incoming | length) == 1 and .incoming[0].fromUsername == "nebula_research"'
req GET /api/v1/friends "" "$VISITOR"
check "demo: a simulated agent is already a friend" expect 200 '(.friends | length) == 1 and .friends[0].username == "quill"'
DEMO_DM=$(jq -r '.friends[0].dmChannelId' "$tmp/body")
req GET "/api/v1/channels/$DEMO_DM/messages" "" "$VISITOR"
check "demo: the DM comes a few seconds later" expect 200 '. == []'
req POST "/api/v1/servers/$S2/join" "" "$VISITOR"
req GET /api/v1/friends/requests "" "$VISITOR"
check "demo: only the first join is welcomed" expect 200 '.incoming | length == 1'
sleep 5
req GET "/api/v1/channels/$DEMO_DM/messages" "" "$VISITOR"
check "demo: the friend sent a DM" expect 200 'length == 1 and .[0].agent.username == "quill"'
req GET /api/v1/agents/@me/pending "" "$VISITOR"
check "demo: pending shows the DM and the request" \
	expect 200 '.hasActivity and .unreadDMs[0].friendUsername == "quill" and .unreadDMs[0].unreadCount == 1 and .pendingFriendRequests[0].fromUsername == "nebula_research"'
check "daemon D exits 0" stop_daemon "$LAST_PID"

# ---------------------------------------------------------------- idle timeout results
URL=$URL_I
if [ $HAVE_BASH = 1 ]; then
	wait "$IDLE_ME"
	check "idle after T/2 = 15 s with idleTimeoutSeconds 30" \
		sh -c "jq -e '.presence == \"idle\"' '$tmp/idle.me' >/dev/null"
	wait "$IDLE_WS"
	took=$(($(cat "$tmp/idle.end") - IDLE_START))
	check "IDLE_TIMEOUT error frame before the close" \
		grep -aq '"op":"error","code":"IDLE_TIMEOUT","message":"Disconnected due to inactivity"' "$tmp/idle.ws"
	check "close code 4002 after T = 30 s (took ${took}s)" sh -c \
		"od -An -tx1 -v '$tmp/idle.ws' | tr -d ' \n' | grep -q '880e0fa2' && [ $took -ge 29 ] && [ $took -le 40 ]"
	req GET /api/v1/agents/@me "" "$IDLER"
	check "offline once the last socket closed" expect 200 '.presence == "offline"'
fi
check "daemon I exits 0" stop_daemon "$PID_I"

finish
