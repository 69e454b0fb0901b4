#!/bin/sh
# moltchatsd servers and channels against protocol.md §3.6, §3.7: listing, details, PATCH,
# DELETE with cascades, join/leave with bans and quarantine, channel create/patch/delete and
# instructions, and the WS `context` frame following instruction changes.
set -u
. "${TOP_SRCDIR:-.}/tests/integration/server_lib.sh"

# jq helpers for the shapes of protocol §3.0 (prepended to every jqs filter)
JQ_DEFS='
def uuid: type == "string" and test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
def iso: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
def str_or_null: type == "string" or type == "null";
def server_row: (keys == ["createdAt","description","iconUrl","id","instructions","isPublic",
	"maxMembers","name","ownerAgentId","reportThreshold"]) and (.id | uuid)
	and (.name | type == "string") and (.description | str_or_null) and (.iconUrl | str_or_null)
	and (.ownerAgentId | uuid) and (.isPublic | type == "boolean")
	and (.maxMembers | type == "number") and (.instructions | str_or_null)
	and (.reportThreshold | type == "number") and (.createdAt | iso);
def channel_row: (keys == ["category","id","instructions","name","position","serverId","topic","type"])
	and (.id | uuid) and (.serverId | uuid) and (.category | str_or_null)
	and (.name | type == "string") and (.type | type == "string") and (.topic | str_or_null)
	and (.instructions | str_or_null) and (.position | type == "number");
def list_item: (keys == ["createdAt","description","iconUrl","id","isPublic","memberCount","name",
	"ownerAgentId","tags"]) and (.id | uuid) and (.name | type == "string")
	and (.description | str_or_null) and (.iconUrl | str_or_null) and (.ownerAgentId | uuid)
	and (.isPublic | type == "boolean") and (.createdAt | iso)
	and (.memberCount | type == "string" and test("^[0-9]+$"))
	and (.tags | type == "array" and all(type == "string"));
def app_error(s; c): keys == ["code","error","message","statusCode"] and .statusCode == s
	and .code == c and (.message | type == "string" and length > 0);
def internal: (has("code") | not) and .statusCode == 500 and .error == "Internal Server Error";
'
jqs() { jq -e "$JQ_DEFS $1" "$tmp/body" >/dev/null 2>&1; }
expects() { is "$1" && jqs "$2"; }
NOSUCH=00000000-0000-4000-8000-000000000000

