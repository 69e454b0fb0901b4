#!/bin/sh
# moltty's headless subcommands against a real moltchatsd: register, whoami, servers,
# channels, history, send, api, and the CHANNEL specs (id, server/#channel, #channel, @friend).
. "$(dirname "$0")/cli_lib.sh"
start_server

# register: prints the id, writes a 0600 credentials file, never overwrites one
id=$("$MOLTTY" register alice --api "$BASE" --display-name "Alice A" --bio "tests things" \
	2>"$WORK/reg.err") || fail "register alice: $(cat "$WORK/reg.err")"
cred="$XDG_CONFIG_HOME/moltchats/credentials.json"
[ "$(jq -r .agentId "$cred")" = "$id" ] || fail "credentials.json agentId"
[ "$(stat -c %a "$cred")" = 600 ] || fail "credentials.json mode is $(stat -c %a "$cred")"
jq -e '.username == "alice" and (.privateKey | startswith("-----BEGIN PRIVATE KEY-----")) and
	(.refreshToken | startswith("msr_"))' "$cred" >/dev/null || fail "credentials.json fields"
before=$(sha256sum "$cred")
"$MOLTTY" register alice2 --api "$BASE" 2>"$WORK/reg2.err" && fail "register over an existing file"
[ "$(sha256sum "$cred")" = "$before" ] || fail "credentials.json was changed"
grep -q "already exists" "$WORK/reg2.err" || fail "no 'already exists' message"
"$MOLTTY" register alice --api "$BASE" -c "$WORK/dup.json" 2>/dev/null && fail "duplicate username accepted"
[ ! -e "$WORK/dup.json" ] || fail "a failed registration left a file"
"$MOLTTY" register bob --api "$BASE" -c "$WORK/bob.json" --json >"$WORK/bob.reg" || fail "register bob --json"
jq -e '.username == "bob" and (.agentId | test("^[0-9a-f-]{36}$"))' "$WORK/bob.reg" >/dev/null ||
	fail "register --json: $(cat "$WORK/bob.reg")"
ok "register"

# whoami (default credentials; the API base comes from them)
"$MOLTTY" whoami >"$WORK/who.txt" || fail "whoami"
grep -q "^@alice ($id)" "$WORK/who.txt" && grep -q "display name: Alice A" "$WORK/who.txt" &&
	grep -q "bio: tests things" "$WORK/who.txt" || fail "whoami text: $(cat "$WORK/who.txt")"
"$MOLTTY" whoami --json | jq -e --arg id "$id" '.id == $id and .trustTier == "trusted"' >/dev/null ||
	fail "whoami --json"
m bob whoami --json | jq -e '.username == "bob"' >/dev/null || fail "whoami -c"
"$MOLTTY" whoami --api http://127.0.0.1:1 2>/dev/null && fail "whoami with no server succeeded"
MOLTCHATS_CREDENTIALS_PATH="$WORK/bob.json" "$MOLTTY" whoami --json | jq -e '.username == "bob"' \
	>/dev/null || fail "MOLTCHATS_CREDENTIALS_PATH"
"$MOLTTY" whoami -c "$WORK/none.json" 2>/dev/null; [ $? -eq 1 ] || fail "missing credentials: exit 1"
ok "whoami"

# servers and channels
sid=$("$MOLTTY" api POST /servers '{"name":"Lab","isPublic":true}' --json | jq -r .body.server.id)
[ -n "$sid" ] && [ "$sid" != null ] || fail "creating a server with moltty api"
"$MOLTTY" api POST "/servers/$sid/channels" '{"name":"bots","category":"Chat"}' >/dev/null ||
	fail "creating a channel"
m bob api POST "/servers/$sid/join" >/dev/null || fail "bob joins"
"$MOLTTY" servers | grep -q "^$sid  Lab  (owner, " || fail "servers text"
"$MOLTTY" servers --json | jq -e --arg s "$sid" 'select(.id == $s) | .name == "Lab"' >/dev/null ||
	fail "servers --json"
"$MOLTTY" channels Lab >"$WORK/ch.txt" || fail "channels by name"
grep -q '#general' "$WORK/ch.txt" && grep -q '#bots' "$WORK/ch.txt" || fail "channels text"
"$MOLTTY" channels "$sid" --json | jq -e 'select(.name == "bots") | .category == "Chat"' >/dev/null ||
	fail "channels --json"
"$MOLTTY" channels NoSuchServer 2>/dev/null && fail "channels of an unknown server"
ok "servers, channels"

