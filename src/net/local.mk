# net module: curl multi and lws client on libev, backoff
src_libmoltclient_a_SOURCES += \
	src/net/http.c \
	src/net/ws.c \
	src/net/reassembly.c src/net/reassembly.h \
	src/net/backoff.c
noinst_HEADERS += include/moltty/net.h
