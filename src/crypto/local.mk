# crypto module: base64, SHA-256/HMAC, SHA-1 (handshake only), RSA signatures, HS256 JWT, randomness (OpenSSL 3)
src_libmoltbase_a_SOURCES += \
	src/crypto/b64.c \
	src/crypto/hash.c \
	src/crypto/sha1.c \
	src/crypto/random.c \
	src/crypto/rsa.c \
	src/crypto/jwt.c
noinst_HEADERS += include/moltty/crypto.h
