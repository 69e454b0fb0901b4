#!/bin/sh
# Server and channel commands, each with its happy path and an error path, checked on the
# server through its REST API: /server create|info|edit|join|leave|delete (with its
# confirmation), /channel create|topic|edit|delete, /instructions, /report, /ban, /bans,
# /unban.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice
register myself
make_server alice Testland
TESTLAND=$SERVER
post alice "$CH_general" "alice was here"

start_moltty 160 45 -c "$WORK/myself.json" --api "$BASE" --config /dev/null
wait_for 10 '@myself · connected' || fail "moltty did not connect"

cmd() {
	tm send-keys -t T -l "$1"
	tm send-keys -t T Enter
}
my_servers() {
	as myself GET /agents/@me/servers | jq -r '.servers[].name'
}

# ---- create: the new server opens at once
cmd '/server create Lab a place for experiments'
wait_for 5 'created server Lab' || fail "/server create gave no confirmation"
wait_for 5 'Lab/#general' || fail "moltty did not open the new server"
LAB=$(as myself GET /agents/@me/servers | jq -r '.servers[] | select(.name == "Lab") | .id')
[ -n "$LAB" ] || fail "Lab is not among my servers: $(my_servers)"
as myself GET "/servers/$LAB" | jq -e '.description == "a place for experiments"' >/dev/null ||
	fail "the description was not stored"
cmd "/server create $(printf 'n%.0s' $(seq 1 101))"
wait_for 5 '/server create: HTTP 400 VALIDATION_ERROR' || fail "a too-long name: no error"

# ---- info and edit
cmd '/server info'
wait_for 5 'server Lab · public · 1 member · owner @myself' || fail "/server info"
cmd '/server edit description new words'
wait_for 5 'server Lab: description = new words' || fail "/server edit gave no confirmation"
as myself GET "/servers/$LAB" | jq -e '.description == "new words"' >/dev/null ||
	fail "the description did not change on the server"
cmd '/server edit threshold 2'
wait_for 5 '/server edit threshold: HTTP 400 VALIDATION_ERROR' || fail "threshold 2: no error"
cmd '/server edit name Laboratory'
wait_for 5 'Laboratory/#general' || fail "the renamed server is not shown"

# ---- channels
cmd '/channel create ideas Chat'
wait_for 5 'created #ideas' || fail "/channel create gave no confirmation"
as myself GET "/servers/$LAB/channels" | jq -e '.channels.Chat | map(.name) == ["ideas"]' \
	>/dev/null || fail "#ideas is not on the server in Chat"
cmd '/join #ideas'
wait_for 5 'Laboratory/#ideas' || fail "/join #ideas did not open it"
cmd '/channel topic what if'
wait_for 5 '#ideas: topic = what if' || fail "/channel topic gave no confirmation"
wait_for 3 '# ideas — what if' || fail "the topic is not in the title"
IDEAS=$(as myself GET "/servers/$LAB/channels" | jq -r '.channels.Chat[0].id')
cmd '/channel edit position many'
wait_for 5 'expected a number' || fail "a bad position: no error"
cmd '/channel edit name brainstorm'
wait_for 5 '#brainstorm: name = brainstorm' || fail "/channel edit name"
as myself GET "/servers/$LAB/channels" | jq -e '.channels.Chat[0].name == "brainstorm"' \
	>/dev/null || fail "the channel was not renamed on the server"
cmd '/instructions channel Only ideas here.'
wait_for 5 'instructions of # brainstorm set' || fail "/instructions channel"
as myself GET "/servers/$LAB" | jq -e '.channels[] | select(.name == "brainstorm") |
	.instructions == "Only ideas here."' >/dev/null || fail "channel instructions not stored"
cmd '/channel delete'
wait_for 5 'confirm with /channel delete --yes' || fail "/channel delete did not ask to confirm"
as myself GET "/servers/$LAB/channels" | jq -e '.channels.Chat | length == 1' >/dev/null ||
	fail "the channel was deleted without confirmation"
cmd '/channel delete --yes'
wait_for 5 'deleted # brainstorm' || fail "/channel delete --yes gave no confirmation"
as myself GET "/servers/$LAB/channels" | jq -e '.channels.Chat == null' >/dev/null ||
	fail "the channel is still on the server"
wait_gone 3 '│ # brainstorm' || fail "the deleted channel is still listed"

# ---- instructions of the server
cmd '/instructions server Be kind.'
wait_for 5 'instructions of Laboratory set' || fail "/instructions server"
as myself GET "/servers/$LAB" | jq -e '.instructions == "Be kind."' >/dev/null ||
	fail "server instructions not stored"

# ---- moderation in my server: alice joins and talks
join_server alice "$LAB"
LAB_GENERAL=$(as myself GET "/servers/$LAB/channels" | jq -r '.channels.uncategorized[0].id')
post alice "$LAB_GENERAL" "spam spam spam"
cmd '/join #general'
wait_for 5 'spam spam spam' || fail "alice's message did not arrive"
cmd '/report @alice flooding'
wait_for 5 'reported @alice in # general' || fail "/report gave no confirmation"
cmd '/report @nobody'
wait_for 5 '/report @nobody: HTTP 404 AGENT_NOT_FOUND' || fail "/report @nobody: no error"
cmd '/ban @alice rude'
wait_for 5 'banned @alice from Laboratory' || fail "/ban gave no confirmation"
as myself GET "/servers/$LAB/bans" | jq -e 'map(.username) == ["alice"] and .[0].reason == "rude"' \
	>/dev/null || fail "the ban is not on the server"
cmd '/bans'
wait_for 5 '@alice · rude' || fail "/bans does not list alice"
cmd '/unban @alice'
wait_for 5 'lifted the ban on @alice in Laboratory' || fail "/unban gave no confirmation"
as myself GET "/servers/$LAB/bans" | jq -e '. == []' >/dev/null || fail "the ban is still there"

# ---- join someone else's server; moderation there is refused
cmd '/server join Nowhere'
wait_for 5 'no public server named Nowhere' || fail "/server join Nowhere: no error"
cmd '/server join Testland'
wait_for 5 'Testland/#general' || fail "/server join Testland did not open it"
my_servers | grep -qx Testland || fail "Testland is not among my servers"
cmd '/ban @alice'
wait_for 5 '/ban @alice: HTTP 403 NOT_SERVER_ADMIN' || fail "/ban in a foreign server: no error"
cmd '/server delete --yes'
wait_for 5 '/server delete: HTTP 403 NOT_SERVER_OWNER' || fail "deleting a foreign server: no error"
cmd '/server leave'
wait_for 5 'left Testland' || fail "/server leave gave no confirmation"
my_servers | grep -qx Testland && fail "Testland is still among my servers"
wait_gone 5 '│ +Testland' || fail "Testland is still listed"

# ---- back in my own server: the owner cannot leave; delete asks first
wait_for 5 'Laboratory/#' || fail "moltty did not fall back to Laboratory"
cmd '/server leave'
wait_for 5 '/server leave: HTTP 400 VALIDATION_ERROR' || fail "the owner left: no error"
cmd '/server delete'
wait_for 5 'confirm with /server delete --yes' || fail "/server delete did not ask to confirm"
as myself GET "/servers/$LAB" | jq -e '.id' >/dev/null || fail "deleted without confirmation"
cmd '/server delete --yes'
wait_for 5 'deleted server Laboratory' || fail "/server delete --yes gave no confirmation"
[ "$(as myself GET "/servers/$LAB" | jq -r .code)" = SERVER_NOT_FOUND ] ||
	fail "Laboratory still exists on the server"

cmd '/quit'
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_cmd_servers"
