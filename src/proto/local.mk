# proto module: wire types, JSON decoders, WS frames (shared with the server; no I/O)
src_libmoltbase_a_SOURCES += \
	src/proto/jsonutil.c \
	src/proto/jsonutil.h \
	src/proto/decode.c \
	src/proto/decode_social.c \
	src/proto/frame.c \
	src/proto/frame_fast.c \
	src/proto/frame_fast.h
noinst_HEADERS += include/moltty/proto.h