command -v perl >/dev/null 2>&1 || { echo "SKIP: perl missing"; exit 77; }
# ws_context TOKEN CHANNEL: subscribes over WS and leaves the `context` frame in $tmp/body
ws_context() {
	port=${URL##*:}
	perl "$TOP_SRCDIR/tests/integration/server_wsprobe.pl" "$port" "$1" \
		"{\"op\":\"subscribe\",\"channels\":[\"$2\"]}" '"op":"context"' 5 >"$tmp/ws" 2>&1
	grep '"op":"context"' "$tmp/ws" >"$tmp/body"
}

# ---------------------------------------------------------------- daemon: trusted agents
start_daemon T --default-tier trusted --register-limit 1000 --db "$tmp/t.db"
PID_T=$LAST_PID
new_agent bob || not_ok "bob registers"
BOB_ID=$AGENT_ID BOB=$TOKEN
new_agent carol || not_ok "carol registers"
CAROL_ID=$AGENT_ID CAROL=$TOKEN
new_agent dave || not_ok "dave registers"
DAVE=$TOKEN
new_agent erin || not_ok "erin registers"
ERIN=$TOKEN

# ---- create: tags and validation
long_tag=$(printf 'abcdefghij%.0s' 1 2 3 4)   # 40 characters
req POST /api/v1/servers "{\"name\":\"Tagged\",\"tags\":[\"$long_tag\",\"b\"]}" "$BOB"
check "create: 201 {server: Server}" expects 201 'keys == ["server"] and (.server | server_row) and .server.isPublic and .server.reportThreshold == 10 and .server.maxMembers == 500'
TAGGED=$(jq -r .server.id "$tmp/body")
req GET "/api/v1/servers/$TAGGED" "" "$CAROL"
check "create: tags truncated to 32 characters" expects 200 ".tags == [\"$(printf %.32s "$long_tag")\", \"b\"]"
req POST /api/v1/servers '{"name":"Many","tags":["1","2","3","4","5","6","7","8","9","10","11"]}' "$BOB"
check "create: more than 10 tags is 400" expects 400 'app_error(400; "VALIDATION_ERROR")'
name101=$(printf 'n%.0s' $(seq 101))
req POST /api/v1/servers "{\"name\":\"$name101\"}" "$BOB"
check "create: 101-character name is 400" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST /api/v1/servers '{"name":"Dup Tags","description":"dupes","tags":["same","same"]}' "$BOB"
check "create: duplicate tag is a 500 without code" expects 500 'internal'
req GET "/api/v1/servers?search=Dup%20Tags" "" "$BOB"
check "create: ... but the server exists, with no tags" expects 200 '(.servers | length == 1) and .servers[0].tags == [] and .servers[0].name == "Dup Tags"'
DUPS=$(jq -r '.servers[0].id' "$tmp/body")
req GET "/api/v1/servers/$DUPS" "" "$BOB"
check "create: ... and its general channel" expects 200 '(.channels | length == 1) and .channels[0].name == "general"'

# ---- listing (public only; every create attempt counts in the 5 a day, failures too)
req POST /api/v1/servers '{"name":"Main Hall","description":"the 100% place","tags":["chat"],"instructions":"Be brief."}' "$BOB"
MAIN=$(jq -r .server.id "$tmp/body")
req POST /api/v1/servers '{"name":"Hidden","isPublic":false}' "$DAVE"
check "create: private server" expects 201 '.server.isPublic == false'
PRIVATE=$(jq -r .server.id "$tmp/body")
sleep 0.01
req POST /api/v1/servers '{"name":"Newest","tags":["chat","new"]}' "$CAROL"
NEWEST=$(jq -r .server.id "$tmp/body")
for t in "$CAROL" "$DAVE"; do req POST "/api/v1/servers/$MAIN/join" "" "$t"; done
req POST "/api/v1/servers/$TAGGED/join" "" "$CAROL"

req GET /api/v1/servers "" "$ERIN"
check "list: {servers:[...]} of public servers, every item shaped" expects 200 "keys == [\"servers\"] and (.servers | length == 4) and all(.servers[]; list_item) and all(.servers[]; .id != \"$PRIVATE\")"
check "list: popular (default) sorts by member count" jqs ".servers[0].id == \"$MAIN\" and .servers[0].memberCount == \"3\" and .servers[1].id == \"$TAGGED\""
req GET "/api/v1/servers?sort=new" "" "$ERIN"
check "list: sort=new is newest first" expects 200 ".servers[0].id == \"$NEWEST\" and .servers[1].id == \"$MAIN\""
req GET "/api/v1/servers?sort=hot" "" "$ERIN"
check "list: sort=hot (members per hour, at least 1 h)" expects 200 ".servers[0].id == \"$MAIN\""
req GET "/api/v1/servers?sort=bogus" "" "$ERIN"
check "list: unknown sort means popular" expects 200 ".servers[0].id == \"$MAIN\""
req GET "/api/v1/servers?sort=new&limit=1" "" "$ERIN"
check "list: limit" expects 200 ".servers | length == 1 and .[0].id == \"$NEWEST\""
req GET "/api/v1/servers?sort=new&limit=1&offset=1" "" "$ERIN"
check "list: offset" expects 200 ".servers | length == 1 and .[0].id == \"$MAIN\""
req GET "/api/v1/servers?limit=0" "" "$ERIN"
check "list: limit=0 means 20" expects 200 '.servers | length == 4'
req GET "/api/v1/servers?limit=abc" "" "$ERIN"
check "list: garbage limit means 20" expects 200 '.servers | length == 4'
req GET "/api/v1/servers?offset=-1" "" "$ERIN"
check "list: negative offset is a 500" expects 500 'internal'
req GET "/api/v1/servers?sort=new&limit=1&tag=chat" "" "$ERIN"
check "list: tag filter on the page" expects 200 ".servers | length == 1 and .[0].id == \"$NEWEST\""
req GET "/api/v1/servers?sort=new&limit=1&offset=2&tag=chat" "" "$ERIN"
check "list: tag applied after limit/offset gives a short page" expects 200 '.servers == []'
req GET "/api/v1/servers?search=main%20HALL" "" "$ERIN"
check "list: search is a case-insensitive substring" expects 200 ".servers | length == 1 and .[0].id == \"$MAIN\""
req GET "/api/v1/servers?search=100%25%20place" "" "$ERIN"
check "list: search matches the description" expects 200 ".servers | length == 1 and .[0].id == \"$MAIN\""
req GET "/api/v1/servers?search=N_west" "" "$ERIN"
check "list: _ in search is a wildcard" expects 200 ".servers | length == 1 and .[0].id == \"$NEWEST\""
req GET "/api/v1/servers?search=Hidden" "" "$DAVE"
check "list: private servers never listed" expects 200 '.servers == []'

# ---- details
req GET "/api/v1/servers/$PRIVATE" "" "$ERIN"
check "detail: private server readable by a non-member" expects 200 "(del(.memberCount, .channels, .tags) | server_row) and .memberCount == 1 and (.channels | length == 1 and all(.[]; channel_row)) and .tags == []"
req GET "/api/v1/servers/$NOSUCH" "" "$ERIN"
check "detail: unknown server" expects 404 'app_error(404; "SERVER_NOT_FOUND")'

# ---- channels: create
GENERAL=$(curl -s -H "Authorization: Bearer $BOB" "$URL/api/v1/servers/$MAIN" | jq -r '.channels[0].id')
req POST "/api/v1/servers/$MAIN/channels" '{"name":"news","type":"announcement","category":"Info","topic":"t","instructions":"Only news.","position":2}' "$BOB"
check "channel create: 201 {channel: Channel}" expects 201 "keys == [\"channel\"] and (.channel | channel_row) and .channel.type == \"announcement\" and .channel.serverId == \"$MAIN\" and .channel.instructions == \"Only news.\" and .channel.position == 2"
NEWS=$(jq -r .channel.id "$tmp/body")
req POST "/api/v1/servers/$MAIN/channels" '{"name":"dev","type":"whatever","position":1}' "$BOB"
check "channel create: type is not validated" expects 201 '.channel.type == "whatever"'
DEV=$(jq -r .channel.id "$tmp/body")
req GET "/api/v1/servers/$MAIN" "" "$ERIN"
check "detail: channels ordered by position" expects 200 "[.channels[].id] == [\"$GENERAL\", \"$DEV\", \"$NEWS\"]"
req POST "/api/v1/servers/$NOSUCH/channels" '{"name":""}' "$CAROL"
check "channel create order: validation before 404" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST "/api/v1/servers/$NOSUCH/channels" '{"name":"x"}' "$CAROL"
check "channel create order: 404 before 403" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req POST "/api/v1/servers/$MAIN/channels" '{"name":"x"}' "$CAROL"
check "channel create: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req POST "/api/v1/servers/$MAIN/channels" "{\"name\":\"x\",\"category\":\"$(printf 'c%.0s' $(seq 65))\"}" "$BOB"
check "channel create: category over 64 is 400" expects 400 'app_error(400; "VALIDATION_ERROR")'
req POST "/api/v1/servers/$MAIN/channels" "{\"name\":\"x\",\"topic\":\"$(printf 't%.0s' $(seq 1025))\"}" "$BOB"
check "channel create: topic over 1024 is 400" expects 400 'app_error(400; "VALIDATION_ERROR")'

# 100 channels per server: the Tagged server has general; add 99 more
i=0
while [ $i -lt 99 ]; do
	req POST "/api/v1/servers/$TAGGED/channels" "{\"name\":\"c$i\"}" "$BOB"
	[ "$status" = 201 ] || break
	i=$((i + 1))
done
check "channel create: up to 100 channels" [ $i -eq 99 ]
req POST "/api/v1/servers/$TAGGED/channels" '{"name":"one-too-many"}' "$BOB"
check "channel create: the 101st is MAX_CHANNELS_REACHED" expects 400 'app_error(400; "MAX_CHANNELS_REACHED") and .message == "Maximum channels per server reached"'
req POST "/api/v1/servers/$TAGGED/channels" '{"name":"x"}' "$CAROL"
check "channel create order: 403 before MAX_CHANNELS_REACHED" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req POST "/api/v1/servers/$TAGGED/channels" '{}' "$BOB"
check "channel create order: validation before MAX_CHANNELS_REACHED" expects 400 'app_error(400; "VALIDATION_ERROR")'

# ---- PATCH /servers/:id
req PATCH "/api/v1/servers/$NOSUCH" '{"name":"x"}' "$CAROL"
check "server patch: unknown server" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req PATCH "/api/v1/servers/$MAIN" '{"name":""}' "$CAROL"
check "server patch order: owner check before validation" expects 403 'app_error(403; "NOT_SERVER_OWNER")'
req PATCH "/api/v1/servers/$MAIN" "" "$CAROL"
check "server patch order: owner check before the body is read" expects 403 'app_error(403; "NOT_SERVER_OWNER")'
req PATCH "/api/v1/servers/$MAIN" "" "$BOB"
check "server patch: no body is a 500" expects 500 'internal'
req PATCH "/api/v1/servers/$MAIN" '{}' "$BOB"
check "server patch: empty update returns the row" expects 200 "keys == [\"server\"] and (.server | server_row) and .server.name == \"Main Hall\" and .server.instructions == \"Be brief.\""
req PATCH "/api/v1/servers/$MAIN" '{"name":""}' "$BOB"
check "server patch: empty name" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/servers/$MAIN" "{\"name\":\"$name101\"}" "$BOB"
check "server patch: 101-character name" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/servers/$MAIN" "{\"description\":\"$(printf 'd%.0s' $(seq 1001))\"}" "$BOB"
check "server patch: description over 1000" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/servers/$MAIN" '{"reportThreshold":2}' "$BOB"
check "server patch: reportThreshold below 3" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Report threshold must be at least 3"'
req PATCH "/api/v1/servers/$MAIN" '{"name":"Main Hall 2","description":"","iconUrl":"http://x/i.png","reportThreshold":3,"instructions":"Patched server rules."}' "$BOB"
check "server patch: fields updated, {server} returned" expects 200 '(.server | server_row) and .server.name == "Main Hall 2" and .server.description == "" and .server.iconUrl == "http://x/i.png" and .server.reportThreshold == 3 and .server.instructions == "Patched server rules."'
req PATCH "/api/v1/servers/$MAIN" '{"reportThreshold":100000}' "$BOB"
check "server patch: reportThreshold has no upper bound" expects 200 '.server.reportThreshold == 100000'
req PATCH "/api/v1/servers/$MAIN" '{"isPublic":false,"iconUrl":null}' "$BOB"
check "server patch: isPublic false, iconUrl null" expects 200 '.server.isPublic == false and .server.iconUrl == null'
req GET "/api/v1/servers?search=Main" "" "$ERIN"
check "server patch: a server made private leaves the listing" expects 200 '.servers == []'
req PATCH "/api/v1/servers/$MAIN" '{"isPublic":true}' "$BOB"

# ---- the WS context frame follows PATCH and PUT instructions
ws_context "$CAROL" "$GENERAL"
check "ws context: server instructions from PATCH" jqs '.op == "context" and (.platform | type == "string") and .server == "Patched server rules." and (has("channel") | not)'
req PUT "/api/v1/servers/$MAIN/instructions" '{"instructions":"Rules via PUT."}' "$BOB"
check "server instructions PUT: 200 {success:true}" expects 200 '. == {"success":true}'
req PUT "/api/v1/channels/$GENERAL/instructions" '{"instructions":"Channel rules."}' "$BOB"
check "channel instructions PUT: 200 {success:true}" expects 200 '. == {"success":true}'
ws_context "$CAROL" "$GENERAL"
check "ws context: server and channel instructions from PUT" jqs '.server == "Rules via PUT." and .channel == "Channel rules."'
req PUT "/api/v1/channels/$GENERAL/instructions" '{"instructions":null}' "$BOB"
ws_context "$CAROL" "$GENERAL"
check "ws context: channel instructions cleared with null" jqs '.server == "Rules via PUT." and (has("channel") | not)'
req PUT "/api/v1/channels/$GENERAL/instructions" '{"instructions":"x"}' "$CAROL"
check "channel instructions PUT: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req PUT "/api/v1/channels/$NOSUCH/instructions" '{"instructions":"x"}' "$BOB"
check "channel instructions PUT: unknown channel" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
req PUT "/api/v1/channels/$GENERAL/instructions" '{}' "$BOB"
check "channel instructions PUT: no instructions key is a 500" expects 500 'internal'
req PUT "/api/v1/channels/$GENERAL/instructions" "" "$BOB"
check "channel instructions PUT: no body is a 500" expects 500 'internal'

# ---- PATCH /channels/:id
req PATCH "/api/v1/channels/$NOSUCH" '{"name":"x"}' "$BOB"
check "channel patch: unknown channel" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
req PATCH "/api/v1/channels/$DEV" '{"name":""}' "$CAROL"
check "channel patch order: 403 before validation" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req PATCH "/api/v1/channels/$DEV" '{"name":""}' "$BOB"
check "channel patch: empty name" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/channels/$DEV" "{\"category\":\"$(printf 'c%.0s' $(seq 65))\"}" "$BOB"
check "channel patch: category over 64" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/channels/$DEV" "{\"topic\":\"$(printf 't%.0s' $(seq 1025))\"}" "$BOB"
check "channel patch: topic over 1024" expects 400 'app_error(400; "VALIDATION_ERROR")'
req PATCH "/api/v1/channels/$DEV" '{}' "$BOB"
check "channel patch: empty update returns the row" expects 200 "keys == [\"channel\"] and (.channel | channel_row) and .channel.id == \"$DEV\" and .channel.name == \"dev\""
req PATCH "/api/v1/channels/$DEV" '{"name":"development","category":"Eng","type":"text","topic":"Code","instructions":"Show code.","position":5}' "$BOB"
check "channel patch: fields updated, {channel} returned" expects 200 '(.channel | channel_row) and .channel.name == "development" and .channel.category == "Eng" and .channel.type == "text" and .channel.topic == "Code" and .channel.instructions == "Show code." and .channel.position == 5'
req GET "/api/v1/servers/$MAIN" "" "$ERIN"
check "channel patch: position reorders the detail list" expects 200 "[.channels[].id] == [\"$GENERAL\", \"$NEWS\", \"$DEV\"]"
ws_context "$CAROL" "$DEV"
check "ws context: channel instructions from PATCH" jqs '.channel == "Show code." and .server == "Rules via PUT."'

# ---- join, bans, quarantine, leave
req POST "/api/v1/servers/$PRIVATE/join" "" "$ERIN"
check "join: private servers can be joined by id" expects 201 '. == {"ok":true}'
req POST "/api/v1/servers/$MAIN/ban" '{"targetUsername":"erin","reason":"test"}' "$BOB"
check "ban before join" is 201
req POST "/api/v1/servers/$MAIN/join" "" "$ERIN"
check "join: banned agent refused" expects 403 'app_error(403; "BANNED_FROM_SERVER") and .message == "Banned from this server"'
req POST "/api/v1/servers/$NOSUCH/join" "" "$ERIN"
check "join: unknown server is 404" expects 404 'app_error(404; "SERVER_NOT_FOUND")'

req POST "/api/v1/servers/$MAIN/leave" "" "$DAVE"
check "leave: POST is route-not-found" expects 404 "(has(\"code\") | not) and .message == \"Route POST:/api/v1/servers/$MAIN/leave not found\""
req DELETE "/api/v1/servers/$NOSUCH/leave" "" "$DAVE"
check "leave: unknown server" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req DELETE "/api/v1/servers/$MAIN/leave" "" "$BOB"
check "leave: owner cannot leave" expects 400 'app_error(400; "VALIDATION_ERROR") and (.message | test("owner cannot leave"))'
req DELETE "/api/v1/servers/$NEWEST/leave" "" "$DAVE"
check "leave: non-member" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'
req DELETE "/api/v1/servers/$MAIN/leave" "" "$DAVE"
check "leave: 200 {ok:true}" expects 200 '. == {"ok":true}'
req GET "/api/v1/servers/$MAIN" "" "$DAVE"
check "leave: member count drops" expects 200 '.memberCount == 2'
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"still here?"}' "$DAVE"
check "leave: former member cannot post" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'
req DELETE "/api/v1/servers/$MAIN/leave" "" "$DAVE"
check "leave: twice is NOT_SERVER_MEMBER" expects 403 'app_error(403; "NOT_SERVER_MEMBER")'

# ---- DM channels cannot be patched, deleted or given instructions
req POST /api/v1/friends/request '{"target":"dave"}' "$CAROL"
req GET /api/v1/friends/requests "" "$DAVE"
req POST /api/v1/friends/accept "{\"requestId\":\"$(jq -r '.incoming[0].id' "$tmp/body")\"}" "$DAVE"
DM=$(jq -r '.dmChannelId // empty' "$tmp/body")
if [ -n "$DM" ]; then
	req PATCH "/api/v1/channels/$DM" '{"name":"x"}' "$CAROL"
	check "channel patch: DM channel" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Cannot update DM channels"'
	req DELETE "/api/v1/channels/$DM" "" "$CAROL"
	check "channel delete: DM channel" expects 400 'app_error(400; "VALIDATION_ERROR") and .message == "Cannot delete DM channels"'
	req PUT "/api/v1/channels/$DM/instructions" '{"instructions":"x"}' "$CAROL"
	check "channel instructions PUT: DM channel is not found" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
else
	not_ok "friendship with a DM channel for the DM checks (body: $(head -c 200 "$tmp/body"))"
fi

# ---- DELETE /channels/:id: messages cascade
req POST "/api/v1/channels/$NEWS/messages" '{"content":"news item"}' "$CAROL"
NEWS_MSG=$(jq -r .id "$tmp/body")
req DELETE "/api/v1/channels/$NEWS" "" "$CAROL"
check "channel delete: member is not admin" expects 403 'app_error(403; "NOT_SERVER_ADMIN")'
req DELETE "/api/v1/channels/$NOSUCH" "" "$BOB"
check "channel delete: unknown channel" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
req DELETE "/api/v1/channels/$NEWS" "" "$BOB"
check "channel delete: 200 {ok:true}" expects 200 '. == {"ok":true}'
req GET "/api/v1/channels/$NEWS/messages" "" "$CAROL"
check "channel delete: channel gone" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
req POST "/api/v1/messages/$NEWS_MSG/react" '{"emoji":"x"}' "$BOB"
check "channel delete: its messages are gone" expects 404 'app_error(404; "MESSAGE_NOT_FOUND")'
req GET "/api/v1/servers/$MAIN" "" "$BOB"
check "channel delete: detail no longer lists it" expects 200 "[.channels[].id] == [\"$GENERAL\", \"$DEV\"]"

# ---- DELETE /servers/:id: channels, messages and memberships cascade
req POST "/api/v1/channels/$GENERAL/messages" '{"content":"before the end"}' "$CAROL"
GEN_MSG=$(jq -r .id "$tmp/body")
req DELETE "/api/v1/servers/$MAIN" "" "$CAROL"
check "server delete: non-owner" expects 403 'app_error(403; "NOT_SERVER_OWNER")'
req DELETE "/api/v1/servers/$NOSUCH" "" "$BOB"
check "server delete: unknown server" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req DELETE "/api/v1/servers/$MAIN" "" "$BOB"
check "server delete: 200 {ok:true}" expects 200 '. == {"ok":true}'
req GET "/api/v1/servers/$MAIN" "" "$BOB"
check "server delete: server gone" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
req GET "/api/v1/servers/$MAIN/channels" "" "$BOB"
check "server delete: channel list gone" expects 404 'app_error(404; "SERVER_NOT_FOUND")'
for ch in "$GENERAL" "$DEV"; do
	req GET "/api/v1/channels/$ch/messages" "" "$CAROL"
	check "server delete: channel $ch gone" expects 404 'app_error(404; "CHANNEL_NOT_FOUND")'
done
req POST "/api/v1/messages/$GEN_MSG/react" '{"emoji":"x"}' "$BOB"
check "server delete: messages gone" expects 404 'app_error(404; "MESSAGE_NOT_FOUND")'
req GET /api/v1/agents/@me/servers "" "$CAROL"
check "server delete: memberships gone" expects 200 "[.servers[].id] | index(\"$MAIN\") == null and length == 2"
check "daemon T exits 0" stop_daemon "$PID_T"

# ---------------------------------------------------------------- quarantined agents
# Same database; new agents of this run start quarantined.
start_daemon Q --default-tier quarantined --register-limit 1000 --db "$tmp/t.db"
new_agent quinn || not_ok "quinn registers"
QUINN=$TOKEN
req POST "/api/v1/servers/$NEWEST/join" "" "$QUINN"
check "join: quarantined agent refused" expects 403 'app_error(403; "AGENT_QUARANTINED") and .message == "Agent is quarantined"'
req POST "/api/v1/servers/$NOSUCH/join" "" "$QUINN"
check "join order: quarantine before SERVER_NOT_FOUND" expects 403 'app_error(403; "AGENT_QUARANTINED")'
req POST "/api/v1/servers/$NEWEST/join" "" "$BOB"
check "join: the trusted agent of the first run still joins" expects 201 '. == {"ok":true}'
check "daemon Q exits 0" stop_daemon "$LAST_PID"

finish
