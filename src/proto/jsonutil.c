/* Defensive getters for untrusted JSON. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "moltty/base.h"
#include "jsonutil.h"

char *ju_str(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring) : NULL;
}

char *ju_str_or(const cJSON *obj, const char *key, const char *def)
{
	char *s = ju_str(obj, key);
	return s ? s : xstrdup(def);
}

long long ju_ll(const cJSON *obj, const char *key, long long def)
{
	if (!cJSON_IsObject(obj))
		return def;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		/* NaN fails both comparisons; out-of-range doubles would be UB to convert */
		if (!(d >= (double)LLONG_MIN && d <= (double)LLONG_MAX))
			return def;
		return (long long)d;
	}
	if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
		char *end;
		errno = 0;
		long long n = strtoll(v->valuestring, &end, 10);
		if (errno == 0 && *end == '\0')
			return n;
	}
	return def;
}

int ju_bool(const cJSON *obj, const char *key, int def)
{
	if (!cJSON_IsObject(obj))
		return def;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	return def;
}

cJSON *ju_parse(const char *text, size_t len)
{
	if (!text)
		return NULL;
	return cJSON_ParseWithLength(text, len);
}

double ju_double(const cJSON *obj, const char *key, double def)
{
	if (!cJSON_IsObject(obj))
		return def;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d = def;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
		char *end;
		errno = 0;
		d = strtod(v->valuestring, &end);
		if (errno != 0 || *end != '\0')
			return def;
	}
	return isfinite(d) ? d : def;
}

char **ju_strings(const cJSON *obj, const char *key, size_t *n)
{
	*n = 0;
	if (!cJSON_IsObject(obj))
		return NULL;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsArray(arr))
		return NULL;
	int cnt = cJSON_GetArraySize(arr);
	char **v = xcalloc(cnt > 0 ? (size_t)cnt : 1, sizeof(char *));
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (cJSON_IsString(it) && it->valuestring)
			v[(*n)++] = xstrdup(it->valuestring);
	}
	return v;
}
