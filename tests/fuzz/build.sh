#!/bin/sh
# Build the libFuzzer targets with clang into OUT/bin (default: ./build-fuzz).
#   tests/fuzz/build.sh [OUT]
# Exits 77 when clang or its libFuzzer runtime (libclang-rt-14-dev) is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-build-fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 77
fi
# A one-line target tells whether -fsanitize=fuzzer links (it needs libclang-rt).
probe="$out/probe"
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n > 99; }' \
	>"$probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
	echo "fuzz: clang cannot link libFuzzer targets (apt-get install libclang-rt-14-dev):" >&2
	cat "$probe.log" >&2
	exit 77
fi
rm -f "$probe" "$probe.c" "$probe.log"

jobs=$(nproc 2>/dev/null || echo 2)
# our own -j, not the jobserver of a `make check` that may be running us
unset MAKEFLAGS MFLAGS MAKELEVEL
exec make -s -f "$here/Makefile.fuzz" SRC="$top" OUT="$out" -j"$jobs"
