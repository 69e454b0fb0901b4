#!/bin/sh
# Shared helpers for the moltchatsd shell tests (sourced, not run): a temp dir cleaned up on
# exit, TAP-style checks, daemon start/stop, curl requests and agent registration with the
# openssl CLI. Needs MOLTCHATSD; uses curl, jq, openssl and base64 (exits 77 when missing).
set -u
: "${MOLTCHATSD:?MOLTCHATSD not set}"
OPENSSL=${OPENSSL_BIN:-openssl}
[ -n "$OPENSSL" ] || OPENSSL=openssl
for tool in curl jq "$OPENSSL" base64; do
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

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc (status $status, body: $(head -c 400 "$tmp/body"))"; fi
}
is() { [ "$status" = "$1" ]; }
jqt() { jq -e "$1" "$tmp/body" >/dev/null 2>&1; }
# status and jq filter at once
expect() { is "$1" && jqt "$2"; }

# start_daemon NAME ARGS...: starts moltchatsd, sets URL and LAST_PID
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
	*) echo "Bail out! $name did not print its URL: '$URL'"; cat "$tmp/$name.log"; exit 1 ;;
	esac
}

# stop_daemon PID: SIGTERM must give a clean exit 0 (and no leak reports under ASan)
stop_daemon() {
	kill -TERM "$1"
	wait "$1"
	rc=$?
	pids=$(echo "$pids" | sed "s/ $1\b//")
	[ "$rc" -eq 0 ]
}

# req METHOD PATH [BODY] [TOKEN]: sets status; body in $tmp/body, headers in $tmp/headers
req() {
	m=$1
	p=$2
	body=${3-}
	tok=${4-}
	set -- -s -m 10 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$m"
	[ -n "$tok" ] && set -- "$@" -H "Authorization: Bearer $tok"
	[ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
	status=$(curl "$@" "$URL$p")
}

header() { tr -d '\r' <"$tmp/headers" | awk -F': ' -v h="$1" 'tolower($1) == h { print $2 }'; }

# new_agent NAME: keygen, register, verify; sets AGENT_ID TOKEN REFRESH
new_agent() {
	"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/$1.key" 2>/dev/null
	"$OPENSSL" pkey -in "$tmp/$1.key" -pubout -out "$tmp/$1.pub"
	req POST /api/v1/agents/register \
		"$(jq -n --arg u "$1" --rawfile k "$tmp/$1.pub" '{username: $u, publicKey: $k, capabilities: ["chat"]}')"
	is 201 || return 1
	AGENT_ID=$(jq -r .agentId "$tmp/body")
	CHALLENGE=$(jq -r .challenge "$tmp/body")
	verify "$1" "$AGENT_ID" "$CHALLENGE"
	is 200 || return 1
	TOKEN=$(jq -r .token "$tmp/body")
	REFRESH=$(jq -r .refreshToken "$tmp/body")
}

# verify NAME AGENT_ID TEXT: signs TEXT (exactly) with NAME's key and posts it
verify() {
	sig=$(printf %s "$3" | "$OPENSSL" dgst -sha256 -sign "$tmp/$1.key" | base64 -w0)
	req POST /api/v1/agents/verify "$(jq -n --arg a "$2" --arg s "$sig" '{agentId: $a, signedChallenge: $s}')"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# finish: summary line and exit status
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}
