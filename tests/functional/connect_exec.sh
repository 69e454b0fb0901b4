#!/bin/sh
# moltty connect with an --exec bot (connect_bot.sh) against a real moltchatsd: friend requests
# answered by the bot, DMs and server channels answered with context, typing while it runs,
# long replies split at 4000, the first DM of a new friend not lost, presence kept online
# (a short idle timeout), reconnect after a server restart, a clean SIGTERM, a log file.
. "$(dirname "$0")/cli_lib.sh"
BOT="$TOP_SRCDIR/tests/functional/connect_bot.sh"
[ -n "${TOP_SRCDIR:-}" ] || BOT="$(dirname "$0")/connect_bot.sh"
export BOT_LOG="$WORK/bot.inputs"
start_server --db "$WORK/server.db" --idle-timeout 8
PORT=${BASE##*:}
agent bot
agent alice
agent dave
sid=$(m alice api POST /servers '{"name":"Lab","isPublic":true}' --json | jq -r .body.server.id)
m bot api POST "/servers/$sid/join" >/dev/null
m alice api POST /friends/request '{"target":"bot"}' >/dev/null   # waiting before the start
cat >"$XDG_CONFIG_HOME/moltchats/connector.json" <<JSON
{"moltchats": {"apiBase": "$BASE", "credentialsPath": "$WORK/bot.json"},
 "channels": {"autoSubscribeDMs": true, "serverIds": ["$sid"]},
 "contextMessages": 3}
JSON

"$MOLTTY" connect --exec "$BOT" --log "$WORK/connect.log" --poll 2 --record "$WORK/bot.rec" \
	2>"$WORK/connect.err" &
BRIDGE=$!
PIDS="$PIDS $BRIDGE"
is_friend() { m alice api GET /friends --json | jq -e '.body.friends[] | select(.username == "bot")'; }
until_true 20 is_friend || fail "the bot did not accept alice's friend request"
grep -q '"type":"friend_request"' "$BOT_LOG" || fail "the bot was not asked"
ok "friend request asked and accepted"

has() { m alice history "$1" --limit 20 | grep -q -- "$2"; }
"$MOLTTY" tail -c "$WORK/alice.json" @bot --json >"$WORK/alice.tail" 2>/dev/null &
PIDS="$PIDS $!"
sleep 0.5
m alice send @bot "hi bot" >/dev/null
until_true 20 has @bot '@bot: echo: hi bot (context 0)' || fail "no DM reply: $(m alice history @bot)"
until_true 5 grep -q '"op":"typing".*"agent":"bot"' "$WORK/alice.tail" || fail "no typing from the bot"
m alice send Lab/#general "hello lab" >/dev/null
until_true 20 has Lab/#general '@bot: echo: hello lab (context 0)' || fail "no channel reply"
m alice send @bot "again" >/dev/null
until_true 20 has @bot 'echo: again (context 2)' || fail "no context: $(m alice history @bot)"
tail -n 1 "$BOT_LOG" | jq -e '.channel.friend == "alice" and .channel.type == "dm" and
	.context[1].fromSelf == true and .context[0].content == "hi bot" and
	(.prompt | startswith("[MoltChats DM from @alice]")) and .self.username == "bot"' >/dev/null ||
	fail "bot input: $(tail -n 1 "$BOT_LOG")"
ok "DM and channel replies with context and typing"

m alice send @bot "long please" >/dev/null
n_long() { [ "$(m alice history @bot --json --limit 20 | jq -s '[.[] | select(.agent.username == "bot" and (.content | startswith("word")))] | length')" = 2 ]; }
until_true 20 n_long || fail "a long reply was not split in two"
m alice history @bot --json --limit 20 | jq -e 'select(.agent.username == "bot" and
	(.content | startswith("word"))) | (.content | length) <= 4000 and (.content | endswith("word"))' \
	>/dev/null || fail "chunk sizes or split points"
m alice send @bot "silent now" >/dev/null
m alice send @bot "fail now" >/dev/null
m alice send @bot "after failure" >/dev/null
until_true 20 has @bot 'echo: after failure' || fail "the bridge stalled after a failing bot"
has @bot 'silent now' && [ "$(m alice history @bot --json --limit 3 | jq -s '[.[] | select(.agent.username == "bot")] | length')" = 1 ] ||
	fail "a silent or failing bot still produced replies"
ok "long replies split; silent and failing bots"

# the first DM of a new friend: dave accepts the bot's request and writes at once
rid=$(m bot api POST /friends/request '{"target":"dave"}' --json | jq -r .body.requestId)
m dave api POST /friends/accept "{\"requestId\":\"$rid\"}" >/dev/null
m dave send @bot "first dm from dave" >/dev/null
has_dave() { m dave history @bot | grep -q '@bot: echo: first dm from dave'; }
until_true 20 has_dave || fail "the first DM of a new friend was lost"
ok "first DM of a new friend answered"

# presence: idle timeout 8 s (idle after 4 s without message or typing); the bridge renews
sleep 9
m alice api GET /agents/bot --json | jq -e '.body.presence == "online"' >/dev/null ||
	fail "presence is $(m alice api GET /agents/bot --json | jq -r .body.presence) after 9 s"
grep -q 'connection renewed' "$WORK/connect.log" || fail "no renewal logged"
grep -q '4002' "$WORK/connect.log" && fail "idle timeout close (4002)"
ok "presence kept online"

# the server restarts: the bridge reconnects, resubscribes, catches up
stop_server
LISTEN=127.0.0.1:$PORT start_server --db "$WORK/server.db" --idle-timeout 8
m alice send @bot "after restart" >/dev/null
until_true 30 has @bot 'echo: after restart' || fail "no reply after a server restart"
ok "reconnect"

# every frame recorded; SIGTERM ends it cleanly
# (the bridge is still writing: a line being written may be incomplete, so parse line by line)
jq -Rne '[inputs | fromjson? | select(.dir == "recv" and .frame.op == "message")] | length > 0' \
	"$WORK/bot.rec" >/dev/null ||
	fail "the bridge recording has no messages"
kill -TERM $BRIDGE
wait $BRIDGE || fail "SIGTERM: exit status $?"
grep -q 'connect: stopped' "$WORK/connect.log" || fail "no clean stop in the log"
grep -Eq 'msr_|eyJ[A-Za-z0-9_-]{20}' "$WORK/connect.log" && fail "a token in the log"
"$MOLTTY" connect 2>/dev/null; [ $? -eq 2 ] || fail "no bot and no OpenClaw token: exit 2"
ok "SIGTERM, log"
echo "PASS"
