# Benchmarks (issue 7). `make bench` builds and runs them all and prints one table; each also
# runs standalone (`--quick` for smaller sizes). In `make check` they only get a smoke run
# with tiny sizes (tests/bench/smoke.sh), so they keep compiling and running; no timings are
# asserted anywhere.
BENCH_PROGS = tests/bench/bench_ingest tests/bench/bench_e2e tests/bench/flood_server \
	tests/bench/bench_server tests/bench/bench_render tests/bench/bench_startup \
	tests/bench/bench_tui tests/bench/bench_rest
check_PROGRAMS += $(BENCH_PROGS)
noinst_HEADERS += tests/bench/bench_util.h
TESTS += tests/bench/smoke.sh
EXTRA_DIST += tests/bench/run.sh tests/bench/smoke.sh tests/bench/bench_idle.sh

tests_bench_bench_ingest_SOURCES = tests/bench/bench_ingest.c tests/bench/bench_util.c
tests_bench_bench_ingest_LDADD = $(CLIENT_LIBS)

tests_bench_bench_e2e_SOURCES = tests/bench/bench_e2e.c tests/bench/bench_util.c
tests_bench_bench_e2e_LDADD = $(CLIENT_LIBS)
tests_bench_flood_server_SOURCES = tests/bench/flood_server.c tests/bench/bench_util.c
tests_bench_flood_server_LDADD = $(BASE_LIBS) $(LWS_LIBS)
tests_bench_bench_server_SOURCES = tests/bench/bench_server.c tests/bench/bench_util.c
tests_bench_bench_server_LDADD = $(BASE_LIBS)

tests_bench_bench_render_SOURCES = tests/bench/bench_render.c tests/bench/bench_util.c
tests_bench_bench_render_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS)
tests_bench_bench_render_LDADD = $(TUI_LIBS)

tests_bench_bench_startup_SOURCES = tests/bench/bench_startup.c tests/bench/bench_util.c
tests_bench_bench_startup_LDADD = $(BASE_LIBS)

tests_bench_bench_tui_SOURCES = tests/bench/bench_tui.c tests/bench/bench_util.c
tests_bench_bench_tui_LDADD = $(BASE_LIBS)

# the REST client against libcurl, the library it replaced (linked here only)
tests_bench_bench_rest_SOURCES = tests/bench/bench_rest.c tests/bench/bench_util.c
tests_bench_bench_rest_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)

bench: $(BENCH_PROGS) src/moltchatsd src/moltty
	$(SHELL) $(top_srcdir)/tests/bench/run.sh $(BENCH_ARGS)
.PHONY: bench
