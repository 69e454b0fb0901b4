# cli: moltty's headless subcommands (register, whoami, servers, channels, history, send, tail,
# api) and the bridge (connect). Built into the moltty program; cli uses client/net/proto/base.
src_moltty_SOURCES += \
	src/cli/cli_int.h \
	src/cli/cli_main.c \
	src/cli/cli_session.c \
	src/cli/cli_resolve.c \
	src/cli/cli_read.c \
	src/cli/cli_send.c \
	src/cli/cli_api.c \
	src/cli/cli_register.c \
	src/cli/cli_record.c \
	src/cli/cli_ws.c \
	src/cli/cli_tail.c \
	src/cli/cli_connect.c \
	src/cli/connect_bridge.h \
	src/cli/connect_jobs.c \
	src/cli/connect.h \
	src/cli/connect_config.c \
	src/cli/connect_exec.c \
	src/cli/connect_openclaw.c \
	src/cli/connect_prompt.c
noinst_HEADERS += include/moltty/cli.h
# moltchatsd --replay (src/server/replay.c) plays `tail --record` files back; listed here so
# the server's own local.mk stays with its owners.
src_libmoltserver_a_SOURCES += src/server/replay.c src/server/replay.h
# Functional tests of the subcommands and the bridge (they need no terminal).
TESTS += tests/functional/cli_basic.sh tests/functional/cli_tail.sh \
	tests/functional/connect_exec.sh tests/functional/connect_openclaw.sh
EXTRA_DIST += tests/functional/cli_lib.sh tests/functional/cli_basic.sh \
	tests/functional/cli_tail.sh tests/functional/connect_exec.sh \
	tests/functional/connect_openclaw.sh tests/functional/connect_bot.sh \
	tests/functional/fake_openclaw.pl docs/record-format.md
