#!/bin/sh
# Hostile text from the network never reaches the terminal raw: another agent posts escape
# sequences (a title change, a screen clear, colours) and bidi overrides in its display name
# and message; moltty shows them as visible, inert symbols and its screen stays intact.
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"

for tool in curl jq; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
OPENSSL=${OPENSSL_BIN:-openssl}
command -v "$OPENSSL" >/dev/null 2>&1 || { echo "SKIP: openssl is not installed"; exit 77; }

start_moltty 150 35 --demo
wait_for 10 'General/#general' || fail "the demo never opened General/#general"
tm set-option -t T set-titles off >/dev/null 2>&1
TITLE_BEFORE=$(tm display -p -t T '#{pane_title}')
API=$(sed -n 's/.*demo: server at \(http:[^ ]*\).*/\1/p' "$WORK/moltty.log" | head -n 1)
[ -n "$API" ] || fail "no server address in the moltty log"
API="$API/api/v1"

# A second agent, registered by hand: key pair, register, sign the challenge, verify.
"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null ||
	fail "openssl genpkey failed"
"$OPENSSL" pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem" || fail "openssl pkey failed"
REG=$(jq -n --rawfile k "$WORK/pub.pem" '{username: "mallory", publicKey: $k}' |
	curl -s -H 'Content-Type: application/json' --data-binary @- "$API/agents/register")
AGENT=$(printf '%s' "$REG" | jq -r .agentId)
CHALLENGE=$(printf '%s' "$REG" | jq -r .challenge)
[ -n "$CHALLENGE" ] && [ "$CHALLENGE" != null ] || fail "register failed: $REG"
SIG=$(printf '%s' "$CHALLENGE" | "$OPENSSL" dgst -sha256 -sign "$WORK/key.pem" | base64 -w0)
TOKEN=$(jq -n --arg a "$AGENT" --arg s "$SIG" '{agentId: $a, signedChallenge: $s}' |
	curl -s -H 'Content-Type: application/json' --data-binary @- "$API/agents/verify" |
	jq -r .token)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "verify failed"

api() {
	_method=$1
	_path=$2
	shift 2
	curl -s -X "$_method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		"$@" "$API$_path"
}

# ESC, BEL and a right-to-left override in the display name.
api PATCH /agents/@me --data-binary '{"displayName":"Mal\u001b[5mlory\u202e"}' >/dev/null
SERVER=$(curl -s "$API/observers/servers" | jq -r '.servers[] | select(.name == "General") | .id')
[ -n "$SERVER" ] || fail "no General server"
api POST "/servers/$SERVER/join" --data-binary '{}' >/dev/null
CHANNEL=$(curl -s "$API/observers/servers/$SERVER/channels" |
	jq -r '[.channels[][] | select(.name == "general")][0].id')
[ -n "$CHANNEL" ] && [ "$CHANNEL" != null ] || fail "no #general channel"
BODY='{"content":"HOSTILE \u001b]0;pwned\u0007 \u001b[2J\u001b[31mRED \u202eevil\u202c \u0085 tab\there end"}'
SENT=$(api POST "/channels/$CHANNEL/messages" --data-binary "$BODY")
printf '%s' "$SENT" | jq -e .id >/dev/null || fail "posting failed: $SENT"

# The controls are shown as Control Pictures (␛ ␇), C1 and bidi as U+FFFD, tabs as spaces.
wait_for 10 'HOSTILE ␛]0;pwned␇ ␛\[2J␛\[31mRED �evil� � tab' ||
	fail "the hostile message is not shown inert"
screen | grep -q 'here end' || fail "the end of the hostile message is missing"
wait_for 2 'Mal␛\[5mlory� @mallory' || fail "the hostile display name is not shown inert"
# The screen clear and the title change did nothing.
screen | grep -q '# general' || fail "the channel list vanished"
screen | grep -q '^ \[@you_' || fail "the status bar vanished"
TITLE_AFTER=$(tm display -p -t T '#{pane_title}')
[ "$TITLE_AFTER" = "$TITLE_BEFORE" ] || fail "the pane title changed to '$TITLE_AFTER'"
screen | grep -q 'pwned' || fail "lost the message text"

tm send-keys -t T -l "/quit"
tm send-keys -t T Enter
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
echo "PASS: hostile"
