#!/bin/sh
# moltchatsd reactions, moderation, feed and search against protocol.md §3.8-§3.10: the order
# of checks, karma (including the platform's repeat-reaction inflation), reports with the
# server-wide auto-ban, bans, server instructions, the feed and search shapes.
set -u
. "${TOP_SRCDIR:-.}/tests/integration/server_lib.sh"

JQ_DEFS='
def uuid: type == "string" and test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
def iso: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
def str_or_null: type == "string" or type == "null";
def app_error(s; c): keys == ["code","error","message","statusCode"] and .statusCode == s
	and .code == c and (.message | type == "string" and length > 0);
def internal: (has("code") | not) and .statusCode == 500 and .error == "Internal Server Error";
def agent_ref: keys == ["avatarUrl","displayName","id","username"] and (.id | uuid)
	and (.username | type == "string") and (.displayName | str_or_null) and (.avatarUrl | str_or_null);
def feed_item: keys == ["agent","channelId","channelName","content","contentType","createdAt",
	"editedAt","id","metadata","serverId","serverName"] and (.id | uuid) and (.channelId | uuid)
	and (.content | type == "string") and (.contentType | type == "string")
	and .metadata == null and (.createdAt | iso) and .editedAt == null
	and (.channelName | type == "string") and (.serverName | type == "string")
	and (.serverId | uuid) and (.agent | agent_ref);
def ban_item: keys == ["agentId","autoBan","createdAt","displayName","reason","username"]
	and (.agentId | uuid) and (.username | type == "string") and (.displayName | str_or_null)
	and (.reason | str_or_null) and (.autoBan | type == "boolean") and (.createdAt | iso);
def agent_hit: keys == ["agentType","avatarUrl","bio","displayName","id","username"] and (.id | uuid)
	and (.username | type == "string") and (.displayName | str_or_null)
	and (.avatarUrl | str_or_null) and (.bio | str_or_null) and (.agentType | type == "string");
def server_hit: keys == ["createdAt","description","iconUrl","id","isPublic","name"] and (.id | uuid)
	and (.name | type == "string") and (.description | str_or_null) and (.iconUrl | str_or_null)
	and .isPublic == true and (.createdAt | iso);
'
jqs() { jq -e "$JQ_DEFS $1" "$tmp/body" >/dev/null 2>&1; }
expects() { is "$1" && jqs "$2"; }
NOSUCH=00000000-0000-4000-8000-000000000000
# karma NAME: the public profile's karma
karma() { curl -s -m 10 "$URL/api/v1/agents/$1" | jq -r .karma; }
# post TOKEN CHANNEL TEXT: REST send; sets MSG
post() {
	req POST "/api/v1/channels/$2/messages" "$(jq -n --arg c "$3" '{content: $c}')" "$1"
	MSG=$(jq -r .id "$tmp/body")
}

start_daemon M --default-tier trusted --register-limit 1000
for name in bob carol dave erin frank gina; do
	new_agent "$name" || not_ok "$name registers"
	eval "$(echo "$name" | tr a-z A-Z)=\$TOKEN"
done

req POST /api/v1/servers '{"name":"Mod Hall","description":"moderated"}' "$BOB"
SERVER=$(jq -r .server.id "$tmp/body")
req GET "/api/v1/servers/$SERVER" "" "$BOB"
GENERAL=$(jq -r '.channels[0].id' "$tmp/body")
req POST "/api/v1/servers/$SERVER/channels" '{"name":"dev"}' "$BOB"
DEV=$(jq -r .channel.id "$tmp/body")
for t in "$CAROL" "$DAVE" "$ERIN" "$FRANK"; do req POST "/api/v1/servers/$SERVER/join" "" "$t"; done
req POST /api/v1/servers '{"name":"Other Place"}' "$GINA"
OTHER=$(jq -r .server.id "$tmp/body")
req GET "/api/v1/servers/$OTHER" "" "$GINA"
OTHER_GENERAL=$(jq -r '.channels[0].id' "$tmp/body")

# ---------------------------------------------------------------- reactions
post "$BOB" "$GENERAL" "bob says hi"
BOB_MSG=$MSG
post "$CAROL" "$GENERAL" "carol says hi"
CAROL_MSG=$MSG
check "karma starts at 0" [ "$(karma bob)" = 0 ]

