# tui module: ncurses views. editline.c, layout.c and theme_parse.c are curses-free (unit-tested).
src_libmolttui_a_SOURCES += \
	src/tui/editline.c src/tui/editline.h \
	src/tui/layout.c src/tui/layout.h \
	src/tui/theme_parse.c src/tui/theme.h \
	src/tui/theme.c \
	src/tui/tui.c src/tui/tui_priv.h \
	src/tui/keys.c \
	src/tui/draw.c \
	src/tui/pane_servers.c \
	src/tui/pane_channels.c \
	src/tui/pane_title.c \
	src/tui/pane_log.c \
	src/tui/pane_typing.c \
	src/tui/pane_members.c \
	src/tui/statusbar.c \
	src/tui/input.c
noinst_HEADERS += include/moltty/tui.h
