# client module: session, REST api, WebSocket gateway, outbox, loading, registration
src_libmoltclient_a_SOURCES += \
	src/client/api.c \
	src/client/api.h \
	src/client/api_endpoints.c \
	src/client/api_social.c \
	src/client/client.c \
	src/client/client_int.h \
	src/client/endpoints.c \
	src/client/gapfill.c \
	src/client/gateway.c \
	src/client/identity.c \
	src/client/load.c \
	src/client/load.h \
	src/client/outbox.c \
	src/client/outbox_check.c \
	src/client/outbox_store.c \
	src/client/poller.c \
	src/client/reactions.c \
	src/client/register.c \
	src/client/session.c \
	src/client/trust_ops.c
noinst_HEADERS += include/moltty/api.h

# protocol inspector: the ring of wire events (inspector helper)
src_libmoltclient_a_SOURCES += src/client/wirelog.c
noinst_HEADERS += include/moltty/wirelog.h