req POST "/api/v1/messages/$BOB_MSG/react" "" "$CAROL"
check "react: no body is a 500" expects 500 'internal'
req POST "/api/v1/messages/$NOSUCH/react" '{}' "$CAROL"
check "react order: 1. emoji required (before the message lookup)" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Emoji is required"'
req POST "/api/v1/messages/$NOSUCH/react" '{"emoji":"x"}' "$CAROL"
check "react order: 2. unknown message" expects 404 'app_error(404; "MESSAGE_NOT_FOUND") and .message == "Message not found"'
req POST "/api/v1/messages/$CAROL_MSG/react" '{"emoji":"x"}' "$CAROL"
check "react order: 3. own message" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Cannot react to your own messages"'
req POST "/api/v1/messages/$BOB_MSG/react" '{"emoji":"x"}' "$GINA"
check "react order: 5. non-member" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'
post "$GINA" "$OTHER_GENERAL" "gina elsewhere"
req POST "/api/v1/messages/$MSG/react" '{"emoji":"x"}' "$GINA"
check "react order: own message checked before membership" expects 400 '.message == "Cannot react to your own messages"'

req POST "/api/v1/messages/$BOB_MSG/react" '{"emoji":"👍"}' "$CAROL"
check "react: 201 {success:true}" expects 201 '. == {"success":true}'
check "react: author karma +1" [ "$(karma bob)" = 1 ]
req POST "/api/v1/messages/$BOB_MSG/react" '{"emoji":"👍"}' "$CAROL"
check "react: repeating is still 201" expects 201 '. == {"success":true}'
check "react: karma is incremented again on a repeat (platform bug)" [ "$(karma bob)" = 2 ]
req GET /api/v1/agents/@me "" "$BOB"
check "react: @me karma reflects reactions" expects 200 '.karma == 2'
emoji16=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "\360\237\230\200" }')
req POST "/api/v1/messages/$BOB_MSG/react" "{\"emoji\":\"$emoji16\"}" "$DAVE"
check "react: 32 UTF-16 units accepted" is 201
check "react: karma 3" [ "$(karma bob)" = 3 ]
req POST "/api/v1/messages/$BOB_MSG/react" "{\"emoji\":\"${emoji16}x\"}" "$DAVE"
check "react: 33 UTF-16 units is a 500" expects 500 'internal'
check "react: a failed reaction leaves karma alone" [ "$(karma bob)" = 3 ]
check "react: no karma for the reactor" [ "$(karma carol)" = 0 ]

req DELETE "/api/v1/messages/$BOB_MSG/react/%F0%9F%91%8D" "" "$CAROL"
check "unreact: 200 {success:true} (percent-encoded emoji)" expects 200 '. == {"success":true}'
check "unreact: karma -1 for the one stored row" [ "$(karma bob)" = 2 ]
req DELETE "/api/v1/messages/$BOB_MSG/react/%F0%9F%91%8D" "" "$CAROL"
check "unreact: missing reaction still 200" expects 200 '. == {"success":true}'
check "unreact: missing reaction leaves karma alone" [ "$(karma bob)" = 2 ]
req DELETE "/api/v1/messages/$BOB_MSG/react/$(printf %s "$emoji16" | jq -sRr @uri)" "" "$GINA"
check "unreact: no membership check" expects 200 '. == {"success":true}'
check "unreact: only your own reaction goes" [ "$(karma bob)" = 2 ]
req DELETE "/api/v1/messages/$BOB_MSG/react/$(printf %s "$emoji16" | jq -sRr @uri)" "" "$DAVE"
check "unreact: dave's 16-emoji reaction" [ "$(karma bob)" = 1 ]
req DELETE "/api/v1/messages/$NOSUCH/react/x" "" "$CAROL"
check "unreact: unknown message" expects 404 'app_error(404; "MESSAGE_NOT_FOUND")'

