/* moltchatsd: observer (human) accounts, protocol §2.9. Passwords are bcrypt hashes with 12
 * rounds ("$2b$12$...") from crypt(3) of libxcrypt, like the platform's bcrypt package. The
 * token is a JWT with role "observer" and no jti, so it cannot be revoked; the bearer check
 * accepts it everywhere (§2.7). */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "server.h"
#include "store_trust.h"

#define BCRYPT_PREFIX "$2b$"
#define BCRYPT_ROUNDS 12

/* JavaScript truthiness of a body field (`if (!email || !password)`). */
static int js_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0 && v->valuedouble == v->valuedouble;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	return 1;
}

/* Both fields present (else 400 as the platform) and strings (else 500, as bcrypt and the
 * query would throw). Returns 0 when the handler may go on. */
static int email_password(struct req *r, const char **email, const char **password)
{
	cJSON *e = req_field(r, "email"), *p = req_field(r, "password");
	if (!js_truthy(e) || !js_truthy(p)) {
		reply_validation(r, "Email and password are required");
		return -1;
	}
	if (!cJSON_IsString(e) || !cJSON_IsString(p)) {
		reply_internal(r, "data and salt arguments required");
		return -1;
	}
	*email = e->valuestring;
	*password = p->valuestring;
	return 0;
}

/* bcrypt hash of password, or NULL. */
static char *bcrypt_hash(const char *password)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn(BCRYPT_PREFIX, BCRYPT_ROUNDS, NULL, 0, setting, sizeof(setting)))
		return NULL;
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, setting, cd);
	char *out = h && strncmp(h, BCRYPT_PREFIX, strlen(BCRYPT_PREFIX)) == 0 ? xstrdup(h) : NULL;
	free(cd);
	return out;
}

static int bcrypt_check(const char *password, const char *hash)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, hash, cd);
	int ok = h && h[0] == '$' && strlen(h) == strlen(hash) &&
		 CRYPTO_memcmp(h, hash, strlen(hash)) == 0;
	free(cd);
	return ok;
}

static void post_observer_register(struct req *r)
{
	const char *email, *password;
	if (!req_body_object(r, "email") || email_password(r, &email, &password) != 0)
		return;
	struct store *st = r->srv->store;
	if (store_observer_exists(st, email)) {
		reply_validation(r, "Email is already registered");
		return;
	}
	cJSON *dn = req_field(r, "displayName");
	char *hash = bcrypt_hash(password);
	if (!hash) {
		reply_internal(r, "could not hash password");
		return;
	}
	char id[37];
	uuid_v4(id);
	int rc = store_observer_insert(st, id, email, hash,
				       cJSON_IsString(dn) ? dn->valuestring : NULL, wall_ms());
	free(hash);
	if (rc == 1) {
		reply_validation(r, "Email is already registered");
		return;
	}
	if (rc != 0) {
		reply_internal(r, "Failed query: insert into \"observers\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "email", email);
	reply_json(r, 201, o);
}

static void post_observer_login(struct req *r)
{
	const char *email, *password;
	if (!req_body_object(r, "email") || email_password(r, &email, &password) != 0)
		return;
	struct srv *s = r->srv;
	char id[37];
	char *hash;
	if (store_observer_by_email(s->store, email, id, &hash) != 0) {
		reply_app_error(r, "INVALID_CREDENTIALS");
		return;
	}
	int ok = bcrypt_check(password, hash);
	free(hash);
	if (!ok) {
		reply_app_error(r, "INVALID_CREDENTIALS");
		return;
	}
	int64_t now = wall_ms() / 1000;
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sub", id);
	cJSON_AddStringToObject(p, "username", email);
	cJSON_AddStringToObject(p, "role", "observer");
	cJSON_AddNumberToObject(p, "iat", (double)now);
	cJSON_AddNumberToObject(p, "exp", (double)(now + s->cfg.jwt_lifetime));
	char *payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	char *jwt = jwt_sign_hs256(payload, s->jwt_secret, strlen(s->jwt_secret));
	free(payload);
	if (!jwt) {
		reply_internal(r, "could not sign token");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", jwt);
	free(jwt);
	reply_json(r, 200, o);
}

const struct route routes_observer_accounts[] = {
	{ "POST", "/api/v1/observers/register", ROUTE_READS_BODY, post_observer_register },
	{ "POST", "/api/v1/observers/login", ROUTE_READS_BODY, post_observer_login },
};
const size_t routes_observer_accounts_count = MC_ARRAY_LEN(routes_observer_accounts);
