/* ISO-8601 UTC timestamps with milliseconds, as the platform sends them: 2026-02-15T04:09:02.123Z */
#ifndef MOLTTY_ISOTIME_H
#define MOLTTY_ISOTIME_H

#include <stdint.h>

#define ISO_TIME_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* Format Unix milliseconds. out must hold ISO_TIME_LEN bytes. */
void iso_format_ms(int64_t ms, char out[ISO_TIME_LEN]);
/* Parse an ISO-8601 timestamp (Z or +hh:mm offsets; 0-9 fraction digits, truncated to ms).
 * Returns 0 and sets *ms, or -1 on garbage. */
int iso_parse_ms(const char *s, int64_t *ms);
/* Current wall clock as ISO text. */
void iso_now(char out[ISO_TIME_LEN]);

#endif
