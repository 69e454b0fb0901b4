#!/bin/sh
# Build the libFuzzer targets and run each for N seconds from its seed corpus.
#   tests/fuzz/run.sh [-s SECONDS] [-o OUT] [TARGET...]
# Seeds come from tests/fuzz/corpus/<target>/ (read only); new inputs go to
# OUT/corpus/<target>/ and crashing inputs to OUT/crashes/<target>/. Prints per target the
# executions, exec/s, corpus size and any crash. Exit 1 when a target crashed, 77 when the
# fuzzers cannot be built here (no clang / libclang-rt).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
seconds=60
out=build-fuzz
while getopts s:o: opt; do
	case $opt in
	s) seconds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

rc=0
sh "$here/build.sh" "$out" || rc=$?
[ $rc -eq 0 ] || exit $rc
out=$(cd "$out" && pwd)

targets=${*:-$(cd "$here/corpus" && ls)}
failed=""
printf '%-20s %10s %8s %8s  %s\n' target execs exec/s corpus result
for t in $targets; do
	bin="$out/bin/$t"
	[ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
	mkdir -p "$out/corpus/$t" "$out/crashes/$t"
	log="$out/$t.log"
	: >"$out/crashes/$t.start" # crash files newer than this are from this run
	# leaks are bugs too; a slow input (> 10 s) or > 2 GB is reported as a crash
	set +e
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$t/" \
		"$out/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
	status=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	if [ $status -eq 0 ]; then
		result=ok
	else
		result="CRASH (exit $status)"
		failed="$failed $t"
	fi
	printf '%-20s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "${corp:-?}" "$result"
	if [ $status -ne 0 ]; then
		grep -E 'ERROR: |runtime error|fuzz invariant|SUMMARY|Test unit written|^artifact_prefix' \
			"$log" | head -n 20 | sed 's/^/    /'
		find "$out/crashes/$t" -type f -newer "$out/crashes/$t.start" |
			sed 's/^/    input saved: /'
		echo "    full log: $log"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed"
	exit 1
fi
echo "fuzz: no crashes"