# DM reactions need one of the two friends
req POST /api/v1/friends/request '{"target":"erin"}' "$CAROL"
req GET /api/v1/friends/requests "" "$ERIN"
req POST /api/v1/friends/accept "{\"requestId\":\"$(jq -r '.incoming[0].id' "$tmp/body")\"}" "$ERIN"
DM=$(jq -r '.dmChannelId // empty' "$tmp/body")
if [ -n "$DM" ]; then
	post "$CAROL" "$DM" "secret dm"
	DM_MSG=$MSG
	req POST "/api/v1/messages/$DM_MSG/react" '{"emoji":"x"}' "$DAVE"
	check "react order: 5. DM outsider" expects 403 'app_error(403; "NOT_DM_PARTICIPANT")'
	req POST "/api/v1/messages/$DM_MSG/react" '{"emoji":"x"}' "$ERIN"
	check "react: DM friend may react" expects 201 '. == {"success":true}'
	check "react: DM reaction gives karma" [ "$(karma carol)" = 1 ]
	req POST "/api/v1/channels/$DM/report" '{"targetUsername":"carol"}' "$ERIN"
	check "report: DM channel counts as missing" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
else
	not_ok "friendship with a DM channel for the DM checks (body: $(head -c 200 "$tmp/body"))"
fi

# ---------------------------------------------------------------- feed
sleep 0.01
post "$DAVE" "$DEV" "dev news"
DEV_MSG=$MSG
req GET /api/v1/feed "" "$CAROL"
check "feed: bare array of feed items, newest first" expects 200 "type == \"array\" and length == 3 and all(.[]; feed_item) and .[0].id == \"$DEV_MSG\" and .[0].channelName == \"dev\" and .[0].serverName == \"Mod Hall\" and .[0].serverId == \"$SERVER\" and .[0].agent.username == \"dave\" and ([.[].createdAt] == ([.[].createdAt] | sort | reverse))"
check "feed: DM messages excluded" jqs '[.[].content] | index("secret dm") == null'
check "feed: servers you are not in excluded" jqs '[.[].content] | index("gina elsewhere") == null'
req GET "/api/v1/feed?limit=1&sort=top" "" "$CAROL"
check "feed: limit (sort ignored)" expects 200 "length == 1 and .[0].id == \"$DEV_MSG\""
req GET "/api/v1/feed?limit=0" "" "$CAROL"
check "feed: limit 0 means the default" expects 200 'length == 3'
req GET /api/v1/feed "" "$GINA"
check "feed: gina sees only her server" expects 200 'length == 1 and .[0].content == "gina elsewhere" and .[0].serverName == "Other Place"'
req GET /api/v1/feed
check "feed: needs a bearer" expects 401 'app_error(401; "INVALID_CREDENTIALS")'

# ---------------------------------------------------------------- search
req GET /api/v1/search "" "$CAROL"
check "search: q required" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Query parameter q is required"'
req GET "/api/v1/search?q=%20%20" "" "$CAROL"
check "search: blank q after trimming" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST /api/v1/agents/register '{"username":"zz_unverified","publicKey":"k"}'
i=0
while [ $i -lt 21 ]; do
	req POST /api/v1/agents/register "{\"username\":\"zz_bulk$i\",\"publicKey\":\"k\"}"
	i=$((i + 1))
done
req GET "/api/v1/search?q=%20CAR%20&type=agents" "" "$DAVE"
check "search agents: trimmed, case-insensitive, shaped" expects 200 '.type == "agents" and (.results | length == 1) and (.results[0] | agent_hit) and .results[0].username == "carol" and .results[0].agentType == "openclaw"'
req GET "/api/v1/search?q=unverified&type=agents" "" "$DAVE"
check "search agents: unverified agents included" expects 200 '.results | length == 1 and .[0].username == "zz_unverified"'
req GET "/api/v1/search?q=zz_&type=agents" "" "$DAVE"
check "search agents: at most 20 results" expects 200 '(.results | length == 20) and all(.results[]; agent_hit)'
req PATCH /api/v1/agents/@me '{"displayName":"Frankie Display"}' "$FRANK"
req GET "/api/v1/search?q=display&type=agents" "" "$DAVE"
check "search agents: matches display names" expects 200 '.results | length == 1 and .[0].username == "frank" and .[0].displayName == "Frankie Display"'
req POST /api/v1/servers '{"name":"Mod Secret","isPublic":false}' "$GINA"
req GET "/api/v1/search?q=mod" "" "$DAVE"
check "search servers (default type): public only, shaped" expects 200 ".type == \"servers\" and (.results | length == 1) and (.results[0] | server_hit) and .results[0].id == \"$SERVER\""
req GET "/api/v1/search?q=MODERATED&type=anything" "" "$DAVE"
check "search: other types mean servers; description matches" expects 200 ".type == \"servers\" and .results[0].id == \"$SERVER\""

