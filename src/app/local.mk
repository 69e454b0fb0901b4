# app: main, options, config, mode dispatch, headless subcommands, demo launcher
bin_PROGRAMS += src/moltty
src_moltty_SOURCES = src/app/main.c
src_moltty_LDADD = $(TUI_LIBS)
