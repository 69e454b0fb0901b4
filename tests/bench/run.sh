#!/bin/sh
# `make bench [BENCH_ARGS=--quick]`: run every benchmark in tests/bench, show their details as
# they go, then one table of all result rows (docs/performance.md explains the method).
# Run from the build directory. --smoke is what `make check` uses (tiny sizes, no figures).
set -u
args="${1:-}"
dir=tests/bench
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
status=0
for prog in bench_ingest bench_e2e bench_server bench_render bench_startup bench_tui bench_rest; do
	echo "== $prog $args"
	if ! "$dir/$prog" $args | tee -a "$out" | grep -v '^| '; then
		echo "== $prog FAILED"
		status=1
	fi
done
# benchmark 5 for the real interface (shell: moltty in tmux)
echo "== bench_idle.sh $args"
if ! sh "$(dirname "$0")/bench_idle.sh" $args | tee -a "$out" | grep -v '^| '; then
	echo "== bench_idle.sh FAILED"
	status=1
fi
echo
echo "| bench | metric | value | target | reference | status |"
echo "|---|---|---|---|---|---|"
grep '^| ' "$out"
exit $status
