/* Session state machine (protocol.md §2.8) with moltty's own token file instead of the
 * refreshToken in credentials.json (another tool owns that one):
 *   start: saved token -> GET /agents/@me; else refresh with the saved refresh token; else
 *   challenge + sign + verify. Every new pair is persisted (atomically, 0600) before use.
 *   Ready: refresh at exp - 300 s (at 80 % of the lifetime when it is short); a REST 401
 *   TOKEN_EXPIRED/REVOKED asks for one refresh; a socket refused twice re-verifies.
 * kill -9 at any moment leaves a usable state: the file is replaced atomically, and a pair
 * that was rotated away on the server but not yet saved only costs a challenge + verify. */
#include <errno.h>
#include <glob.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "client_int.h"

#define REFRESH_MARGIN_S 300

static void step_refresh(struct mc_client *c);
static void step_challenge(struct mc_client *c);

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

static void set_tokens(struct mc_client *c, const char *token, const char *refresh)
{
	wipe_free(c->sess.token);
	wipe_free(c->sess.refresh_token);
	c->sess.token = xstrdup(token);
	c->sess.refresh_token = xstrdup(refresh);
	c->sess.exp_s = 0;
	c->sess.iat_s = 0;
	char *payload = token ? jwt_payload_unverified(token) : NULL;
	if (payload) {
		cJSON *j = cJSON_Parse(payload);
		const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "exp");
		const cJSON *iat = cJSON_GetObjectItemCaseSensitive(j, "iat");
		if (cJSON_IsNumber(exp) && exp->valuedouble > 0 && exp->valuedouble < 1e12)
			c->sess.exp_s = (int64_t)exp->valuedouble;
		if (cJSON_IsNumber(iat) && iat->valuedouble > 0 && iat->valuedouble < 1e12)
			c->sess.iat_s = (int64_t)iat->valuedouble;
		cJSON_Delete(j);
		free(payload);
	}
}

static void load_file(struct mc_client *c)
{
	char *text = fs_read_file(c->sess.path, NULL);
	if (!text)
		return;
	cJSON *j = cJSON_Parse(text);
	wipe_free(text);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "refreshToken");
	set_tokens(c, cJSON_IsString(t) ? t->valuestring : NULL, cJSON_IsString(r) ? r->valuestring : NULL);
	/* cJSON keeps its own copies of the secrets: wipe them too */
	if (cJSON_IsString(t) && t->valuestring)
		memset(t->valuestring, 0, strlen(t->valuestring));
	if (cJSON_IsString(r) && r->valuestring)
		memset(r->valuestring, 0, strlen(r->valuestring));
	cJSON_Delete(j);
}

/* Persist {token, refreshToken}; the old pair is already revoked, so failure is only a warning. */
static void save_file(struct mc_client *c)
{
	fs_mkdir_p(c->state_dir, 0700);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", c->agent_id);
	cJSON_AddStringToObject(o, "token", c->sess.token ? c->sess.token : "");
	cJSON_AddStringToObject(o, "refreshToken", c->sess.refresh_token ? c->sess.refresh_token : "");
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	if (fs_write_atomic(c->sess.path, s, strlen(s), 0600) != 0) {
		int e = errno;
		log_error("session: cannot write %s: %s", c->sess.path, strerror(e));
		mdl_notice(c->model, 1, "cannot save the session to %s: %s", c->sess.path, strerror(e));
	}
	memset(s, 0, strlen(s));
	cJSON_free(s);
}

const char *session_token(const struct mc_client *c)
{
	return c->sess.state == SESS_READY ? c->sess.token : NULL;
}

int session_ready(const struct mc_client *c)
{
	return c->sess.state == SESS_READY;
}

static void refresh_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	log_info("session: scheduled refresh");
	session_refresh(c);
}

static void retry_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	session_start(c);
}

static void test_done(struct mc_client *c, int ok)
{
	void (*fn)(void *, int) = c->sess.test_done;
	void *ud = c->sess.test_ud;
	c->sess.test_done = NULL;
	if (fn)
		fn(ud, ok);
}

