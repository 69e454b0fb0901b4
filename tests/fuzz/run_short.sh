#!/bin/sh
# `make check` test: build the libFuzzer targets with clang and run each one briefly from its
# seed corpus (FUZZ_SHORT_SECONDS, default 5 s each), failing on any crash, leak or broken
# invariant. Skipped (77) without clang/libclang-rt, and in the --enable-sanitizers build:
# the fuzzers already run under ASan+UBSan, the normal build covers them.
set -eu

src=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TOP_BUILDDIR:-.}
if grep -q '^SAN_CFLAGS = -fsanitize' "$build/Makefile" 2>/dev/null; then
	echo "fuzz: sanitizer build: the normal build runs the fuzzers"
	exit 77
fi
seconds=${FUZZ_SHORT_SECONDS:-5}
exec sh "$src/tests/fuzz/run.sh" -s "$seconds" -o "$build/build-fuzz"
