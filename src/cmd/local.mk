# cmd module: the command table, completion and settings (no curses, no network; acts
# through struct cmd_host)
src_libmolttui_a_SOURCES += src/cmd/table.c src/cmd/platform.c src/cmd/cmd_priv.h src/cmd/execute.c src/cmd/complete.c \
	src/cmd/config.c
noinst_HEADERS += include/moltty/cmd.h include/moltty/config.h
