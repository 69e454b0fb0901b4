#!/bin/sh
# make check: every benchmark runs once with tiny sizes (--smoke) so they keep compiling and
# working; no figure is checked (timings are never asserted in the test suite).
set -eu
cd "$TOP_BUILDDIR"
for prog in bench_ingest bench_e2e bench_server bench_render bench_startup bench_tui bench_rest; do
	out=$("tests/bench/$prog" --smoke) || { echo "$prog failed"; exit 1; }
	echo "$out"
	# each program must print its result rows
	echo "$out" | grep -q '^| ' || { echo "$prog printed no results"; exit 1; }
done
out=$(sh "$TOP_SRCDIR/tests/bench/bench_idle.sh" --smoke) || { echo "bench_idle.sh failed"; exit 1; }
echo "$out"
echo "$out" | grep -q '^| ' || { echo "bench_idle.sh printed no results"; exit 1; }