# send: argument, stdin, --code, exit statuses
gen=$("$MOLTTY" channels Lab --json | jq -r 'select(.name == "general") | .id')
m1=$("$MOLTTY" send Lab/#general "first message") || fail "send by server/#channel"
echo "$m1" | grep -Eq '^[0-9a-f-]{36}$' || fail "send prints the id: $m1"
printf 'from stdin\n' | "$MOLTTY" send '#general' >/dev/null || fail "send from stdin, #channel"
"$MOLTTY" send "$gen" --code 'int main;' >/dev/null || fail "send --code by id"
m bob send lab/general "bob was here" >/dev/null || fail "send as bob"
"$MOLTTY" send Lab/#general "" 2>/dev/null; [ $? -eq 2 ] || fail "empty message: exit 2"
head -c 4001 /dev/zero | tr '\0' x | "$MOLTTY" send Lab/#general 2>/dev/null; [ $? -eq 2 ] ||
	fail "4001 characters: exit 2"
head -c 4000 /dev/zero | tr '\0' y | "$MOLTTY" send Lab/#general >/dev/null || fail "4000 characters"
"$MOLTTY" send Lab/#nope hi 2>/dev/null; [ $? -eq 1 ] || fail "unknown channel: exit 1"
"$MOLTTY" register carol --api "$BASE" -c "$WORK/carol.json" >/dev/null 2>&1
m carol send "$gen" "not a member" 2>"$WORK/carol.err"; [ $? -eq 1 ] || fail "non-member: exit 1"
grep -q NOT_SERVER_MEMBER "$WORK/carol.err" || fail "non-member reason: $(cat "$WORK/carol.err")"
ok "send"

# history: reading order, --limit, --before, --json
"$MOLTTY" history Lab/#general >"$WORK/h.txt" || fail "history"
sed -n 1p "$WORK/h.txt" | grep -q '@alice: first message' || fail "history order: $(cat "$WORK/h.txt")"
grep -q '@alice \[code\]: int main;' "$WORK/h.txt" || fail "history marks code"
grep -q '@bob: bob was here' "$WORK/h.txt" || fail "history has bob"
[ "$("$MOLTTY" history Lab/#general --limit 2 --json | wc -l)" = 2 ] || fail "--limit 2"
"$MOLTTY" history Lab/#general --limit 2 --json | tail -n 1 | jq -e '.content | startswith("yyy")' \
	>/dev/null || fail "--json newest last"
t2=$("$MOLTTY" history Lab/#general --json | sed -n 2p | jq -r .createdAt)
"$MOLTTY" history Lab/#general --before "$t2" --json | jq -r .content | grep -qx 'first message' ||
	fail "--before"
[ "$("$MOLTTY" history Lab/#general --before "$t2" --json | wc -l)" = 1 ] || fail "--before count"
"$MOLTTY" history Lab/#general --limit 0 2>/dev/null; [ $? -eq 2 ] || fail "--limit 0: exit 2"
"$MOLTTY" history Lab/#general --before yesterday 2>/dev/null; [ $? -eq 2 ] || fail "--before junk"
ok "history"

# @friend: a DM channel
rid=$(m bob api POST /friends/request '{"target":"alice"}' --json | jq -r .body.requestId)
"$MOLTTY" api POST /friends/accept "{\"requestId\":\"$rid\"}" >/dev/null || fail "accept"
m bob send @alice "psst" >/dev/null || fail "send @friend"
"$MOLTTY" history @bob | grep -q '@bob: psst' || fail "history @friend"
"$MOLTTY" send @nobody hi 2>/dev/null; [ $? -eq 1 ] || fail "@stranger: exit 1"
ok "@friend"

# api: status, rate-limit headers, body; non-2xx exit 1; public paths
"$MOLTTY" api GET /agents/@me/pending >"$WORK/p.txt" || fail "api pending"
sed -n 1p "$WORK/p.txt" | grep -qx 'HTTP 200' || fail "api status line"
grep -q '^X-RateLimit-Limit: 10$' "$WORK/p.txt" && grep -q '^X-RateLimit-Remaining: ' "$WORK/p.txt" &&
	grep -q '^X-RateLimit-Reset: [0-9]*$' "$WORK/p.txt" || fail "api rate-limit headers"
tail -n 1 "$WORK/p.txt" | jq -e 'has("checkedAt")' >/dev/null || fail "api body last"
"$MOLTTY" api GET /servers/00000000-0000-4000-8000-000000000000 >"$WORK/404.txt"; [ $? -eq 1 ] ||
	fail "api 404: exit 1"
grep -q 'HTTP 404' "$WORK/404.txt" && grep -q SERVER_NOT_FOUND "$WORK/404.txt" || fail "api 404 body"
"$MOLTTY" api GET /health --anon --api "$BASE" | grep -q '"status":"ok"' || fail "api /health"
echo '{"bio":"from stdin"}' | "$MOLTTY" api patch /agents/@me - >/dev/null || fail "api PATCH from stdin"
"$MOLTTY" whoami --json | jq -e '.bio == "from stdin"' >/dev/null || fail "PATCH applied"
"$MOLTTY" api FROB /x 2>/dev/null; [ $? -eq 2 ] || fail "api bad method: exit 2"
ok "api"

# the CLI's session is cached (0600) and reused; a token the server refuses is replaced
cache="$XDG_STATE_HOME/moltty/cli-session-$id.json"
[ "$(stat -c %a "$cache")" = 600 ] || fail "session cache mode"
t1=$(jq -r .token "$cache")
"$MOLTTY" whoami >/dev/null || fail "whoami with the cache"
[ "$(jq -r .token "$cache")" = "$t1" ] || fail "a cached session was not reused"
jq '.token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.x"' "$cache" >"$cache.new" &&
	mv "$cache.new" "$cache"
"$MOLTTY" whoami >/dev/null || fail "whoami after the server refused the cached token"
t3=$(jq -r .token "$cache")
[ "$t3" != "$t1" ] && [ "${t3#eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9}" = "$t3" ] ||
	fail "the refused token was not replaced"
ok "session cache"
echo "PASS"
