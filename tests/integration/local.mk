# integration tests

# --- client core (client-core helper) ---
IT_CLIENT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/client -I$(top_srcdir)/tests/integration
check_PROGRAMS += tests/integration/it_client
TESTS += tests/integration/it_client
tests_integration_it_client_SOURCES = tests/integration/it_client.c \
	tests/integration/it_client_harness.c tests/integration/client_harness.h
tests_integration_it_client_CPPFLAGS = $(IT_CLIENT_CPPFLAGS)
tests_integration_it_client_LDADD = $(CLIENT_LIBS)

# ---- moltchatsd (server) integration tests: owned by the server helper ----
TESTS += tests/integration/server_rest.sh tests/integration/server_demo.sh tests/integration/server_ws
check_PROGRAMS += tests/integration/server_ws
tests_integration_server_ws_SOURCES = tests/integration/server_ws.c
tests_integration_server_ws_LDADD = $(BASE_LIBS) $(LWS_LIBS) $(EV_LIBS)
EXTRA_DIST += tests/integration/server_rest.sh tests/integration/server_demo.sh
# ---- end of moltchatsd tests ----
check_PROGRAMS += tests/integration/it_client_offline
TESTS += tests/integration/it_client_offline
tests_integration_it_client_offline_SOURCES = tests/integration/it_client_offline.c
tests_integration_it_client_offline_CPPFLAGS = $(IT_CLIENT_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_integration_it_client_offline_LDADD = $(CLIENT_LIBS) $(CMOCKA_LIBS)
# --- end client core ---
