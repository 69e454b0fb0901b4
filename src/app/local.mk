# app: main, options, mode dispatch, demo launcher
bin_PROGRAMS += src/moltty
src_moltty_SOURCES = src/app/main.c src/app/options.c src/app/demo.c src/app/app.h
src_moltty_LDADD = $(TUI_LIBS)
