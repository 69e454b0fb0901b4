/* The conformance suite's context: variables and ${...} templates, agents (registered or
 * loaded from credentials files), the admin socket, and the target server (a moltchatsd we
 * start, or a remote one named by MOLTCHATS_API_BASE / MOLTCHATS_WS_BASE). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "cf.h"

struct cf cf;

/* ---------------------------------------------------------------- variables */

struct var {
	char *name;
	char *value;
};
static struct var *vars;
static size_t nvars;

const char *var_get(const char *name)
{
	for (size_t i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return vars[i].value;
	return NULL;
}

void var_set(const char *name, const char *value)
{
	for (size_t i = 0; i < nvars; i++) {
		if (strcmp(vars[i].name, name) == 0) {
			str_replace(&vars[i].value, value);
			return;
		}
	}
	vars = xrealloc(vars, (nvars + 1) * sizeof(*vars));
	vars[nvars].name = xstrdup(name);
	vars[nvars].value = xstrdup(value);
	nvars++;
}

void var_setf(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	var_set(name, v);
	free(v);
}

void vars_free(void)
{
	for (size_t i = 0; i < nvars; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
	vars = NULL;
	nvars = 0;
}

/* ---------------------------------------------------------------- agents and keys */

const char *agent_private_key(const char *label)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.key", label);
	const char *k = var_get(name);
	if (k)
		return k;
	char *priv = NULL, *pub = NULL;
	if (rsa_generate(&priv, &pub) != 0)
		return NULL;
	var_set(name, priv);
	free(priv);
	free(pub);
	return var_get(name);
}

static char *json_string(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *t = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return t;
}

static char *sign_challenge(const char *label, int bad)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.challenge", label);
	const char *ch = var_get(name);
	const char *key = agent_private_key(label);
	if (!ch || !key)
		return NULL;
	char *msg = xasprintf("%s%s", ch, bad ? "\n" : "");
	char *sig = rsa_sign_b64(key, msg, strlen(msg));
	free(msg);
	return sig;
}

/* An HS256 JWT for the agent that expired an hour ago, carrying the jti of its current
 * token so only the expiry can be wrong. Needs the secret we gave our moltchatsd. */
static char *expired_jwt(const char *label)
{
	char n1[64], n2[64], n3[64];
	snprintf(n1, sizeof(n1), "%s.token", label);
	snprintf(n2, sizeof(n2), "%s.id", label);
	snprintf(n3, sizeof(n3), "%s.name", label);
	const char *secret = var_get("jwt.secret");
	if (!secret || !var_get(n1))
		return NULL;
	char *payload = jwt_payload_unverified(var_get(n1));
	cJSON *p = payload ? cJSON_Parse(payload) : NULL;
	free(payload);
	const cJSON *jti = cJSON_GetObjectItemCaseSensitive(p, "jti");
	long long now = (long long)time(NULL);
	char *body = xasprintf("{\"sub\":\"%s\",\"username\":\"%s\",\"role\":\"agent\",\"jti\":\"%s\","
			       "\"iat\":%lld,\"exp\":%lld}",
			       var_get(n2), var_get(n3), cJSON_IsString(jti) ? jti->valuestring : "",
			       now - 7200, now - 3600);
	cJSON_Delete(p);
	char *jwt = jwt_sign_hs256(body, secret, strlen(secret));
	free(body);
	return jwt;
}

/* ---------------------------------------------------------------- templates */

static char *expand_fn(const char *expr)
{
	const char *colon = strchr(expr, ':');
	if (!colon) {
		if (strcmp(expr, "uuid") == 0) {
			char u[37];
			uuid_v4(u);
			return xstrdup(u);
		}
		return xstrdup(var_get(expr));
	}
	size_t fl = (size_t)(colon - expr);
	const char *arg = colon + 1;
	if (fl == 5 && !strncmp(expr, "upper", fl)) {
		char *v = xstrdup(var_get(arg));
		for (char *p = v; p && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		return v;
	}
	if (fl == 3 && !strncmp(expr, "rep", fl)) {
		const char *c2 = strrchr(arg, ':');
		if (!c2)
			return NULL;
		long n = strtol(c2 + 1, NULL, 10);
		struct buf b = BUF_INIT;
		for (long i = 0; i < n; i++)
			buf_append(&b, arg, (size_t)(c2 - arg));
		return buf_steal(&b);
	}
	if (fl == 3 && !strncmp(expr, "pub", fl)) {
		const char *k = agent_private_key(arg);
		char *pub = k ? rsa_public_from_private(k) : NULL;
		char *j = pub ? json_string(pub) : NULL;
		free(pub);
		return j;
	}
	if (fl == 3 && !strncmp(expr, "sig", fl))
		return sign_challenge(arg, 0);
	if (fl == 6 && !strncmp(expr, "badsig", fl))
		return sign_challenge(arg, 1);
	if (fl == 7 && !strncmp(expr, "expired", fl))
		return expired_jwt(arg);
	return NULL;
}

/* The '}' closing the "${" at s, allowing nested ${...} inside. */
static const char *closing_brace(const char *s)
{
	int depth = 0;
	for (const char *p = s; *p; p++) {
		if (p[0] == '$' && p[1] == '{') {
			depth++;
			p++;
		} else if (*p == '}' && --depth == 0) {
			return p;
		}
	}
	return NULL;
}

char *expand(const char *tmpl, char **missing)
{
	*missing = NULL;
	if (!tmpl)
		return NULL;
	struct buf b = BUF_INIT;
	const char *p = tmpl;
	while (*p) {
		const char *s = strstr(p, "${");
		if (!s) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(s - p));
		const char *e = closing_brace(s);
		if (!e) {
			buf_puts(&b, s);
			break;
		}
		char *raw = xstrndup(s + 2, (size_t)(e - s - 2));
		char *expr = expand(raw, missing); /* nested: ${e.srv${i}} */
		free(raw);
		if (!expr) {
			buf_free(&b);
			return NULL;
		}
		char *v = expand_fn(expr);
		if (!v) {
			char why[96];
			snprintf(why, sizeof(why), "why.%s", expr);
			if (str_starts_with(expr, "expired:"))
				*missing = xstrdup("needs the server's JWT secret (test-only)");
			else if (var_get(why))
				*missing = xstrdup(var_get(why));
			else
				*missing = xasprintf("needs ${%s} (an earlier step failed or was skipped)",
						     expr);
			free(expr);
			buf_free(&b);
			return NULL;
		}
		buf_puts(&b, v);
		free(v);
		free(expr);
		p = e + 1;
	}
	return buf_steal(&b);
}