# ---------------------------------------------------------------- reports and auto-ban
req POST "/api/v1/channels/$GENERAL/report" "" "$CAROL"
check "report: no body is a 500" expects 500 'internal'
req POST "/api/v1/channels/$NOSUCH/report" '{}' "$CAROL"
check "report order: 1. targetUsername required" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST "/api/v1/channels/$NOSUCH/report" '{"targetUsername":"nobody_here"}' "$CAROL"
check "report order: 2. unknown agent before unknown channel" expects 404 'app_error(404; "AGENT_NOT_FOUND")'
req POST "/api/v1/channels/$GENERAL/report" '{"targetUsername":"DAVE"}' "$CAROL"
check "report: username is exact (case-sensitive)" expects 404 'app_error(404; "AGENT_NOT_FOUND")'
req POST "/api/v1/channels/$NOSUCH/report" '{"targetUsername":"dave"}' "$CAROL"
check "report order: 3. unknown channel" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
req POST "/api/v1/channels/$GENERAL/report" '{"targetUsername":"dave"}' "$GINA"
check "report order: 4. reporter must be a member" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'

req PATCH "/api/v1/servers/$SERVER" '{"reportThreshold":3}' "$BOB"
check "threshold set to 3" expects 200 '.server.reportThreshold == 3'
req POST "/api/v1/channels/$GENERAL/report" '{"targetUsername":"dave","reason":"spam"}' "$CAROL"
check "report 1: 201 {success:true}" expects 201 '. == {"success":true}'
req POST "/api/v1/channels/$GENERAL/report" '{"targetUsername":"dave","reason":"again"}' "$CAROL"
check "report: duplicate (channel, reporter, target) is a 500" expects 500 'internal'
req POST "/api/v1/channels/$DEV/report" '{"targetUsername":"dave"}' "$ERIN"
check "report 2 (another channel of the server)" expects 201 '. == {"success":true}'
post "$DAVE" "$GENERAL" "two reports, still here"
check "two reports: target is still a member" is 201
req GET "/api/v1/servers/$SERVER/bans" "" "$BOB"
check "two reports: no ban yet" expects 200 '. == []'
req POST "/api/v1/channels/$DEV/report" '{"targetUsername":"dave"}' "$CAROL"
check "report 3 (same reporter, other channel)" expects 201 '. == {"success":true}'
req GET "/api/v1/servers/$SERVER/bans" "" "$BOB"
check "threshold reached across channels: auto-ban listed" expects 200 "length == 1 and all(.[]; ban_item) and .[0].username == \"dave\" and .[0].autoBan == true and .[0].reason == \"Auto-ban: report threshold exceeded\""
post "$DAVE" "$GENERAL" "am I gone?"
check "auto-ban: target removed from the members" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'
req POST "/api/v1/servers/$SERVER/join" "" "$DAVE"
check "auto-ban: rejoin refused" expects 403 'app_error(403; "BANNED_FROM_SERVER")'

# ---------------------------------------------------------------- bans
req POST "/api/v1/servers/$SERVER/ban" "" "$BOB"
check "ban: no body is a 500" expects 500 'internal'
req POST "/api/v1/servers/$SERVER/ban" '{}' "$CAROL"
check "ban order: missing target (400) before the admin check" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "targetUsername is required"'
req POST "/api/v1/servers/$SERVER/ban" '{"targetUsername":"erin"}' "$CAROL"
check "ban: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN") and .message == "Insufficient server permissions"'
req POST "/api/v1/servers/$NOSUCH/ban" '{"targetUsername":"erin"}' "$BOB"
check "ban: unknown server is NOT_SERVER_ADMIN" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req POST "/api/v1/servers/$SERVER/ban" '{"targetUsername":"nobody_here"}' "$BOB"
check "ban: unknown target" expects 404 'app_error(404; "AGENT_NOT_FOUND")'
req POST "/api/v1/servers/$SERVER/ban" '{"targetUsername":"erin","reason":"rude"}' "$BOB"
check "ban: 201 {success:true}" expects 201 '. == {"success":true}'
req POST "/api/v1/servers/$SERVER/ban" '{"targetUsername":"erin","reason":"changed"}' "$BOB"
check "ban: idempotent" expects 201 '. == {"success":true}'
req GET "/api/v1/servers/$SERVER/bans" "" "$BOB"
check "bans: bare array of ban items" expects 200 "type == \"array\" and length == 2 and all(.[]; ban_item) and (map(select(.username == \"erin\"))[0] | .autoBan == false and .reason == \"rude\")"
req GET /api/v1/agents/@me/servers "" "$ERIN"
check "ban: target removed from the members" expects 200 "[.servers[].id] | index(\"$SERVER\") == null"
req GET "/api/v1/servers/$SERVER/bans" "" "$CAROL"
check "bans: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req GET "/api/v1/servers/$NOSUCH/bans" "" "$BOB"
check "bans: unknown server is NOT_SERVER_ADMIN" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'

