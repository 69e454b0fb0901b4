#!/bin/sh
# Agent commands, each with its happy path and an error path, checked on the server through
# its REST API (not only on the screen): /friend add|accept|reject|list|remove, /msg,
# /block, /unblock, /blocks, /profile set, /react, /unreact (never repeated), /whois,
# /trust, /vouch, /unvouch, /flag, /feed, /search-servers.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice "Alice Liddell"
register bob
register carol
register myself Me
make_server alice Testland
join_server myself "$SERVER"
post alice "$CH_general" "react to me"
# Requests to me, sent before moltty starts.
as alice POST /friends/request --data-binary '{"target":"myself"}' >/dev/null
as carol POST /friends/request --data-binary '{"target":"myself"}' >/dev/null
as alice PATCH /agents/@me --data-binary \
	'{"bio":"curious about everything","displayName":"Alice Liddell"}' >/dev/null

start_moltty 160 45 -c "$WORK/myself.json" --api "$BASE" --config /dev/null
wait_for 10 'Testland/#general' || fail "moltty never opened Testland/#general"
wait_for 5 'react to me' || fail "the history of #general is missing"

cmd() {
	tm send-keys -t T -l "$1"
	tm send-keys -t T Enter
}
karma() {
	curl -s "$API/agents/$1" | jq -r .karma
}

# ---- friends
cmd '/friend add @bob'
wait_for 5 'friend request sent to @bob' || fail "/friend add gave no confirmation"
as bob GET /friends/requests | jq -e '.incoming | map(.fromUsername) == ["myself"]' >/dev/null ||
	fail "bob has no request from myself: $(as bob GET /friends/requests)"
cmd '/friend add @nobody'
wait_for 5 '/friend add @nobody: HTTP 404 AGENT_NOT_FOUND' || fail "/friend add @nobody: no error"
cmd '/friend accept @alice'
wait_for 5 'you and @alice are friends' || fail "/friend accept gave no confirmation"
as alice GET /friends | jq -e '.friends | map(.username) == ["myself"]' >/dev/null ||
	fail "alice is not friends with myself on the server"
cmd '/friend accept @bob'
wait_for 5 'no pending friend request from @bob' || fail "/friend accept @bob: no error"
cmd '/friend reject @carol'
wait_for 5 "rejected @carol's friend request" || fail "/friend reject gave no confirmation"
as carol GET /friends/requests | jq -e '.outgoing == []' >/dev/null ||
	fail "carol's request is still pending"
cmd '/friend list'
wait_for 5 'friends \(1\): @alice' || fail "/friend list does not list alice"
wait_for 5 'your requests waiting for an answer: @bob' || fail "/friend list lacks the outgoing request"

# ---- direct messages: the DM channel of a friend; an error for a stranger
cmd '/msg @alice hello through the dm'
wait_for 5 'to @alice: hello through the dm' || fail "/msg gave no confirmation"
DM=$(as alice GET /friends | jq -r '.friends[0].dmChannelId')
_i=0
until history_of alice "$DM" | grep -qx 'hello through the dm'; do
	_i=$((_i + 1))
	[ $_i -lt 30 ] || fail "the DM is not on the server"
	sleep 0.2
done
cmd '/msg @bob are we friends'
wait_for 5 'you are not friends with @bob' || fail "/msg to a stranger: no error"
as bob GET /friends | jq -e '.friends == []' >/dev/null || fail "bob has a friend somehow"

# ---- reactions: never repeated, shown next to the message, karma on the server
K0=$(karma alice)
cmd '/react 1 👍'
wait_for 5 'reacted 👍 to @alice' || fail "/react gave no confirmation"
wait_for 3 'react to me \[\+👍\]' || fail "the reaction is not shown next to the message"
[ "$(karma alice)" = $((K0 + 1)) ] || fail "alice's karma did not go up: $(karma alice)"
cmd '/react 1 👍'
wait_for 5 'ALREADY_REACTED' || fail "a repeated reaction was not refused"
[ "$(karma alice)" = $((K0 + 1)) ] || fail "a repeated reaction reached the server"
cmd '/react 9 👍'
wait_for 5 'there is no message 9 here' || fail "/react 9: no error"
cmd '/unreact 1 👍'
wait_for 5 'took back 👍' || fail "/unreact gave no confirmation"
wait_gone 3 'react to me \[\+👍\]' || fail "the reaction is still shown after /unreact"
[ "$(karma alice)" = "$K0" ] || fail "alice's karma did not drop back: $(karma alice)"
cmd 'my own words'
wait_for 5 '(myself|Me)  my own words' || fail "my message is not shown"
sleep 0.5
cmd '/react 1 🎉'
wait_for 5 'Cannot react to your own messages' || fail "reacting to my own message: no error"

# ---- blocks
cmd '/block @bob'
wait_for 5 'blocked @bob' || fail "/block gave no confirmation"
as myself GET /blocks | jq -e '.blocked | map(.username) == ["bob"]' >/dev/null ||
	fail "bob is not blocked on the server"
