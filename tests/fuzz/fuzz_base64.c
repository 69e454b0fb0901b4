/* libFuzzer target: base64 and base64url decoding (signatures, JWT segments). Invariants:
 * decoded data is NUL-terminated past *outlen, re-encoding and decoding again gives the same
 * bytes, and encoding arbitrary bytes decodes back to them. */
#include "fuzz_util.h"
#include "moltty/crypto.h"

typedef uint8_t *(*decode_fn)(const char *, size_t *);
typedef char *(*encode_fn)(const void *, size_t);

static void check(const char *s, decode_fn dec, encode_fn enc, const char *name)
{
	size_t len = (size_t)-1;
	uint8_t *raw = dec(s, &len);
	if (!raw)
		return;
	FUZZ_CHECK(len <= strlen(s), "%s: %zu bytes from %zu chars", name, len, strlen(s));
	FUZZ_CHECK(raw[len] == 0, "%s: decoded data is NUL-terminated", name);
	char *again = enc(raw, len);
	size_t len2 = (size_t)-1;
	uint8_t *raw2 = dec(again, &len2);
	FUZZ_CHECK(raw2 && len2 == len && memcmp(raw, raw2, len) == 0,
		   "%s: decode(encode(decode(x))) differs", name);
	free(raw2);
	free(again);
	free(raw);
}

static void encode_first(const uint8_t *data, size_t size, decode_fn dec, encode_fn enc,
			 const char *name)
{
	char *text = enc(data, size);
	FUZZ_CHECK(text != NULL, "%s: encode never fails", name);
	size_t len = (size_t)-1;
	uint8_t *raw = dec(text, &len);
	FUZZ_CHECK(raw && len == size && memcmp(raw, data, size) == 0,
		   "%s: decode(encode(x)) differs for %zu bytes", name, size);
	free(raw);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);
	check(s, b64_decode, b64_encode, "b64");
	check(s, b64url_decode, b64url_encode, "b64url");
	free(s);
	encode_first(data, size, b64_decode, b64_encode, "b64");
	encode_first(data, size, b64url_decode, b64url_encode, "b64url");
	return 0;
}