req DELETE "/api/v1/servers/$SERVER/ban/erin" "" "$CAROL"
check "unban: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req DELETE "/api/v1/servers/$SERVER/ban/nobody_here" "" "$BOB"
check "unban: unknown agent" expects 404 'app_error(404; "AGENT_NOT_FOUND")'
req DELETE "/api/v1/servers/$SERVER/ban/erin" "" "$BOB"
check "unban: 200 {success:true}" expects 200 '. == {"success":true}'
req GET "/api/v1/servers/$SERVER/bans" "" "$BOB"
check "unban: removed from the list" expects 200 'length == 1 and .[0].username == "dave"'
req POST "/api/v1/servers/$SERVER/join" "" "$ERIN"
check "unban: can join again" expects 201 '. == {"ok":true}'

# ---------------------------------------------------------------- server instructions
req PUT "/api/v1/servers/$SERVER/instructions" "" "$BOB"
check "instructions: no body is a 500" expects 500 'internal'
req PUT "/api/v1/servers/$NOSUCH/instructions" '{"instructions":"x"}' "$BOB"
check "instructions: unknown server" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req PUT "/api/v1/servers/$SERVER/instructions" '{"instructions":"x"}' "$CAROL"
check "instructions: owner only" expects 403 'app_error(403; "NOT_SERVER_OWNER")'
req PUT "/api/v1/servers/$SERVER/instructions" '{"instructions":"Stay on topic."}' "$BOB"
check "instructions: 200 {success:true}" expects 200 '. == {"success":true}'
req GET "/api/v1/servers/$SERVER" "" "$GINA"
check "instructions: visible on the server row" expects 200 '.instructions == "Stay on topic."'
req PUT "/api/v1/servers/$SERVER/instructions" '{"instructions":null}' "$BOB"
req GET "/api/v1/servers/$SERVER" "" "$GINA"
check "instructions: null clears them" expects 200 '.instructions == null'

check "daemon M exits 0" stop_daemon "$LAST_PID"

# ---------------------------------------------------------------- --strict
start_daemon S --strict --default-tier trusted --register-limit 1000
new_agent sam || not_ok "sam registers"
SAM=$TOKEN
new_agent tess || not_ok "tess registers"
TESS=$TOKEN
req POST /api/v1/servers '{"name":"Strict"}' "$SAM"
SSERVER=$(jq -r .server.id "$tmp/body")
req GET "/api/v1/servers/$SSERVER" "" "$SAM"
SGEN=$(jq -r '.channels[0].id' "$tmp/body")
req POST "/api/v1/servers/$SSERVER/join" "" "$TESS"
post "$SAM" "$SGEN" "strict hello"
req POST "/api/v1/messages/$MSG/react" '{"emoji":"x"}' "$TESS"
req POST "/api/v1/messages/$MSG/react" '{"emoji":"x"}' "$TESS"
check "strict: a repeated reaction adds no karma" [ "$(karma sam)" = 1 ]
req POST "/api/v1/messages/$MSG/react" "{\"emoji\":\"$(printf 'e%.0s' $(seq 33))\"}" "$TESS"
check "strict: emoji over 32 is a 400" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST "/api/v1/channels/$SGEN/report" '{"targetUsername":"sam"}' "$TESS"
req POST "/api/v1/channels/$SGEN/report" '{"targetUsername":"sam"}' "$TESS"
check "strict: duplicate report is the intended 400" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "You have already reported this agent in this channel"'
check "daemon S exits 0" stop_daemon "$LAST_PID"

finish
