/* moltchatsd: registration, challenge/verify, refresh rotation and the bearer check
 * (protocol §2). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"

#define CHALLENGE_TTL_MS (300 * 1000LL)
#define REFRESH_TTL_MS (30LL * 24 * 3600 * 1000)

static const char *str_field(struct req *r, const char *name)
{
	cJSON *v = req_field(r, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 500 as PostgreSQL would give for a malformed uuid parameter. */
static int reject_non_uuid(struct req *r, const char *id)
{
	if (str_is_uuid(id))
		return 0;
	char clean[80];
	utf8_sanitize_into(id, 0, clean, sizeof(clean));
	char *msg = xasprintf("invalid input syntax for type uuid: \"%s\"", clean);
	reply_internal(r, msg);
	free(msg);
	return -1;
}

static int64_t now_ms(void)
{
	return wall_ms();
}

/* New token row + JWT + refresh token; replies 200 {agentId, token, refreshToken}. */
static void issue_session(struct req *r, const char *agent_id, const char *username)
{
	struct srv *s = r->srv;
	char jti[37], hex[97], hash[65];
	uuid_v4(jti);
	random_hex(hex, 48);
	char *refresh = xasprintf("msr_%s", hex);
	sha256_hex(refresh, strlen(refresh), hash);
	int64_t now = now_ms();
	if (store_token_insert(s->store, jti, agent_id, hash, now + REFRESH_TTL_MS, now) != 0) {
		free(refresh);
		reply_internal(r, "Failed query: insert into \"agent_tokens\"");
		return;
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sub", agent_id);
	cJSON_AddStringToObject(p, "username", username);
	cJSON_AddStringToObject(p, "role", "agent");
	cJSON_AddStringToObject(p, "jti", jti);
	cJSON_AddNumberToObject(p, "iat", (double)(now / 1000));
	cJSON_AddNumberToObject(p, "exp", (double)(now / 1000 + s->cfg.jwt_lifetime));
	char *payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	char *jwt = jwt_sign_hs256(payload, s->jwt_secret, strlen(s->jwt_secret));
	free(payload);
	if (!jwt) {
		free(refresh);
		reply_internal(r, "could not sign token");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", agent_id);
	cJSON_AddStringToObject(o, "token", jwt);
	cJSON_AddStringToObject(o, "refreshToken", refresh);
	free(jwt);
	free(refresh);
	reply_json(r, 200, o);
}

static int username_chars_ok(const char *u)
{
	for (; *u; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') || *u == '_'))
			return 0;
	return 1;
}

static void post_register(struct req *r)
{
	struct srv *s = r->srv;
	char key[128];
	snprintf(key, sizeof(key), "register:%s", req_peer(r));
	if (!ratelimit_hit(s->rl, key, s->cfg.register_limit, 3600, NULL, NULL)) {
		reply_app_error(r, "RATE_LIMITED");
		return;
	}
	if (!req_body_object(r, "username"))
		return;
	const char *username = str_field(r, "username");
	if (!username || !*username) {
		reply_validation(r, "Username is required");
		return;
	}
	char *lower = xstrdup(username);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	size_t n = utf8_utf16_len(lower);
	const char *pub = str_field(r, "publicKey");
	if (n < 3 || n > 64)
		reply_validation(r, "Username must be between 3 and 64 characters");
	else if (!username_chars_ok(lower))
		reply_validation(r, "Username can only contain lowercase letters, numbers, and underscores");
	else if (!pub || !*pub)
		reply_validation(r, "Public key is required");
	else if (store_username_exists(s->store, lower))
		reply_app_error(r, "USERNAME_TAKEN");
	if (r->responded) {
		free(lower);
		return;
	}
	cJSON *caps = req_field(r, "capabilities");
	char *caps_text = caps ? cJSON_PrintUnformatted(caps) : xstrdup("[]");
	char id[37], challenge[65];
	uuid_v4(id);
	random_hex(challenge, 32);
	int64_t now = now_ms();
	int rc = store_agent_insert(s->store, id, lower, pub, caps_text, s->cfg.default_tier, now);
	free(caps_text);
	if (rc == 1) {
		reply_app_error(r, "USERNAME_TAKEN");
	} else if (rc != 0 || store_challenge_put(s->store, id, challenge, now + CHALLENGE_TTL_MS)) {
		reply_internal(r, "Failed query: insert into \"agents\"");
	} else {
		log_info("registered agent %s (%s)", lower, id);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "agentId", id);
		cJSON_AddStringToObject(o, "challenge", challenge);
		reply_json(r, 201, o);
	}
	free(lower);
}

static void post_verify(struct req *r)
{
	struct srv *s = r->srv;
	if (!req_body_object(r, "agentId"))
		return;
	const char *agent_id = str_field(r, "agentId");
	const char *sig = str_field(r, "signedChallenge");
	if (!agent_id || !*agent_id || !sig || !*sig) {
		reply_validation(r, "agentId and signedChallenge are required");
		return;
	}
	if (reject_non_uuid(r, agent_id))
		return;
	struct agent_row a;
	if (store_agent_get(s->store, agent_id, &a) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	char challenge[65];
	int64_t expires;
	if (store_challenge_get(s->store, agent_id, challenge, &expires) != 0) {
		reply_app_error(r, "CHALLENGE_EXPIRED");
	} else if (expires <= now_ms()) {
		store_challenge_delete(s->store, agent_id);
		reply_app_error(r, "CHALLENGE_EXPIRED");
	} else if (!rsa_verify_b64(a.public_key, challenge, strlen(challenge), sig)) {
		/* The challenge stays usable until it expires. */
		reply_app_error(r, "INVALID_SIGNATURE");
	} else {
		store_challenge_delete(s->store, agent_id);
		store_agent_mark_verified(s->store, agent_id, s->cfg.idle_timeout);
		issue_session(r, a.id, a.username);
	}
	agent_row_free(&a);
}

static void post_challenge(struct req *r)
{
	struct srv *s = r->srv;
	if (!req_body_object(r, "agentId"))
		return;
	const char *agent_id = str_field(r, "agentId");
	if (!agent_id || !*agent_id) {
		reply_validation(r, "agentId is required");
		return;
	}
	if (reject_non_uuid(r, agent_id))
		return;
	struct agent_row a;
	if (store_agent_get(s->store, agent_id, &a) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	if (!str_eq(a.status, "verified")) {
		agent_row_free(&a);
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	agent_row_free(&a);
	char challenge[65];
	random_hex(challenge, 32);
	store_challenge_put(s->store, agent_id, challenge, now_ms() + CHALLENGE_TTL_MS);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "challenge", challenge);
	reply_json(r, 200, o);
}

static void post_refresh(struct req *r)
{
	struct srv *s = r->srv;
	if (!req_body_object(r, "refreshToken"))
		return;
	const char *refresh = str_field(r, "refreshToken");
	if (!refresh || !*refresh) {
		reply_validation(r, "refreshToken is required");
		return;
	}
	char hash[65];
	sha256_hex(refresh, strlen(refresh), hash);
	struct token_row t;
	if (store_token_by_hash(s->store, hash, &t) != 0) {
		reply_app_error(r, "INVALID_CREDENTIALS");
		return;
	}
	if (t.revoked) {
		reply_app_error(r, "TOKEN_REVOKED");
		return;
	}
	if (t.refresh_expires <= now_ms()) {
		reply_app_error(r, "TOKEN_EXPIRED");
		return;
	}
	struct agent_row a;
	if (store_agent_get(s->store, t.agent_id, &a) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	/* Rotation: revoking the row kills the old refresh token and every JWT with its jti. */
	store_token_revoke(s->store, t.id);
	issue_session(r, a.id, a.username);
	agent_row_free(&a);
}

/* Verified tokens: every REST call and WebSocket connect presents the same few tokens, and
 * checking one (HMAC, base64, a JSON parse) cost ~50,000 instructions, a sixth of a REST send.
 * A slot remembers the claims of a token whose signature was good; the token text is compared
 * in full, so a hit is the very string that was verified with the daemon's one secret. Expiry
 * is still checked on every use and revocation by the caller (auth_bearer, the gateway). */
#define JWT_CACHE_SLOTS 64

struct jwt_claims {
	char *token;
	char *sub, *username, *jti; /* jti may be NULL */
	int has_exp;
	double exp;
	/* auth_bearer found the jti's row unrevoked while store->token_revocations was
	 * live_gen (token rows are never deleted, only revoked) */
	int live;
	uint64_t live_gen;
};

struct jwt_cache {
	struct jwt_claims slot[JWT_CACHE_SLOTS];
};

static void claims_clear(struct jwt_claims *c)
{
	free(c->token);
	free(c->sub);
	free(c->username);
	free(c->jti);
	memset(c, 0, sizeof(*c));
}

void auth_cache_free(struct srv *s)
{
	if (!s->jwt_cache)
		return;
	for (size_t i = 0; i < JWT_CACHE_SLOTS; i++)
		claims_clear(&s->jwt_cache->slot[i]);
	free(s->jwt_cache);
	s->jwt_cache = NULL;
}

static struct jwt_claims *cache_slot(struct srv *s, const char *jwt)
{
	if (!s->jwt_cache)
		s->jwt_cache = xcalloc(1, sizeof(*s->jwt_cache));
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)jwt; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return &s->jwt_cache->slot[h % JWT_CACHE_SLOTS];
}

/* Verify the signature and read the claims into c (which must be clear). 0 or -1. */
static int claims_verify(struct srv *s, const char *jwt, struct jwt_claims *c)
{
	char *payload = jwt_verify_hs256(jwt, s->jwt_secret, strlen(s->jwt_secret));
	if (!payload)
		return -1;
	cJSON *p = cJSON_Parse(payload);
	free(payload);
	cJSON *jsub = cJSON_GetObjectItemCaseSensitive(p, "sub");
	if (!cJSON_IsObject(p) || !cJSON_IsString(jsub)) {
		cJSON_Delete(p);
		return -1;
	}
	cJSON *juser = cJSON_GetObjectItemCaseSensitive(p, "username");
	cJSON *jjti = cJSON_GetObjectItemCaseSensitive(p, "jti");
	cJSON *jexp = cJSON_GetObjectItemCaseSensitive(p, "exp");
	c->token = xstrdup(jwt);
	c->sub = xstrdup(jsub->valuestring);
	c->username = xstrdup(cJSON_IsString(juser) ? juser->valuestring : "");
	c->jti = cJSON_IsString(jjti) ? xstrdup(jjti->valuestring) : NULL;
	c->has_exp = cJSON_IsNumber(jexp);
	c->exp = c->has_exp ? jexp->valuedouble : 0;
	cJSON_Delete(p);
	return 0;
}

/* The claims of a verified, unexpired token (a cache slot: valid until the next lookup).
 * 0, -1 bad, -2 expired. */
static int claims_lookup(struct srv *s, const char *jwt, struct jwt_claims **out)
{
	struct jwt_claims *c = cache_slot(s, jwt);
	if (!c->token || strcmp(c->token, jwt) != 0) {
		claims_clear(c);
		if (claims_verify(s, jwt, c) != 0) {
			claims_clear(c);
			return -1;
		}
	}
	if (c->has_exp && (double)(wall_ms() / 1000) >= c->exp)
		return -2;
	*out = c;
	return 0;
}

int auth_check_jwt(struct srv *s, const char *jwt, char **sub, char **username, char **jti)
{
	*sub = *username = *jti = NULL;
	struct jwt_claims *c;
	int rc = claims_lookup(s, jwt, &c);
	if (rc != 0)
		return rc;
	*sub = xstrdup(c->sub);
	*username = xstrdup(c->username);
	*jti = c->jti ? xstrdup(c->jti) : NULL;
	return 0;
}

int auth_bearer(struct req *r)
{
	char hdr[4096];
	int n = lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n <= 0 || n >= (int)sizeof(hdr) ||
	    lws_hdr_copy(r->wsi, hdr, sizeof(hdr), WSI_TOKEN_HTTP_AUTHORIZATION) <= 0 ||
	    strncmp(hdr, "Bearer ", 7) != 0) {
		reply_app_error(r, "INVALID_CREDENTIALS");
		return -1;
	}
	struct jwt_claims *c;
	int rc = claims_lookup(r->srv, hdr + 7, &c);
	if (rc != 0) {
		reply_app_error(r, rc == -2 ? "TOKEN_EXPIRED" : "INVALID_CREDENTIALS");
		return -1;
	}
	struct store *st = r->srv->store;
	if (c->jti && !(c->live && c->live_gen == st->token_revocations)) {
		struct token_row t;
		const char *fail = NULL;
		if (store_token_by_id(st, c->jti, &t) != 0)
			fail = "INVALID_CREDENTIALS";
		else if (t.revoked)
			fail = "TOKEN_REVOKED";
		if (fail) {
			c->live = 0;
			reply_app_error(r, fail);
			return -1;
		}
		c->live = 1;
		c->live_gen = st->token_revocations;
	}
	snprintf(r->agent_id, sizeof(r->agent_id), "%s", c->sub);
	r->username = xstrdup(c->username);
	return 0;
}

const struct route routes_auth[] = {
	{ "POST", "/api/v1/agents/register", ROUTE_READS_BODY, post_register },
	{ "POST", "/api/v1/agents/verify", ROUTE_READS_BODY, post_verify },
	{ "POST", "/api/v1/auth/challenge", ROUTE_READS_BODY, post_challenge },
	{ "POST", "/api/v1/auth/refresh", ROUTE_READS_BODY, post_refresh },
};
const size_t routes_auth_count = MC_ARRAY_LEN(routes_auth);
