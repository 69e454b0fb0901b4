/* UTF-8 decoding and display width. utf8_cp_width is the one width function shared by
 * wrapping, cursor placement and drawing; it uses our own tables, never the locale. */
#include <string.h>

#include "moltty/utf8.h"
#include "utf8_tables.h"

#define REPLACEMENT 0xFFFDu

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0) {
		*cp = 0;
		return 0;
	}
	unsigned char c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = REPLACEMENT; /* continuation byte, C0/C1 overlong lead, or > U+10FFFF lead */
		return 1;
	}
	if (n < len) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = REPLACEMENT;
		return 1;
	}
	*cp = v;
	return len;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = REPLACEMENT;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_utf16_len(const char *s)
{
	size_t n = strlen(s), units = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		units += cp >= 0x10000 ? 2 : 1;
	}
	return units;
}

int utf8_in_table(uint32_t cp, const struct utf8_range *t, size_t n)
{
	if (n == 0 || cp < t[0].first || cp > t[n - 1].last)
		return 0;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp > t[mid].last)
			lo = mid + 1;
		else if (cp < t[mid].first)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

int utf8_cp_width(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7F)
		return 1;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0; /* controls never survive sanitising; they occupy no cell */
	if (utf8_in_table(cp, utf8_zero_width, utf8_zero_width_len))
		return 0;
	if (utf8_in_table(cp, utf8_wide, utf8_wide_len))
		return 2;
	return 1;
}

size_t utf8_width(const char *s)
{
	size_t n = strlen(s), w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		w += (size_t)utf8_cp_width(cp);
	}
	return w;
}

size_t utf8_fit(const char *s, size_t cols, size_t *used)
{
	size_t n = strlen(s), i = 0, w = 0;
	while (i < n) {
		uint32_t cp;
		size_t step = utf8_decode(s + i, n - i, &cp);
		size_t cw = (size_t)utf8_cp_width(cp);
		/* A zero-width mark always follows the base already taken, so it never ends a fit. */
		if (cw > 0 && w + cw > cols)
			break;
		w += cw;
		i += step;
	}
	if (used)
		*used = w;
	return i;
}
