/* Fuzzy matching for the channel picker. */
#include <ctype.h>
#include <string.h>

#include "fuzzy.h"

static int is_boundary(const char *text, size_t i)
{
	if (i == 0)
		return 1;
	char p = text[i - 1];
	return p == ' ' || p == '/' || p == '#' || p == '@' || p == '-' || p == '_' || p == '.';
}

int fuzzy_score(const char *query, const char *text)
{
	size_t qn = strlen(query), tn = strlen(text);
	if (qn == 0)
		return 0;
	int score = 0, run = 0;
	size_t q = 0;
	for (size_t i = 0; i < tn && q < qn; i++) {
		if (tolower((unsigned char)text[i]) != tolower((unsigned char)query[q])) {
			run = 0;
			continue;
		}
		score += 1;
		if (is_boundary(text, i))
			score += 8;
		if (run)
			score += 4 * run;
		run++;
		q++;
	}
	if (q < qn)
		return -1;
	/* Shorter names win ties: "general" before "general-archive". */
	score -= (int)(tn / 8);
	return score < 1 ? 1 : score;
}
