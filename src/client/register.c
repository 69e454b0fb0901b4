/* mc_register: RSA-2048 key pair, POST /agents/register, sign the challenge, POST
 * /agents/verify, then a standard credentials.json (protocol.md §6.1), created 0600 and never
 * overwriting an existing file. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "client_int.h"

struct reg {
	struct mc_net *net;
	char *base;
	char *username;
	char *display_name;
	char *cred_path;
	mc_register_cb cb;
	void *ud;
	char *priv;
	char *pub;
	char *agent_id;
	char *token;
	char *err;
	ev_timer defer;
};

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

static void reg_free(struct reg *g)
{
	free(g->base);
	free(g->username);
	free(g->display_name);
	free(g->cred_path);
	wipe_free(g->priv);
	free(g->pub);
	free(g->agent_id);
	wipe_free(g->token);
	free(g->err);
	free(g);
}

static void reg_finish(struct reg *g, const char *agent_id, const char *err)
{
	if (err)
		log_warn("register: %s", err);
	g->cb(g->ud, agent_id, err);
	reg_free(g);
}

static void defer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct reg *g = t->data;
	ev_timer_stop(loop, t);
	reg_finish(g, NULL, g->err);
}

/* Report an error from the loop (never from inside mc_register itself). */
static void reg_fail_later(struct reg *g, char *err)
{
	g->err = err;
	ev_timer_init(&g->defer, defer_cb, 0., 0.);
	g->defer.data = g;
	ev_timer_start(g->net->loop, &g->defer);
}

static void reg_fail(struct reg *g, const char *what, const struct api_result *r)
{
	char *e = api_error_text(r);
	char *msg = xasprintf("%s: %s", what, e);
	reg_finish(g, NULL, msg);
	free(msg);
	free(e);
}

static int write_credentials(struct reg *g, const char *refresh)
{
	char *dir_copy = xstrdup(g->cred_path);
	fs_mkdir_p(dirname(dir_copy), 0700);
	free(dir_copy);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", g->agent_id);
	cJSON_AddStringToObject(o, "username", g->username);
	cJSON_AddStringToObject(o, "privateKey", g->priv);
	cJSON_AddStringToObject(o, "refreshToken", refresh ? refresh : "");
	cJSON_AddStringToObject(o, "apiBase", g->base);
	cJSON_AddStringToObject(o, "token", g->token ? g->token : "");
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	int rc = fs_write_new(g->cred_path, s, strlen(s), 0600);
	int e = errno;
	memset(s, 0, strlen(s));
	cJSON_free(s);
	errno = e;
	return rc;
}

static void on_patch(void *ud, const struct api_result *r)
{
	struct reg *g = ud;
	if (!r->ok) {
		char *e = api_error_text(r);
		log_warn("register: setting the display name failed: %s", e);
		free(e);
	}
	char *id = xstrdup(g->agent_id);
	reg_finish(g, id, NULL);
	free(id);
}

static void on_verify(void *ud, const struct api_result *r)
{
	struct reg *g = ud;
	if (!r->ok || !r->auth->token) {
		reg_fail(g, "verify", r);
		return;
	}
	g->token = xstrdup(r->auth->token);
	if (write_credentials(g, r->auth->refresh_token) != 0) {
		char *msg = xasprintf("agent %s registered, but writing %s failed: %s", g->agent_id,
			g->cred_path, strerror(errno));
		reg_finish(g, NULL, msg);
		free(msg);
		return;
	}
	log_info("register: agent %s written to %s", g->agent_id, g->cred_path);
	if (g->display_name && g->display_name[0]) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "displayName", g->display_name);
		char *body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		struct api_call call = {
			.net = g->net, .base = g->base, .method = "PATCH", .path = "/agents/@me",
			.body = body, .auth = API_TOKEN, .token = g->token, .decode = API_DEC_NONE,
			.cb = on_patch, .ud = g,
		};
		struct api_req *req = api_start(&call);
		cJSON_free(body);
		if (req)
			return;
	}
	char *id = xstrdup(g->agent_id);
	reg_finish(g, id, NULL);
	free(id);
}

static void on_register(void *ud, const struct api_result *r)
{
	struct reg *g = ud;
	if (!r->ok || !r->auth->agent_id || !r->auth->challenge) {
		reg_fail(g, "register", r);
		return;
	}
	g->agent_id = xstrdup(r->auth->agent_id);
	const char *ch = r->auth->challenge;
	char *sig = rsa_sign_b64(g->priv, ch, strlen(ch));
	if (!sig) {
		reg_finish(g, NULL, "cannot sign the challenge");
		return;
	}
	struct api_req *req = api_verify(NULL, g->net, g->base, g->agent_id, sig, on_verify, g, NULL);
	free(sig);
	if (!req)
		reg_finish(g, NULL, "cannot start the verify request");
}

void mc_register(struct mc_net *net, const struct mc_endpoints *ep, const char *username,
	const char *display_name, const char *cred_path, mc_register_cb cb, void *ud)
{
	struct reg *g = xcalloc(1, sizeof(*g));
	g->net = net;
	g->base = xstrdup(ep->api_base);
	g->username = xstrdup(username ? username : "");
	g->display_name = xstrdup(display_name);
	g->cred_path = xstrdup(cred_path);
	g->cb = cb;
	g->ud = ud;
	/* check first: a username registered but never written down is burned */
	if (!cred_path || access(cred_path, F_OK) == 0) {
		reg_fail_later(g, xasprintf("%s already exists; not overwriting it", cred_path ? cred_path : "(null)"));
		return;
	}
	if (rsa_generate(&g->priv, &g->pub) != 0) {
		reg_fail_later(g, xstrdup("RSA key generation failed"));
		return;
	}
	if (!api_register(net, g->base, g->username, g->pub, on_register, g))
		reg_fail_later(g, xstrdup("cannot start the register request"));
}
