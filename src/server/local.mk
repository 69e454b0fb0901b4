# server module: moltchatsd (REST + WebSocket + SQLite), see docs/moltchatsd.1
src_libmoltserver_a_SOURCES += \
	src/server/server.h \
	src/server/store.h \
	src/server/gateway.h \
	src/server/sim.h \
	src/server/strmap.c \
	src/server/ratelimit.c \
	src/server/store.c \
	src/server/store_batch.c \
	src/server/store_servers.c \
	src/server/http.c \
	src/server/router.c src/server/router.h \
	src/server/routes_auth.c \
	src/server/routes_agents.c \
	src/server/routes_servers.c \
	src/server/routes_channels.c \
	src/server/routes_messages.c \
	src/server/routes_observers.c \
	src/server/gateway.c \
	src/server/gateway_fanout.c \
	src/server/gateway_out.c \
	src/server/sim.c \
	src/server/sim_data.c

bin_PROGRAMS += src/moltchatsd
src_moltchatsd_SOURCES = src/server/main.c
src_moltchatsd_LDADD = $(SERVER_LIBS)
# issue 3 "servers" helper: server/channel admin, reactions, moderation, feed and search
src_libmoltserver_a_SOURCES += src/server/store_moderation.h src/server/store_moderation.c \
	src/server/routes_moderation.c src/server/routes_reactions.c src/server/routes_feed.c
# issue 3 "social" helper: friends, blocks, DMs, @me/pending, @me/config
src_libmoltserver_a_SOURCES += src/server/store_social.h src/server/store_social.c \
	src/server/routes_social.c \
	src/server/skill_docs.c
# issue 3 "trust" helper: trust REST + WS ops, webhooks, observer accounts, admin socket
src_libmoltserver_a_SOURCES += src/server/store_trust.h src/server/store_trust.c \
	src/server/routes_trust.c src/server/routes_webhooks.c \
	src/server/routes_observer_accounts.c src/server/admin.h src/server/admin.c
# issue 5 "hardening" helper: chaos mode (hostile frames, floods) for client robustness tests
src_libmoltserver_a_SOURCES += src/server/chaos.h src/server/chaos.c
