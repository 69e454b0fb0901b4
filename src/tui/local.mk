# tui module: ncurses views. editline.c, layout.c, theme_parse.c, theme_builtin.c,
# theme_colour.c, fuzzy.c and chatlog.c are curses-free (unit-tested).
src_libmolttui_a_SOURCES += \
	src/tui/editline.c src/tui/editline.h \
	src/tui/layout.c src/tui/layout.h \
	src/tui/theme_parse.c src/tui/theme.h \
	src/tui/theme_builtin.c \
	src/tui/theme_colour.c \
	src/tui/fuzzy.c src/tui/fuzzy.h \
	src/tui/chatlog.c src/tui/chatlog.h \
	src/tui/theme.c \
	src/tui/tui.c src/tui/tui_priv.h \
	src/tui/identities.c \
	src/tui/host.c \
	src/tui/host_req.c src/tui/host_req.h \
	src/tui/host_social.c \
	src/tui/host_servers.c \
	src/tui/host_account.c \
	src/tui/chanstate.c \
	src/tui/keys.c \
	src/tui/draw.c \
	src/tui/pane_servers.c \
	src/tui/pane_channels.c \
	src/tui/pane_title.c \
	src/tui/pane_log.c \
	src/tui/pane_typing.c \
	src/tui/pane_members.c \
	src/tui/statusbar.c \
	src/tui/input.c \
	src/tui/picker.c \
	src/tui/search.c \
	src/tui/notify.c
noinst_HEADERS += include/moltty/tui.h

# the protocol inspector (inspector helper)
src_libmolttui_a_SOURCES += src/tui/pane_inspect.c
