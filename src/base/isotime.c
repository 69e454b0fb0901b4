/* ISO-8601 timestamps. Parsing is by hand, dates are counted by hand, and formatting uses
 * gmtime_r, so neither the locale nor TZ can change a result. */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "moltty/isotime.h"
#include "moltty/base.h"

/* Seconds rounded toward minus infinity, so times before 1970 keep a positive millisecond part. */
static int64_t floor_secs(int64_t ms)
{
	return ms / 1000 - (ms % 1000 < 0);
}

static char *put_digits(char *p, int value, int digits)
{
	for (int i = digits - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + digits;
}

void iso_format_ms(int64_t ms, char out[ISO_TIME_LEN])
{
	int64_t secs = floor_secs(ms);
	/* ms - secs * 1000 would overflow near INT64_MIN */
	int millis = (int)(ms % 1000 < 0 ? ms % 1000 + 1000 : ms % 1000);
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		memcpy(out, "0000-00-00T00:00:00.000Z", ISO_TIME_LEN);
		return;
	}
	/* By hand rather than snprintf: the field ranges are known, and no locale applies. */
	char *p = out;
	p = put_digits(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, millis, 3);
	*p++ = 'Z';
	*p = '\0';
}

/* Read exactly `digits` decimal digits. */
static int read_num(const char **p, int digits, int *out)
{
	int v = 0;
	for (int i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (as timegm counts them; the days of
 * 400-year eras, with March as the first month so the leap day ends a year). Parsing a
 * timestamp runs for every message of a flood: timegm was three quarters of its cost. */
static int64_t days_from_civil(int year, int mon, int day)
{
	int64_t y = year - (mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int iso_parse_ms(const char *s, int64_t *ms)
{
	if (!s)
		return -1;
	const char *p = s;
	int year, mon, day, hour, min, sec, millis = 0;
	if (read_num(&p, 4, &year) || expect(&p, '-') || read_num(&p, 2, &mon) ||
	    expect(&p, '-') || read_num(&p, 2, &day))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (read_num(&p, 2, &hour) || expect(&p, ':') || read_num(&p, 2, &min) ||
	    expect(&p, ':') || read_num(&p, 2, &sec))
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			if (digits < 3)
				millis = millis * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (digits == 0 || digits > 9)
			return -1;
		for (int d = digits; d < 3; d++)
			millis *= 10;
	}
	int offset_min = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (read_num(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (read_num(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset_min = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 60)
		return -1;
	int64_t t = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
	*ms = (t - (int64_t)offset_min * 60) * 1000 + millis;
	return 0;
}

void iso_now(char out[ISO_TIME_LEN])
{
	iso_format_ms(wall_ms(), out);
}
