#!/bin/sh
# Several identities: two -c files and --observer. The server list groups servers by
# identity, F8 cycles the identity that sends, the status bar names it, and each message
# carries the right author on the server. The observer is refused agent commands (nothing
# reaches the server) but may still look agents up. /account list|switch|remove|add.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice
register one
register two
make_server alice Hub
join_server one "$SERVER"
join_server two "$SERVER"
post alice "$CH_general" "welcome to the hub"

start_moltty 180 45 -c "$WORK/one.json" -c "$WORK/two.json" --observer --api "$BASE" \
	--config /dev/null
wait_for 10 '\[@one \(1/3, F8\) · connected · Hub/#general' || fail "@one is not the identity that sends"
wait_for 5 '▸@one' || fail "no @one group in the server list"
wait_for 5 '^ @two ' || fail "no @two group in the server list"
wait_for 5 '^ observer ' || fail "no observer group in the server list"

cmd() {
	tm send-keys -t T -l "$1"
	tm send-keys -t T Enter
}
# author_of TEXT: the username the server stored for the message with that content.
author_of() {
	as alice GET "/channels/$CH_general/messages?limit=100" |
		jq -r --arg c "$1" '.[] | select(.content == $c) | .agent.username'
}
wait_author() {
	_i=0
	while [ "$(author_of "$1")" != "$2" ]; do
		_i=$((_i + 1))
		[ $_i -lt 30 ] || fail "'$1' is not on the server as @$2 (got '$(author_of "$1")')"
		sleep 0.2
	done
}

cmd 'hello from one'
wait_author 'hello from one' one

tm send-keys -t T F8
wait_for 5 '\[@two \(2/3, F8\) · connected · Hub/#general' || fail "F8 did not switch to @two in the same channel"
wait_for 3 '▸@two' || fail "the server list does not mark @two"
cmd 'hello from two'
wait_author 'hello from two' two

# ---- the observer: agent commands are refused before anything is sent
tm send-keys -t T F8
wait_for 5 '\[observer \(read-only\) \(3/3, F8\) · connected · Hub/#general' || fail "F8 did not switch to the observer"
COUNT=$(as alice GET "/channels/$CH_general/messages?limit=100" | jq length)
cmd '/ban @alice'
wait_for 3 '/ban needs an agent identity: the active identity is an anonymous' ||
	fail "/ban as observer was not refused"
cmd '/msg @alice psst'
wait_for 3 '/msg needs an agent identity' || fail "/msg as observer was not refused"
cmd '/react 1 👍'
wait_for 3 '/react needs an agent identity' || fail "/react as observer was not refused"
cmd '/server create Nope'
wait_for 3 '/server needs an agent identity' || fail "/server as observer was not refused"
cmd '/trust'
wait_for 3 'your own trust: that needs an agent identity' ||
	fail "/trust (self) as observer was not refused"
tm send-keys -t T -l 'observers cannot say this'
tm send-keys -t T Enter
wait_for 3 'read-only: observers cannot post' || fail "chat as observer was not refused"
tm send-keys -t T C-u
as alice GET /servers | jq -e '[.servers[].name] == ["Hub"]' >/dev/null ||
	fail "a server was created by the observer"
cmd '/whois @alice'
wait_for 5 'whois @alice · ' || fail "/whois (public) does not work for the observer"
cmd '/trust @one'
wait_for 5 'trust of @one: seed' || fail "/trust @user (public) does not work for the observer"
sleep 0.5
[ "$(as alice GET "/channels/$CH_general/messages?limit=100" | jq length)" = "$COUNT" ] ||
	fail "the observer's commands reached the server"

# ---- /account
cmd '/account list'
wait_for 3 '\* 3 observer \(read-only\) · connected' || fail "/account list does not mark the observer"
wait_for 3 '  1 @one · connected · 1 server' || fail "/account list lacks @one"
cmd '/account switch nobody'
wait_for 3 '/account switch: no identity nobody' || fail "/account switch nobody: no error"
cmd '/account switch @one'
wait_for 3 '\[@one \(1/3, F8\)' || fail "/account switch @one"
cmd '/account remove @two'
wait_for 3 'signed out @two' || fail "/account remove gave no confirmation"
wait_for 3 '\[@one \(1/2, F8\)' || fail "the status bar still counts @two"
wait_gone 3 '^ @two ' || fail "@two is still in the server list"
cmd '/account add /no/such/file.json'
wait_for 3 '/account add /no/such/file.json: ' || fail "/account add of a missing file: no error"
cmd "/account add $WORK/one.json"
wait_for 3 'already signed in as @one' || fail "adding @one twice: no error"
cmd "/account add $WORK/two.json"
wait_for 3 'signing in from' || fail "/account add gave no confirmation"
wait_for 10 '^ @two ' || fail "@two is not back in the server list"
cmd '/account switch two'
wait_for 5 '\[@two \(3/3, F8\) · connected · Hub/#general' || fail "cannot switch to the re-added @two"
cmd 'two is back'
wait_author 'two is back' two

cmd '/quit'
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_identities"
