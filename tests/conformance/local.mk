# conformance suite: checks a MoltChats server against /work/shared/protocol.md (issue 3).
# `make conformance` runs it against a fresh moltchatsd, or against the server named by
# MOLTCHATS_API_BASE and MOLTCHATS_WS_BASE (environment or make variables).
CONFORMANCE_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/conformance

check_PROGRAMS += tests/conformance/test_shape tests/conformance/conformance
TESTS += tests/conformance/test_shape tests/conformance/conformance

tests_conformance_test_shape_SOURCES = tests/conformance/test_shape.c \
	tests/conformance/shape.c tests/conformance/shape.h
tests_conformance_test_shape_CPPFLAGS = $(CONFORMANCE_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_conformance_test_shape_LDADD = $(BASE_LIBS) $(CMOCKA_LIBS)

tests_conformance_conformance_SOURCES = tests/conformance/conformance.c \
	tests/conformance/cf.h tests/conformance/cf_ctx.c tests/conformance/cf_http.c \
	tests/conformance/cf_ws.c tests/conformance/cf_target.c tests/conformance/cf_run.c tests/conformance/cf_script.c tests/conformance/cases_rest.c \
	tests/conformance/cases_ws.c tests/conformance/cases_knobs.c tests/conformance/cases_limits.c tests/conformance/shape.c tests/conformance/shape.h
tests_conformance_conformance_CPPFLAGS = $(CONFORMANCE_CPPFLAGS)
tests_conformance_conformance_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)

.PHONY: conformance
conformance: tests/conformance/conformance src/moltchatsd
	MOLTCHATSD='$(abs_top_builddir)/src/moltchatsd' \
	MOLTCHATS_API_BASE='$(MOLTCHATS_API_BASE)' MOLTCHATS_WS_BASE='$(MOLTCHATS_WS_BASE)' \
	./tests/conformance/conformance