cmd '/blocks'
wait_for 5 'blocked \(1\): @bob' || fail "/blocks does not list bob"
cmd '/block @nobody'
wait_for 5 '/block @nobody: HTTP 404 AGENT_NOT_FOUND' || fail "/block @nobody: no error"
cmd '/unblock @bob'
wait_for 5 'unblocked @bob' || fail "/unblock gave no confirmation"
as myself GET /blocks | jq -e '.blocked == []' >/dev/null || fail "bob is still blocked"

# ---- profile
cmd '/profile set name Dr. Me'
wait_for 5 'profile: name is now "Dr. Me"' || fail "/profile set name gave no confirmation"
curl -s "$API/agents/myself" | jq -e '.displayName == "Dr. Me"' >/dev/null ||
	fail "the display name did not change on the server"
cmd "/profile set bio $(printf 'x%.0s' $(seq 1 300))"
wait_for 5 '/profile set bio: HTTP 400 VALIDATION_ERROR' || fail "a too-long bio: no error"

# ---- whois: the full profile
cmd '/whois @alice'
wait_for 5 'whois @alice — Alice Liddell · (online|idle|offline|last seen)' ||
	fail "/whois has no name line"
wait_for 3 'bio: curious about everything' || fail "/whois has no bio"
wait_for 3 "karma $K0 · trust seed ★ .* · joined 20[0-9][0-9]-" || fail "/whois lacks karma/trust/joined"
CAPS=$(curl -s "$API/agents/alice" | jq -r '.capabilities | if length == 0 then "none" else join(", ") end')
wait_for 3 "capabilities: $CAPS" || fail "/whois lacks capabilities ($CAPS)"
wait_for 3 '-!-   in Testland \(owner\) *│' || fail "/whois lacks the server role"

# ---- trust
cmd '/trust'
wait_for 5 'your trust: seed ★' || fail "/trust gave nothing"
cmd '/vouch @alice'
wait_for 5 'you vouch for @alice' || fail "/vouch gave no confirmation"
as myself GET /trust/@me | jq -e '.vouchesGiven | map(.username) == ["alice"]' >/dev/null ||
	fail "the vouch is not on the server: $(as myself GET /trust/@me)"
cmd '/trust @alice'
wait_for 5 'trust of @alice: seed ★ · score [0-9.]+ · vouched for by 1' || fail "/trust @alice"
cmd '/unvouch @alice'
wait_for 5 'you no longer vouch for @alice' || fail "/unvouch gave no confirmation"
as myself GET /trust/@me | jq -e '.vouchesGiven == []' >/dev/null || fail "the vouch is still there"
cmd '/vouch @myself'
wait_for 5 'trust op on @myself refused: TRUST_ERROR' || fail "vouching for oneself: no error"
cmd '/flag @carol looks scripted'
wait_for 5 'flagged @carol' || fail "/flag gave no confirmation"
as carol GET /trust/@me | jq -e '.flagsReceived == 1' >/dev/null || fail "the flag is not on the server"

# ---- feed and server search
cmd '/feed'
wait_for 5 'Testland/#general @alice: react to me' || fail "/feed does not show the message"
cmd '/search-servers testl'
wait_for 5 "Testland — no description · $SERVER" || fail "/search-servers did not find Testland"
cmd '/search-servers zzzz'
wait_for 5 'no public server matches "zzzz"' || fail "/search-servers without a hit said nothing"

# ---- the friendship ends: the DM channel goes with it
cmd '/friend remove @alice'
wait_for 5 '@alice is no longer your friend' || fail "/friend remove gave no confirmation"
as alice GET /friends | jq -e '.friends == []' >/dev/null || fail "still friends on the server"
cmd '/friend remove @alice'
wait_for 5 '/friend remove @alice: HTTP 400 NOT_FRIENDS' || fail "/friend remove twice: no error"

# ---- a click on a member shows their profile (X10 mouse report: ESC [ M button x y)
cmd '/clear'
wait_gone 3 'whois @alice' || fail "/clear left the earlier /whois on screen"
tm resize-window -t T -x 80 -y 30
tm send-keys -t T F5
tm send-keys -t T F6
wait_for 3 '★ Alice Liddell' || fail "alice is not in the member list"
row=$(screen | grep -n '★ Alice Liddell' | head -n 1 | cut -d: -f1)
cx=$(printf "\\$(printf %o $((32 + 75 + 1)))")
cy=$(printf "\\$(printf %o $((32 + row)))")
tm send-keys -t T -l "$(printf '\033[M ')$cx$cy"
tm send-keys -t T -l "$(printf '\033[M#')$cx$cy"
wait_for 5 'whois @alice — Alice Liddell' || fail "clicking alice did not show her profile"

cmd '/quit'
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_cmd_social"
