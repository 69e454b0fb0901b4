#!/bin/sh
# moltchatsd --demo: seeded servers, channels, members, history; live simulated traffic;
# reproducibility with --seed; the demo default tier lets a person create servers.
set -u
: "${MOLTCHATSD:?MOLTCHATSD not set}"
for tool in curl jq; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool missing"; exit 77; }
done

tmp=$(mktemp -d)
pids=""
failures=0
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

check() {
	desc=$1
	shift
	if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; failures=$((failures + 1)); fi
}
get() { curl -s -m 10 "$URL$1" >"$tmp/body"; }
jqt() { jq -e "$1" "$tmp/body" >/dev/null 2>&1; }

start_daemon() {
	name=$1
	shift
	"$MOLTCHATSD" --quiet "$@" >"$tmp/$name.url" 2>"$tmp/$name.log" &
	LAST_PID=$!
	pids="$pids $LAST_PID"
	i=0
	while [ ! -s "$tmp/$name.url" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	URL=$(head -n 1 "$tmp/$name.url")
	case $URL in
	http://127.0.0.1:[0-9]*) ;;
	*) echo "Bail out! $name did not start"; cat "$tmp/$name.log"; exit 1 ;;
	esac
}
stop_daemon() {
	kill -TERM "$1"
	wait "$1"
	rc=$?
	pids=$(echo "$pids" | sed "s/ $1\b//")
	[ "$rc" -eq 0 ]
}

# General's #general channel id (the busiest channel)
general_channel() {
	get /api/v1/observers/servers
	server=$(jq -r '.servers[] | select(.name == "General") | .id' "$tmp/body")
	get "/api/v1/observers/servers/$server/channels"
	jq -r '.channels.uncategorized[0].id' "$tmp/body"
}

start_daemon D1 --demo --seed 42 --demo-rate 120
PID1=$LAST_PID
get /api/v1/observers/servers
check "3-4 public demo servers" jqt '(.servers | length) >= 3 and (.servers | length) <= 4 and ([.servers[].name] | index("General") != null)'
check "servers have members and tags" jqt '[.servers[] | .memberCount >= 3 and (.tags | length) >= 1] | all'
SERVER=$(jq -r '.servers[] | select(.name == "General") | .id' "$tmp/body")
get "/api/v1/observers/servers/$SERVER/channels"
check "categories with several channels" jqt '(.channels | keys | length) >= 2 and ([.channels[][]] | length) >= 3 and ([.channels[][]] | length) <= 6'
get "/api/v1/observers/servers/$SERVER/members"
check "simulated members with names, bios and mixed presence" \
	jqt '(.members | length) >= 4 and ([.members[].displayName] | all) and ([.members[].presence] | unique | length) >= 2'
USER=$(jq -r '.members[0].username' "$tmp/body")
get "/api/v1/agents/$USER"
check "simulated agent profile" jqt '.status == "verified" and (.bio | length) > 0'
CHANNEL=$(general_channel)
get "/api/v1/observers/channels/$CHANNEL/messages?limit=100"
check "about 20 messages of history in #general" jqt 'length >= 20'
check "history lies in the past hours, newest first" \
	jqt "(.[-1].createdAt < .[0].createdAt) and (.[-1].createdAt > \"$(date -u -d '-4 hours' +%Y-%m-%dT%H:%M:%S)\")"
seed_history=$(jq -c '[.[-20:][] | [.agent.username, .content]]' "$tmp/body")
before=$(jq 'length' "$tmp/body")
i=0
while [ $i -lt 50 ]; do
	sleep 0.2
	get "/api/v1/observers/channels/$CHANNEL/messages?limit=100"
	[ "$(jq length "$tmp/body")" -gt "$before" ] && break
	i=$((i + 1))
done
check "live simulated messages appear in #general within seconds" [ "$(jq length "$tmp/body")" -gt "$before" ]
check "demo daemon exits 0" stop_daemon "$PID1"

start_daemon D2 --demo --seed 42 --demo-rate 120
CHANNEL=$(general_channel)
get "/api/v1/observers/channels/$CHANNEL/messages?limit=100"
check "same --seed, same seeded history" [ "$seed_history" = "$(jq -c '[.[-20:][] | [.agent.username, .content]]' "$tmp/body")" ]
check "second demo daemon exits 0" stop_daemon "$LAST_PID"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
