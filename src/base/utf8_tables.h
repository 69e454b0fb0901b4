/* Private: Unicode range tables for utf8.c and sanitize.c (generated into utf8_tables.c). */
#ifndef MOLTTY_UTF8_TABLES_H
#define MOLTTY_UTF8_TABLES_H

#include <stddef.h>
#include <stdint.h>

struct utf8_range {
	uint32_t first;
	uint32_t last;
};

extern const struct utf8_range utf8_zero_width[]; /* Mn, Me, Cf, Hangul medial/final jamo */
extern const size_t utf8_zero_width_len;
extern const struct utf8_range utf8_wide[];       /* East Asian Wide/Fullwidth, emoji */
extern const size_t utf8_wide_len;
extern const struct utf8_range utf8_format[];     /* Cf/Zl/Zp except ZWJ: made visible */
extern const size_t utf8_format_len;

/* Binary search of a sorted, non-overlapping range table. */
int utf8_in_table(uint32_t cp, const struct utf8_range *t, size_t n);

#endif
