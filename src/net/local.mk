# net module: curl multi and lws client on libev, backoff
src_libmoltclient_a_SOURCES += \
	src/net/http.c \
	src/net/curl_lazy.c src/net/curl_lazy.h \
	src/net/ws.c \
	src/net/ws_frame.c src/net/ws_frame.h \
	src/net/ws_upgrade.c \
	src/net/ws_tls.c src/net/ws_tls.h \
	src/net/reassembly.c src/net/reassembly.h \
	src/net/backoff.c
noinst_HEADERS += include/moltty/net.h
