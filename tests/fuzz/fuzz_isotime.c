/* libFuzzer target: ISO-8601 parsing (timestamps in every message, frame and `before` query).
 * Invariants: what parses formats back to text that parses to the same instant, and any
 * millisecond count in years 0000-9999 survives format -> parse. */
#include "fuzz_util.h"
#include "moltty/isotime.h"

#define MS_YEAR_0 (-62167219200000LL)      /* 0000-01-01T00:00:00.000Z */
#define MS_YEAR_10000 (253402300800000LL) /* 10000-01-01T00:00:00.000Z */

static void round_trip(int64_t ms)
{
	char text[ISO_TIME_LEN];
	iso_format_ms(ms, text);
	FUZZ_CHECK(strlen(text) == ISO_TIME_LEN - 1, "formatted length %zu", strlen(text));
	if (ms < MS_YEAR_0 || ms >= MS_YEAR_10000)
		return;
	int64_t back = 0;
	FUZZ_CHECK(iso_parse_ms(text, &back) == 0, "our own format parses: %s", text);
	FUZZ_CHECK(back == ms, "%s: %lld -> %lld", text, (long long)ms, (long long)back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);
	int64_t ms = 0;
	if (iso_parse_ms(s, &ms) == 0)
		round_trip(ms);
	free(s);

	if (size >= 8) {
		struct fuzz_in in = { data, size };
		round_trip(fz_i64(&in));
	}
	return 0;
}
