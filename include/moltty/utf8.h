/* utf8: decoding, display width, sanitising untrusted text, wrapping.
 * One width function (utf8_cp_width) is shared by wrapping, cursor placement and drawing. */
#ifndef MOLTTY_UTF8_H
#define MOLTTY_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s (at most n bytes). Returns bytes consumed (>=1 when n>0).
 * Invalid or overlong sequences, surrogates and >U+10FFFF decode as U+FFFD consuming 1 byte. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (4 bytes room). Returns the byte count. */
size_t utf8_encode(uint32_t cp, char *out);
/* Number of UTF-16 code units of valid UTF-8 text (what the platform's .length limits count). */
size_t utf8_utf16_len(const char *s);

/* Display width of one code point after sanitising: 0 (combining, ZWJ, variation selectors),
 * 1, or 2 (CJK, most emoji). Never negative. */
int utf8_cp_width(uint32_t cp);
/* Display width of a (sanitised) string. */
size_t utf8_width(const char *s);

/* Sanitise untrusted text for the terminal. The result is valid UTF-8 containing no C0
 * (except '\n' when keep_newlines, and '\t' becomes spaces), no DEL, no C1, no ESC, no bidi
 * controls (U+202A-202E, U+2066-2069, U+200E/F, U+061C) and no other invisible format tricks
 * except ZWJ inside emoji. Controls become visible: C0 as the Control Pictures block
 * (U+2400 + c, e.g. ESC -> U+241B), DEL as U+2421, C1 and bidi/format characters as U+FFFD.
 * Invalid UTF-8 becomes U+FFFD. Caller frees. NULL in -> "" out.
 * Details: "invisible format tricks" are every General_Category Cf/Zl/Zp character except ZWJ
 * U+200D: zero-width space U+200B, ZWNJ U+200C, U+2060-2064, BOM U+FEFF, soft hyphen U+00AD,
 * U+2028/2029, tag characters U+E0000-E007F, ... all become a visible U+FFFD (never silently
 * dropped, so hidden text stays noticeable). CR becomes U+240D. A tab becomes spaces up to the
 * next 8-column stop, counted from the start of the text or the last kept newline. ZWJ is
 * kept (emoji sequences) and has width 0. */
char *utf8_sanitize(const char *s, int keep_newlines);
/* Same, into a caller buffer (truncated on a code-point boundary, always NUL-terminated). */
void utf8_sanitize_into(const char *s, int keep_newlines, char *out, size_t outsz);

/* Byte length of the longest prefix of s whose width fits in cols (never splits a code point,
 * keeps zero-width marks with their base). *used gets that prefix's width. */
size_t utf8_fit(const char *s, size_t cols, size_t *used);

/* Wrap sanitised text to `cols` columns. Breaks at spaces when possible, hard-breaks long words,
 * honours '\n'. Writes up to max_lines (start, len) byte ranges into lines[]; returns the total
 * number of lines needed (which may exceed max_lines). cols < 1 is treated as 1. */
struct utf8_line {
	size_t start;
	size_t len;
};
size_t utf8_wrap(const char *s, size_t cols, struct utf8_line *lines, size_t max_lines);

#endif
