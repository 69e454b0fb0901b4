#!/bin/sh
# Benchmark 5, idle, for the real interface: `moltty --observer` in tmux (200x60) follows a
# public server of 20 quiet channels on a local moltchatsd; once it has settled, its process
# is sampled over S seconds (60; --quick 20; --smoke 3): loop wakeups (voluntary context
# switches: each one is a return from the poll), CPU, RSS and PSS.
#   tests/bench/bench_idle.sh [--quick|--smoke]     (from the build directory, or with
#                                                    MOLTTY and MOLTCHATSD set)
set -u
secs=60
smoke=0
case "${1:-}" in
--quick) secs=20 ;;
--smoke) secs=3; smoke=1 ;;
esac
MOLTTY=${MOLTTY:-src/moltty}
MOLTCHATSD=${MOLTCHATSD:-src/moltchatsd}
for b in "$MOLTTY" "$MOLTCHATSD"; do
	[ -x "$b" ] || { echo "bench_idle: $b is not built" >&2; exit 1; }
done
for t in tmux jq; do
	command -v $t >/dev/null || { echo "# bench_idle: no $t: skipped"; exit 0; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-idle.XXXXXX")
sock="bench-idle-$$"
server=
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_STATE_HOME="$work/home/.state"
mkdir -p "$HOME"
unset MOLTCHATS_API_BASE MOLTCHATS_WS_BASE

echo "# bench_idle: moltty --observer in tmux, 20 quiet channels, $secs s"
echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
	"$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"

MOLTCHATSD_NO_RATE_LIMITS=1 "$MOLTCHATSD" --listen 127.0.0.1:0 --db "$work/db" --default-tier trusted \
	>"$work/url" 2>"$work/server.log" &
server=$!
i=0
until [ -s "$work/url" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
base=$(head -n 1 "$work/url")
[ -n "$base" ] || { echo "bench_idle: moltchatsd did not start" >&2; exit 1; }
api="$base/api/v1"
"$MOLTTY" register idler --api "$api" -c "$work/idler.json" >/dev/null 2>&1 ||
	{ echo "bench_idle: register failed" >&2; exit 1; }
sid=$("$MOLTTY" api POST /servers '{"name":"Quiet","isPublic":true}' -c "$work/idler.json" \
	--json | jq -r '.body.server.id // empty')
[ -n "$sid" ] || { echo "bench_idle: no server" >&2; exit 1; }
for n in $(seq 2 20); do
	"$MOLTTY" api POST "/servers/$sid/channels" "{\"name\":\"quiet$n\"}" -c "$work/idler.json" \
		>/dev/null || { echo "bench_idle: channel $n" >&2; exit 1; }
done

tmux -L "$sock" new-session -d -s T -x 200 -y 60 \
	"exec '$MOLTTY' --observer --api '$api' --log '$work/moltty.log'"
pid=$(tmux -L "$sock" list-panes -t T -F '#{pane_pid}')
# settled: the last channel is on screen, plus 2 s for the subscriptions and history loads
i=0
until tmux -L "$sock" capture-pane -t T -p | grep -q 'quiet20' || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 2

# /proc/PID/stat fields 14 and 15: user and system ticks
ticks() { sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
ctx() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status"; }
[ -r "/proc/$pid/stat" ] || { echo "bench_idle: moltty is not running" >&2; exit 1; }
t0=$(ticks)
c0=$(ctx)
sleep "$secs"
t1=$(ticks)
c1=$(ctx)
hz=$(getconf CLK_TCK)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
wak=$(echo "$c0 $c1 $secs" | awk '{ printf "%.2f", ($2 - $1) / $3 }')
cpu=$(echo "$t0 $t1 $hz $secs" | awk '{ printf "%.3f", ($2 - $1) / $3 / $4 * 100 }')
status() { [ $smoke = 1 ] && { echo n/a; return; }; echo "$1" | awk '{ print ($1 <= $2) ? "MET" : "MISSED" }'; }
echo "# moltty pid $pid: $((c1 - c0)) wakeups in $secs s, CPU $cpu%, RSS $rss kB (private anonymous $anon kB), PSS ${pss:-?} kB"
echo "| idle | TUI (--observer, 20 channels): wakeups/s | $wak | <= 2 | - | $(status "$wak 2") |"
echo "| idle | TUI: CPU | $cpu% | - | - | - |"
echo "| idle | TUI: RSS | $(echo "$rss" | awk '{ printf "%.1f MB", $1 / 1024 }') | <= 10 MB | 374 MB PSS (headless browser) | $(status "$rss 10240") |"
echo "| idle | TUI: PSS (shared library pages split between their users) | $(echo "${pss:-0}" | awk '{ printf "%.1f MB", $1 / 1024 }') | - | 374 MB (headless browser) | - |"
echo "| idle | TUI: private anonymous memory | $(echo "$anon" | awk '{ printf "%.1f MB", $1 / 1024 }') | - | - | - |"
