/* Make untrusted text inert for a terminal: every control, bidi and invisible format character
 * becomes a visible glyph, invalid UTF-8 becomes U+FFFD. See utf8.h for the exact rules. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "utf8_tables.h"

#define TAB_STOP 8
#define REPLACEMENT 0xFFFDu
#define CONTROL_PICTURES 0x2400u
#define SYMBOL_FOR_DELETE 0x2421u

static void put_cp(struct buf *out, uint32_t cp)
{
	char enc[4];
	buf_append(out, enc, utf8_encode(cp, enc));
}

char *utf8_sanitize(const char *s, int keep_newlines)
{
	struct buf out = BUF_INIT;
	size_t n = s ? strlen(s) : 0, col = 0;
	buf_reserve(&out, n);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		if (cp == '\n' && keep_newlines) {
			buf_putc(&out, '\n');
			col = 0;
			continue;
		}
		if (cp == '\t') {
			/* Tab stops count from the start of the text (or the last kept newline). */
			size_t spaces = TAB_STOP - col % TAB_STOP;
			for (size_t k = 0; k < spaces; k++)
				buf_putc(&out, ' ');
			col += spaces;
			continue;
		}
		if (cp < 0x20)
			cp = CONTROL_PICTURES + cp;
		else if (cp == 0x7F)
			cp = SYMBOL_FOR_DELETE;
		else if (cp >= 0x80 && cp <= 0x9F)
			cp = REPLACEMENT;
		else if (utf8_in_table(cp, utf8_format, utf8_format_len) ||
			 (cp >= 0xE0000 && cp <= 0xE007F))
			cp = REPLACEMENT; /* the whole tag block: its unassigned code points are not Cf */
		put_cp(&out, cp);
		col += (size_t)utf8_cp_width(cp);
	}
	return buf_steal(&out);
}

void utf8_sanitize_into(const char *s, int keep_newlines, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	char *clean = utf8_sanitize(s, keep_newlines);
	size_t len = strlen(clean);
	if (len > outsz - 1) {
		len = outsz - 1;
		/* Back up to a code-point boundary: never leave half a sequence. */
		while (len > 0 && ((unsigned char)clean[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, clean, len);
	out[len] = '\0';
	free(clean);
}
