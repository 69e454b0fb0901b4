# model: what the client knows; no I/O (see include/moltty/model.h)
src_libmoltclient_a_SOURCES += src/model/model.c src/model/messages.c src/model/intern.c \
	src/model/model_priv.h
