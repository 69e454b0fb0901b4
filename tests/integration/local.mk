# integration tests

# --- client core (client-core helper) ---
IT_CLIENT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/client -I$(top_srcdir)/tests/integration
check_PROGRAMS += tests/integration/it_client
TESTS += tests/integration/it_client
tests_integration_it_client_SOURCES = tests/integration/it_client.c \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
tests_integration_it_client_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_client_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)

# ---- moltchatsd (server) integration tests: owned by the server helper ----
TESTS += tests/integration/server_rest.sh tests/integration/server_demo.sh tests/integration/server_ws
check_PROGRAMS += tests/integration/server_ws
tests_integration_server_ws_SOURCES = tests/integration/server_ws.c tests/integration/ws_harness.c \
	tests/integration/ws_harness.h
tests_integration_server_ws_LDADD = $(BASE_LIBS) $(LWS_LIBS) $(EV_LIBS)
EXTRA_DIST += tests/integration/server_rest.sh tests/integration/server_demo.sh
# ---- end of moltchatsd tests ----
check_PROGRAMS += tests/integration/it_client_api
TESTS += tests/integration/it_client_api
tests_integration_it_client_api_SOURCES = tests/integration/it_client_api.c \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
tests_integration_it_client_api_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_client_api_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
check_PROGRAMS += tests/integration/it_client_offline
TESTS += tests/integration/it_client_offline
tests_integration_it_client_offline_SOURCES = tests/integration/it_client_offline.c
tests_integration_it_client_offline_CPPFLAGS = $(IT_CLIENT_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_integration_it_client_offline_LDADD = $(CLIENT_LIBS) $(CURL_LIBS) $(CMOCKA_LIBS)
# --- end client core ---
# ---- moltchatsd trust/webhooks/observer accounts/admin socket: issue 3 "trust" helper ----
TESTS += tests/integration/server_trust.sh tests/integration/server_trust_ws
check_PROGRAMS += tests/integration/server_trust_tool tests/integration/server_trust_ws
tests_integration_server_trust_tool_SOURCES = tests/integration/server_trust_tool.c
tests_integration_server_trust_ws_SOURCES = tests/integration/server_trust_ws.c \
	tests/integration/ws_harness.c tests/integration/ws_harness.h
tests_integration_server_trust_ws_LDADD = $(BASE_LIBS) $(LWS_LIBS) $(EV_LIBS)
EXTRA_DIST += tests/integration/server_trust.sh
# ---- end of trust tests ----
# ---- moltchatsd social tests (issue 3 "social" helper) ----
TESTS += tests/integration/server_social.sh
EXTRA_DIST += tests/integration/server_lib.sh tests/integration/server_social.sh
# ---- end of moltchatsd social tests ----
# ---- moltchatsd servers/channels/reactions/moderation/feed tests (issue 3 "servers" helper) ----
TESTS += tests/integration/server_servers.sh tests/integration/server_moderation.sh
EXTRA_DIST += tests/integration/server_servers.sh tests/integration/server_moderation.sh \
	tests/integration/server_wsprobe.pl
# ---- end of servers tests ----
# ---- client reliability tests (issue 5 "reliability" helper) ----
IT_REL_SOURCES = tests/integration/it_reliability_lib.c tests/integration/it_reliability_lib.h \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
check_PROGRAMS += tests/integration/it_reliability_restart
TESTS += tests/integration/it_reliability_restart
tests_integration_it_reliability_restart_SOURCES = tests/integration/it_reliability_restart.c \
	$(IT_REL_SOURCES)
tests_integration_it_reliability_restart_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_reliability_restart_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
check_PROGRAMS += tests/integration/it_reliability_session
TESTS += tests/integration/it_reliability_session
tests_integration_it_reliability_session_SOURCES = tests/integration/it_reliability_session.c \
	$(IT_REL_SOURCES)
tests_integration_it_reliability_session_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_reliability_session_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
check_PROGRAMS += tests/integration/it_reliability_kill tests/integration/it_reliability_agent
TESTS += tests/integration/it_reliability_kill
tests_integration_it_reliability_kill_SOURCES = tests/integration/it_reliability_kill.c \
	$(IT_REL_SOURCES)
tests_integration_it_reliability_kill_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_reliability_kill_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
tests_integration_it_reliability_agent_SOURCES = tests/integration/it_reliability_agent.c
tests_integration_it_reliability_agent_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_reliability_agent_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
# ---- end of reliability tests ----
# ---- hardening tests (issue 5 "hardening" helper): TLS, chaos, observer read-only ----
check_PROGRAMS += tests/integration/it_tls
TESTS += tests/integration/it_tls
tests_integration_it_tls_SOURCES = tests/integration/it_tls.c \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
tests_integration_it_tls_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_tls_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
check_PROGRAMS += tests/integration/it_chaos
TESTS += tests/integration/it_chaos
tests_integration_it_chaos_SOURCES = tests/integration/it_chaos.c \
	tests/integration/it_reliability_lib.c tests/integration/it_reliability_lib.h \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
tests_integration_it_chaos_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_chaos_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
# ---- end of hardening tests ----
# ---- soak test (issue 5 "soak" helper): short form in make check, `make soak` for the long one ----
check_PROGRAMS += tests/integration/soak
TESTS += tests/integration/soak
tests_integration_soak_SOURCES = tests/integration/soak.c $(IT_REL_SOURCES)
tests_integration_soak_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_soak_LDADD = $(CLIENT_LIBS) $(CURL_LIBS)
.PHONY: soak
soak: tests/integration/soak src/moltchatsd
	MOLTCHATSD=$(abs_top_builddir)/src/moltchatsd $(abs_top_builddir)/tests/integration/soak --long
# ---- end of soak test ----
# the REST client (src/net/http.c) against a scripted HTTP server thread on loopback
check_PROGRAMS += tests/integration/it_http
TESTS += tests/integration/it_http
tests_integration_it_http_SOURCES = tests/integration/it_http.c
tests_integration_it_http_LDADD = $(CLIENT_LIBS) -lpthread
# the WebSocket client under floods from tests/bench/flood_server (every frame once, in order)
check_PROGRAMS += tests/integration/it_ws_flood
TESTS += tests/integration/it_ws_flood
tests_integration_it_ws_flood_SOURCES = tests/integration/it_ws_flood.c tests/bench/bench_util.c
tests_integration_it_ws_flood_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/bench
tests_integration_it_ws_flood_LDADD = $(CLIENT_LIBS)
