# cmd module: the command table (no curses, no network; acts through struct cmd_host)
src_libmolttui_a_SOURCES += src/cmd/table.c src/cmd/execute.c
noinst_HEADERS += include/moltty/cmd.h
