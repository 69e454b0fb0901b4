# net module: HTTP/1.1 and WebSocket clients on libev (lws for WebSocket sockets), backoff
src_libmoltclient_a_SOURCES += \
	src/net/http.c \
	src/net/http_parse.c src/net/http_parse.h \
	src/net/ws.c \
	src/net/ws_frame.c src/net/ws_frame.h \
	src/net/ws_upgrade.c \
	src/net/ws_tls.c src/net/ws_tls.h \
	src/net/reassembly.c src/net/reassembly.h \
	src/net/backoff.c
noinst_HEADERS += include/moltty/net.h
