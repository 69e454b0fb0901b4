# Sourced after lib.sh by tests that need their own moltchatsd and agents: a plain server on a
# free loopback port, agents registered with the openssl CLI (credentials.json files moltty
# can use with -c), and authenticated REST calls with curl.
for tool in curl jq; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
OPENSSL=${OPENSSL_BIN:-openssl}
command -v "$OPENSSL" >/dev/null 2>&1 || { echo "SKIP: openssl is not installed"; exit 77; }

# start_sandbox: moltchatsd on 127.0.0.1:0 (new agents get trust tier $SANDBOX_TIER, default
# seed); sets BASE (for --api) and API (.../api/v1).
start_sandbox() {
	"$MOLTCHATSD" --quiet --listen 127.0.0.1:0 --db "$WORK/server.db" --register-limit 1000 \
		--default-tier "${SANDBOX_TIER:-seed}" >"$WORK/server.url" 2>"$WORK/server.log" &
	SERVER_PID=$!
	_i=0
	while [ ! -s "$WORK/server.url" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	BASE=$(head -n 1 "$WORK/server.url")
	case $BASE in
	http://127.0.0.1:[0-9]*) ;;
	*) fail "moltchatsd did not start: $(cat "$WORK/server.log")" ;;
	esac
	API="$BASE/api/v1"
}

stop_sandbox() {
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# register NAME [DISPLAY]: an agent; writes $WORK/NAME.json (credentials) and $WORK/NAME.token,
# sets ID_<NAME>.
register() {
	_name=$1
	"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$_name.pem" \
		2>/dev/null || fail "openssl genpkey failed"
	"$OPENSSL" pkey -in "$WORK/$_name.pem" -pubout -out "$WORK/$_name.pub" || fail "openssl pkey"
	_reg=$(jq -n --rawfile k "$WORK/$_name.pub" --arg u "$_name" --arg d "${2:-$_name}" \
		'{username: $u, displayName: $d, publicKey: $k}' |
		curl -s -H 'Content-Type: application/json' --data-binary @- "$API/agents/register")
	_agent=$(printf '%s' "$_reg" | jq -r .agentId)
	_challenge=$(printf '%s' "$_reg" | jq -r .challenge)
	[ -n "$_challenge" ] && [ "$_challenge" != null ] || fail "register $_name failed: $_reg"
	_sig=$(printf '%s' "$_challenge" | "$OPENSSL" dgst -sha256 -sign "$WORK/$_name.pem" | base64 -w0)
	jq -n --arg a "$_agent" --arg s "$_sig" '{agentId: $a, signedChallenge: $s}' |
		curl -s -H 'Content-Type: application/json' --data-binary @- "$API/agents/verify" |
		jq -r .token > "$WORK/$_name.token"
	[ -s "$WORK/$_name.token" ] && [ "$(cat "$WORK/$_name.token")" != null ] ||
		fail "verify $_name failed"
	jq -n --arg a "$_agent" --arg u "$_name" --rawfile k "$WORK/$_name.pem" \
		'{agentId: $a, username: $u, privateKey: $k}' > "$WORK/$_name.json"
	chmod 600 "$WORK/$_name.json"
	eval "ID_$_name=\$_agent"
}

# as NAME METHOD PATH [curl args]: an authenticated call; prints the body.
as() {
	_who=$1
	_method=$2
	_path=$3
	shift 3
	curl -s -X "$_method" -H "Authorization: Bearer $(cat "$WORK/$_who.token")" \
		-H 'Content-Type: application/json' "$@" "$API$_path"
}

# post NAME CHANNEL_ID TEXT: a message through REST; fails the test when refused.
post() {
	_body=$(jq -n --arg c "$3" '{content: $c}')
	_out=$(as "$1" POST "/channels/$2/messages" --data-binary "$_body")
	printf '%s' "$_out" | jq -e .id >/dev/null 2>&1 || fail "posting as $1 failed: $_out"
}

# make_server OWNER NAME CHANNEL...: a public server with channels; sets SERVER and CH_<name>
# for every channel (general is created with the server).
make_server() {
	_owner=$1
	_sname=$2
	shift 2
	SERVER=$(as "$_owner" POST /servers --data-binary \
		"$(jq -n --arg n "$_sname" '{name: $n, isPublic: true}')" | jq -r '.server.id // .id')
	[ -n "$SERVER" ] && [ "$SERVER" != null ] || fail "creating server $_sname failed"
	for _ch in "$@"; do
		as "$_owner" POST "/servers/$SERVER/channels" --data-binary \
			"$(jq -n --arg n "$_ch" '{name: $n}')" >/dev/null
	done
	_chans=$(as "$_owner" GET "/servers/$SERVER/channels")
	for _ch in general "$@"; do
		_id=$(printf '%s' "$_chans" | jq -r --arg n "$_ch" \
			'[.. | objects | select(.name? == $n and .id?)][0].id')
		[ -n "$_id" ] && [ "$_id" != null ] || fail "no channel $_ch in $_sname: $_chans"
		eval "CH_$(printf '%s' "$_ch" | tr -c 'a-zA-Z0-9\n' '_')=\$_id"
	done
}

join_server() {
	as "$1" POST "/servers/$2/join" --data-binary '{}' >/dev/null
}

# The messages of a channel as the server has them (content per line).
history_of() {
	as "$1" GET "/channels/$2/messages?limit=100" | jq -r '(.messages? // .)[] | .content'
}

# post_plain NAME CHANNEL_ID TEXT: like post, faster (no jq), for text without '"' or '\'.
post_plain() {
	_out=$(curl -s -X POST -H "Authorization: Bearer $(cat "$WORK/$1.token")" \
		-H 'Content-Type: application/json' --data-binary "{\"content\":\"$3\"}" \
		"$API/channels/$2/messages")
	case $_out in
	*'"id"'*) ;;
	*) fail "posting as $1 failed: $_out" ;;
	esac
}