static void become_ready(struct mc_client *c)
{
	c->sess.state = SESS_READY;
	net_backoff_reset(&c->sess.bo);
	ev_timer_stop(c->loop, &c->sess.refresh_timer);
	if (c->sess.exp_s > 0) {
		double now = (double)wall_ms() / 1000.0;
		double left = (double)c->sess.exp_s - now;
		double life = c->sess.iat_s > 0 && c->sess.iat_s < c->sess.exp_s
			? (double)(c->sess.exp_s - c->sess.iat_s) : left;
		/* 5 min before exp, or at 80 % of a short lifetime (test servers) */
		double margin = life * 0.2 < REFRESH_MARGIN_S ? life * 0.2 : REFRESH_MARGIN_S;
		double at = left - margin;
		if (at < 1)
			at = 1; /* expired or nearly: soon, but never a tight loop */
		ev_timer_set(&c->sess.refresh_timer, at, 0.);
		ev_timer_start(c->loop, &c->sess.refresh_timer);
	}
	c->sess.ever_ready = 1;
	test_done(c, 1);
	client_on_session_ready(c);
	api_client_flush_waiting(c);
}

static void fail_hard(struct mc_client *c, const char *why)
{
	c->sess.state = SESS_FAILED;
	ev_timer_stop(c->loop, &c->sess.refresh_timer);
	log_error("session: %s", why);
	test_done(c, 0);
	api_client_fail_waiting(c, why);
	client_on_session_failed(c, why);
}

/* Network trouble or a 5xx: try again later from the top. */
static void fail_transient(struct mc_client *c, const char *what, const struct api_result *r)
{
	char *e = api_error_text(r);
	c->sess.state = SESS_NONE;
	int64_t ms = net_backoff_next(&c->sess.bo);
	log_warn("session: %s failed (%s); retrying in %lld ms", what, e, (long long)ms);
	mdl_account_set_conn(c->acct, MDL_CONN_RECONNECTING, e);
	mdl_notice(c->model, 1, "%s failed: %s (retrying)", what, e);
	free(e);
	test_done(c, 0);
	ev_timer_stop(c->loop, &c->sess.retry_timer);
	ev_timer_set(&c->sess.retry_timer, (double)ms / 1000.0, 0.);
	ev_timer_start(c->loop, &c->sess.retry_timer);
}

static int is_transient(const struct api_result *r)
{
	return r->status == 0 || r->status >= 500 || r->status == 429;
}

/* ---- steps ---- */

static void on_verify(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (r->ok && r->auth->token && r->auth->refresh_token) {
		set_tokens(c, r->auth->token, r->auth->refresh_token);
		save_file(c); /* before the token is used anywhere */
		c->sess.reauths++;
		log_info("session: authenticated with challenge + verify");
		become_ready(c);
		return;
	}
	if (is_transient(r)) {
		fail_transient(c, "POST /agents/verify", r);
		return;
	}
	char *e = api_error_text(r);
	char *why = xasprintf("authentication failed (verify): %s%s", e,
		r->err.code && !strcmp(r->err.code, "INVALID_SIGNATURE")
			? " - the private key does not match this agent" : "");
	fail_hard(c, why);
	free(why);
	free(e);
}

static void on_challenge(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (r->ok && r->auth->challenge) {
		const char *ch = r->auth->challenge;
		char *sig = rsa_sign_b64(c->private_key_pem, ch, strlen(ch));
		if (!sig) {
			fail_hard(c, "cannot sign the challenge: the private key in the credentials is unusable");
			return;
		}
		api_verify(c, NULL, NULL, c->agent_id, sig, on_verify, c, NULL);
		free(sig);
		return;
	}
	if (is_transient(r)) {
		fail_transient(c, "POST /auth/challenge", r);
		return;
	}
	char *e = api_error_text(r);
	char *why = xasprintf("authentication failed (challenge): %s%s", e,
		r->status == 404 ? " - the agent is unknown or not verified on this server" : "");
	fail_hard(c, why);
	free(why);
	free(e);
}

static void step_challenge(struct mc_client *c)
{
	log_info("session: challenge + verify");
	api_challenge(c, c->agent_id, on_challenge, c, NULL);
}

