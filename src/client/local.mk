# client module: session, REST api, WebSocket gateway, outbox, loading, registration
src_libmoltclient_a_SOURCES += \
	src/client/api.c \
	src/client/api.h \
	src/client/client.c \
	src/client/client_int.h \
	src/client/endpoints.c \
	src/client/gateway.c \
	src/client/identity.c \
	src/client/load.c \
	src/client/load.h \
	src/client/outbox.c \
	src/client/register.c \
	src/client/session.c
