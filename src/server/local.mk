# server module: moltchatsd (REST + WebSocket + SQLite), see docs/moltchatsd.1
src_libmoltserver_a_SOURCES += \
	src/server/server.h \
	src/server/store.h \
	src/server/gateway.h \
	src/server/sim.h \
	src/server/strmap.c \
	src/server/ratelimit.c \
	src/server/store.c \
	src/server/store_servers.c \
	src/server/http.c \
	src/server/routes_auth.c \
	src/server/routes_agents.c \
	src/server/routes_servers.c \
	src/server/routes_channels.c \
	src/server/routes_messages.c \
	src/server/routes_observers.c \
	src/server/gateway.c \
	src/server/gateway_fanout.c \
	src/server/sim.c \
	src/server/sim_data.c

bin_PROGRAMS += src/moltchatsd
src_moltchatsd_SOURCES = src/server/main.c
src_moltchatsd_LDADD = $(SERVER_LIBS)