static void on_refresh(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (r->ok && r->auth->token && r->auth->refresh_token) {
		set_tokens(c, r->auth->token, r->auth->refresh_token);
		save_file(c); /* the old pair is revoked now: keep the new one first */
		c->sess.refreshes++;
		log_info("session: token refreshed");
		become_ready(c);
		return;
	}
	if (is_transient(r)) {
		fail_transient(c, "POST /auth/refresh", r);
		return;
	}
	log_info("session: refresh refused (HTTP %d %s); re-authenticating", r->status,
		r->err.code ? r->err.code : "-");
	wipe_free(c->sess.refresh_token);
	c->sess.refresh_token = NULL;
	step_challenge(c);
}

static void step_refresh(struct mc_client *c)
{
	if (!c->sess.refresh_token || !c->sess.refresh_token[0]) {
		step_challenge(c);
		return;
	}
	api_refresh(c, c->sess.refresh_token, on_refresh, c, NULL);
}

static void on_me(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (r->ok) {
		if (r->profile->username && !str_eq(r->profile->username, c->username)) {
			str_replace(&c->username, r->profile->username);
			mdl_account_set_identity(c->acct, c->agent_id, c->username);
		}
		log_info("session: saved token still valid");
		become_ready(c);
		return;
	}
	if (r->status == 401) {
		step_refresh(c);
		return;
	}
	if (is_transient(r)) {
		fail_transient(c, "GET /agents/@me", r);
		return;
	}
	step_refresh(c);
}

void session_start(struct mc_client *c)
{
	if (c->sess.state == SESS_AUTHING)
		return;
	c->sess.state = SESS_AUTHING;
	mdl_account_set_conn(c->acct, MDL_CONN_AUTHENTICATING, NULL);
	if (!c->sess.token && !c->sess.refresh_token)
		load_file(c);
	if (c->sess.token && c->sess.token[0])
		api_get_me_token(c, c->sess.token, on_me, c, NULL);
	else
		step_refresh(c);
}

void session_refresh(struct mc_client *c)
{
	if (c->sess.state == SESS_AUTHING)
		return; /* serialised: waiters flush when it finishes */
	c->sess.state = SESS_AUTHING;
	ev_timer_stop(c->loop, &c->sess.refresh_timer);
	step_refresh(c);
}

void session_reauth(struct mc_client *c)
{
	if (c->sess.state == SESS_AUTHING)
		return; /* a fresh token is on its way; a further refusal comes back here */
	log_info("session: the server keeps refusing our token; verifying again");
	c->sess.state = SESS_AUTHING;
	ev_timer_stop(c->loop, &c->sess.refresh_timer);
	step_challenge(c);
}

/* Temp files a kill -9 left between mkstemp and rename: harmless, but don't let them pile up. */
void client_remove_stale_temps(const char *path)
{
	char *pattern = xasprintf("%s.tmp??????", path);
	glob_t g;
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	}
	globfree(&g);
	free(pattern);
}

void session_init(struct mc_client *c)
{
	char *name = xasprintf("session-%s.json", c->agent_id);
	char *safe = fs_safe_name(name);
	c->sess.path = fs_join(c->state_dir, safe);
	free(safe);
	free(name);
	client_remove_stale_temps(c->sess.path);
	net_backoff_init(&c->sess.bo, 1000, 30000);
	ev_timer_init(&c->sess.refresh_timer, refresh_timer_cb, 0., 0.);
	c->sess.refresh_timer.data = c;
	ev_timer_init(&c->sess.retry_timer, retry_timer_cb, 0., 0.);
	c->sess.retry_timer.data = c;
}

void session_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->sess.refresh_timer);
	ev_timer_stop(c->loop, &c->sess.retry_timer);
	wipe_free(c->sess.token);
	wipe_free(c->sess.refresh_token);
	c->sess.token = c->sess.refresh_token = NULL;
	free(c->sess.path);
	c->sess.path = NULL;
}

void session_refresh_now(struct mc_client *c, void (*done)(void *ud, int ok), void *ud)
{
	c->sess.test_done = done;
	c->sess.test_ud = ud;
	session_refresh(c);
}
