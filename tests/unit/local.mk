# unit tests

# --- model (lead) ---
check_PROGRAMS += tests/unit/test_model
TESTS += tests/unit/test_model
tests_unit_test_model_SOURCES = tests/unit/test_model.c
tests_unit_test_model_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_model_LDADD = src/libmoltclient.a $(BASE_LIBS) $(CMOCKA_LIBS)

# --- base + crypto ---
UNIT_BASE_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -DFIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'
UNIT_BASE_LDADD = $(BASE_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_base tests/unit/test_base_fs tests/unit/test_utf8 \
	tests/unit/test_crypto tests/unit/test_jwt
TESTS += tests/unit/test_base tests/unit/test_base_fs tests/unit/test_utf8 \
	tests/unit/test_crypto tests/unit/test_jwt
tests_unit_test_base_SOURCES = tests/unit/test_base.c
tests_unit_test_base_CPPFLAGS = $(UNIT_BASE_CPPFLAGS)
tests_unit_test_base_LDADD = $(UNIT_BASE_LDADD)
tests_unit_test_base_fs_SOURCES = tests/unit/test_base_fs.c
tests_unit_test_base_fs_CPPFLAGS = $(UNIT_BASE_CPPFLAGS)
tests_unit_test_base_fs_LDADD = $(UNIT_BASE_LDADD)
tests_unit_test_utf8_SOURCES = tests/unit/test_utf8.c
tests_unit_test_utf8_CPPFLAGS = $(UNIT_BASE_CPPFLAGS)
tests_unit_test_utf8_LDADD = $(UNIT_BASE_LDADD)
tests_unit_test_crypto_SOURCES = tests/unit/test_crypto.c
tests_unit_test_crypto_CPPFLAGS = $(UNIT_BASE_CPPFLAGS)
tests_unit_test_crypto_LDADD = $(UNIT_BASE_LDADD)
tests_unit_test_jwt_SOURCES = tests/unit/test_jwt.c
tests_unit_test_jwt_CPPFLAGS = $(UNIT_BASE_CPPFLAGS)
tests_unit_test_jwt_LDADD = $(UNIT_BASE_LDADD)
EXTRA_DIST += tests/fixtures/signature-vector.json

# --- tui + cmd (curses-free parts: command table, line editor, layout, theme files) ---
UNIT_TUI_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/tui \
	-DTHEMES_DIR='"$(abs_top_srcdir)/themes"'
UNIT_TUI_LDADD = src/libmolttui.a $(BASE_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_cmd tests/unit/test_tui_editline tests/unit/test_tui_layout \
	tests/unit/test_tui_theme tests/unit/test_cmd_config tests/unit/test_tui_chatlog
TESTS += tests/unit/test_cmd tests/unit/test_tui_editline tests/unit/test_tui_layout \
	tests/unit/test_tui_theme tests/unit/test_cmd_config tests/unit/test_tui_chatlog \
	tests/unit/man_sections.sh
EXTRA_DIST += tests/unit/man_sections.sh
tests_unit_test_cmd_config_SOURCES = tests/unit/test_cmd_config.c
tests_unit_test_cmd_config_CPPFLAGS = $(UNIT_TUI_CPPFLAGS) -DMAN_PAGE='"$(abs_top_srcdir)/docs/moltty.1"'
tests_unit_test_cmd_config_LDADD = $(UNIT_TUI_LDADD)
tests_unit_test_tui_chatlog_SOURCES = tests/unit/test_tui_chatlog.c
tests_unit_test_tui_chatlog_CPPFLAGS = $(UNIT_TUI_CPPFLAGS)
tests_unit_test_tui_chatlog_LDADD = $(UNIT_TUI_LDADD)
tests_unit_test_cmd_SOURCES = tests/unit/test_cmd.c
tests_unit_test_cmd_CPPFLAGS = $(UNIT_TUI_CPPFLAGS)
tests_unit_test_cmd_LDADD = $(UNIT_TUI_LDADD)
tests_unit_test_tui_editline_SOURCES = tests/unit/test_tui_editline.c
tests_unit_test_tui_editline_CPPFLAGS = $(UNIT_TUI_CPPFLAGS)
tests_unit_test_tui_editline_LDADD = $(UNIT_TUI_LDADD)
tests_unit_test_tui_layout_SOURCES = tests/unit/test_tui_layout.c
tests_unit_test_tui_layout_CPPFLAGS = $(UNIT_TUI_CPPFLAGS)
tests_unit_test_tui_layout_LDADD = $(UNIT_TUI_LDADD)
tests_unit_test_tui_theme_SOURCES = tests/unit/test_tui_theme.c
tests_unit_test_tui_theme_CPPFLAGS = $(UNIT_TUI_CPPFLAGS)
tests_unit_test_tui_theme_LDADD = $(UNIT_TUI_LDADD)

# --- proto (client-core helper) ---
check_PROGRAMS += tests/unit/test_proto
TESTS += tests/unit/test_proto
tests_unit_test_proto_SOURCES = tests/unit/test_proto.c
tests_unit_test_proto_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -DFIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'
tests_unit_test_proto_LDADD = $(BASE_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_proto_social
TESTS += tests/unit/test_proto_social
tests_unit_test_proto_social_SOURCES = tests/unit/test_proto_social.c
tests_unit_test_proto_social_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_proto_social_LDADD = $(BASE_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/fixtures/ws-frames.jsonl tests/fixtures/ws-extra-frames.jsonl \
	tests/fixtures/rest-transcript.txt

# --- proto fast path for message frames (issue 7, helper "bench") ---
check_PROGRAMS += tests/unit/test_proto_fast
TESTS += tests/unit/test_proto_fast
tests_unit_test_proto_fast_SOURCES = tests/unit/test_proto_fast.c
tests_unit_test_proto_fast_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -DFIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'
tests_unit_test_proto_fast_LDADD = $(BASE_LIBS) $(CMOCKA_LIBS)

# --- client: the protocol inspector's wire ring (inspector helper) ---
check_PROGRAMS += tests/unit/test_wirelog
TESTS += tests/unit/test_wirelog
tests_unit_test_wirelog_SOURCES = tests/unit/test_wirelog.c
tests_unit_test_wirelog_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_wirelog_LDADD = $(CLIENT_LIBS) $(CMOCKA_LIBS)

# --- net: WebSocket frame codec and opening handshake ---
check_PROGRAMS += tests/unit/test_ws_frame
TESTS += tests/unit/test_ws_frame
tests_unit_test_ws_frame_SOURCES = tests/unit/test_ws_frame.c
tests_unit_test_ws_frame_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/net
tests_unit_test_ws_frame_LDADD = $(CLIENT_LIBS) $(CMOCKA_LIBS)

# --- server: the group commit of REST sends (store_batch.c) ---
check_PROGRAMS += tests/unit/test_store_batch
TESTS += tests/unit/test_store_batch
tests_unit_test_store_batch_SOURCES = tests/unit/test_store_batch.c
tests_unit_test_store_batch_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/server
tests_unit_test_store_batch_LDADD = $(SERVER_LIBS) $(CMOCKA_LIBS)
# the HTTP/1.x response parser of the REST client (src/net/http_parse.c)
check_PROGRAMS += tests/unit/test_http_parse
TESTS += tests/unit/test_http_parse
tests_unit_test_http_parse_SOURCES = tests/unit/test_http_parse.c
tests_unit_test_http_parse_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/net
tests_unit_test_http_parse_LDADD = $(CLIENT_LIBS) $(CMOCKA_LIBS)