/* ---------------------------------------------------------------- agent set-up */

static int verify_agent(const char *label, char *err, size_t errlen)
{
	char k[64];
	char *sig = sign_challenge(label, 0);
	snprintf(k, sizeof(k), "%s.id", label);
	char *body = xasprintf("{\"agentId\":\"%s\",\"signedChallenge\":\"%s\"}", var_get(k),
			       sig ? sig : "");
	free(sig);
	struct http_resp r;
	http_do("POST", "/agents/verify", NULL, body, &r);
	free(body);
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(r.json, "token");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(r.json, "refreshToken");
	int ok = r.status == 200 && cJSON_IsString(tok) && cJSON_IsString(ref);
	if (ok) {
		snprintf(k, sizeof(k), "%s.token", label);
		var_set(k, tok->valuestring);
		snprintf(k, sizeof(k), "%s.refresh", label);
		var_set(k, ref->valuestring);
	} else {
		snprintf(err, errlen, "verify: HTTP %d %.120s", r.status, r.body ? r.body : r.err);
	}
	http_resp_free(&r);
	return ok ? 0 : -1;
}

/* Take the next credentials.json: agentId, username, privateKey (no tokens are used, so a
 * running connector's session is left alone). */
static int load_credentials(const char *label)
{
	while (cf.ncred_files) {
		char *file = cf.cred_files[--cf.ncred_files];
		char *text = fs_read_file(file, NULL);
		cJSON *j = text ? cJSON_Parse(text) : NULL;
		free(text);
		free(file);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "agentId");
		const cJSON *un = cJSON_GetObjectItemCaseSensitive(j, "username");
		const cJSON *pk = cJSON_GetObjectItemCaseSensitive(j, "privateKey");
		if (cJSON_IsString(id) && cJSON_IsString(un) && cJSON_IsString(pk)) {
			char k[64];
			snprintf(k, sizeof(k), "%s.id", label);
			var_set(k, id->valuestring);
			snprintf(k, sizeof(k), "%s.name", label);
			var_set(k, un->valuestring);
			snprintf(k, sizeof(k), "%s.key", label);
			var_set(k, pk->valuestring);
			snprintf(k, sizeof(k), "%s.loaded", label);
			var_set(k, "1");
			cJSON_Delete(j);
			return 0;
		}
		cJSON_Delete(j);
	}
	return -1;
}

int agent_ensure(const char *label, char *err, size_t errlen)
{
	char k[64];
	snprintf(k, sizeof(k), "%s.token", label);
	if (var_get(k))
		return 0;
	snprintf(k, sizeof(k), "%s.loaded", label);
	if (var_get(k) || load_credentials(label) == 0) {
		snprintf(k, sizeof(k), "%s.id", label);
		char *body = xasprintf("{\"agentId\":\"%s\"}", var_get(k));
		struct http_resp r;
		http_do("POST", "/auth/challenge", NULL, body, &r);
		free(body);
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(r.json, "challenge");
		if (r.status != 200 || !cJSON_IsString(ch)) {
			snprintf(err, errlen, "challenge: HTTP %d %.120s", r.status,
				 r.body ? r.body : r.err);
			http_resp_free(&r);
			return -1;
		}
		snprintf(k, sizeof(k), "%s.challenge", label);
		var_set(k, ch->valuestring);
		http_resp_free(&r);
		return verify_agent(label, err, errlen);
	}
	snprintf(k, sizeof(k), "%s.name", label);
	if (!var_get(k))
		var_setf(k, "cf%s_%s", cf.run_id, label);
	char *pub = rsa_public_from_private(agent_private_key(label));
	char *pubj = json_string(pub);
	char *body = xasprintf("{\"username\":\"%s\",\"publicKey\":%s,\"capabilities\":[\"chat\"]}",
			       var_get(k), pubj);
	free(pub);
	free(pubj);
	struct http_resp r;
	http_do("POST", "/agents/register", NULL, body, &r);
	free(body);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.json, "agentId");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(r.json, "challenge");
	if (r.status != 201 || !cJSON_IsString(id) || !cJSON_IsString(ch)) {
		snprintf(err, errlen, "register: HTTP %d %.120s", r.status, r.body ? r.body : r.err);
		http_resp_free(&r);
		return -1;
	}
	snprintf(k, sizeof(k), "%s.id", label);
	var_set(k, id->valuestring);
	snprintf(k, sizeof(k), "%s.challenge", label);
	var_set(k, ch->valuestring);
	http_resp_free(&r);
	return verify_agent(label, err, errlen);
}
