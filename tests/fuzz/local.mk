# libFuzzer targets (clang; built outside automake by tests/fuzz/build.sh, see `make fuzz`)
TESTS += tests/fuzz/run_short.sh
EXTRA_DIST += tests/fuzz/run_short.sh tests/fuzz/run.sh tests/fuzz/build.sh \
	tests/fuzz/Makefile.fuzz tests/fuzz/gen-corpus.py tests/fuzz/fuzz_util.h \
	tests/fuzz/fuzz_proto.c tests/fuzz/fuzz_frame_fast.c tests/fuzz/fuzz_utf8.c tests/fuzz/fuzz_isotime.c \
	tests/fuzz/fuzz_base64.c tests/fuzz/fuzz_jwt.c tests/fuzz/fuzz_ws_reassembly.c \
	tests/fuzz/fuzz_model.c tests/fuzz/fuzz_editline.c tests/fuzz/fuzz_router.c \
	tests/fuzz/corpus
# the fuzzers' objects, corpora and crash inputs
clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf build-fuzz
.PHONY: clean-local-fuzz
# the WebSocket frame decoder (src/net/ws_frame.c)
EXTRA_DIST += tests/fuzz/fuzz_ws_frame.c
# the REST client's HTTP/1.x response parser (src/net/http_parse.c)
EXTRA_DIST += tests/fuzz/fuzz_http_parse.c
