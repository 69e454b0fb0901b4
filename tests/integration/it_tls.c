/* TLS end to end: moltchatsd serving https + wss (--tls-cert/--tls-key) with certificates made
 * here by the openssl CLI (a private CA, a server certificate for 127.0.0.1/localhost, one for
 * the wrong host name, a self-signed one; nothing committed). The client core must connect,
 * authenticate and send when given the CA file; without it, and for the wrong host or a
 * self-signed certificate, both the REST call and the WebSocket upgrade must fail with an
 * error that says what is wrong with the certificate. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/api.h"
#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "moltty/net.h"
#include "client_int.h"
#include "client_harness.h"

static struct ev_loop *loop;
static const char *tmp;
static char base[128];
static char *ca_pem, *cred, *state_dir;
static char uname[40];
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct mdl_account *agent_acct;
static struct mc_client *client;
static struct mc_identity ident;
static char *agent_id, *server_id;
static int reg_done;

/* ---- certificates ---- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "failed (%d): %s\n", rc, cmd);
	free(cmd);
	return rc;
}

/* A leaf certificate for `san`, signed by the test CA (or by itself when self_signed). */
static int make_leaf(const char *ossl, const char *name, const char *san, int self_signed)
{
	if (self_signed)
		return sh("cd '%s' && '%s' req -x509 -newkey rsa:2048 -nodes -keyout %s.key -out %s.pem "
			  "-days 2 -subj /CN=127.0.0.1 -addext 'subjectAltName=%s' 2>/dev/null",
			  tmp, ossl, name, name, san);
	return sh("cd '%s' && '%s' req -newkey rsa:2048 -nodes -keyout %s.key -out %s.csr "
		  "-subj /CN=moltty-test-leaf 2>/dev/null && "
		  "printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > %s.ext && "
		  "'%s' x509 -req -in %s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out %s.pem "
		  "-days 2 -extfile %s.ext 2>/dev/null",
		  tmp, ossl, name, name, san, name, ossl, name, name, name);
}

static int make_certs(void)
{
	const char *ossl = getenv("OPENSSL_BIN");
	if (!ossl || !*ossl)
		ossl = "openssl";
	if (sh("cd '%s' && '%s' req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
	       "-subj '/CN=moltty test CA' -addext 'basicConstraints=critical,CA:TRUE' "
	       "-addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null", tmp, ossl) != 0)
		return -1;
	if (make_leaf(ossl, "good", "IP:127.0.0.1,DNS:localhost", 0) != 0 ||
	    make_leaf(ossl, "wronghost", "DNS:example.invalid", 0) != 0 ||
	    make_leaf(ossl, "selfsigned", "IP:127.0.0.1,DNS:localhost", 1) != 0)
		return -1;
	ca_pem = xasprintf("%s/ca.pem", tmp);
	return 0;
}

static int start_server(const char *leaf)
{
	it_server_stop();
	char *cert = xasprintf("%s/%s.pem", tmp, leaf), *key = xasprintf("%s/%s.key", tmp, leaf);
	const char *args[] = { "--listen", "127.0.0.1:0", "--default-tier", "trusted",
		"--register-limit", "1000", "--quiet", "--tls-cert", cert, "--tls-key", key, NULL };
	int rc = it_server_start(args, base, sizeof(base));
	free(cert);
	free(key);
	if (rc != 0 || strncmp(base, "https://", 8) != 0) {
		it_fail("moltchatsd with %s.pem did not start on https (got '%s')", leaf, base);
		return -1;
	}
	mc_endpoints_free(&ep);
	char *err = NULL;
	if (mc_endpoints_init(&ep, base, NULL, &err) != 0) {
		it_fail("endpoints: %s", err);
		free(err);
		return -1;
	}
	return 0;
}

/* ---- probes: one REST call and one WebSocket upgrade, straight through net/ ---- */

/* The probes use the http and ws contexts of one mc_net: only one lws client context lives at
 * a time (two at once make lws 4.1.6 leak a TLS client SSL_CTX at exit). */
struct probe {
	int http_done, ws_done;
	int http_status;
	char *http_error, *ws_error;
	int ws_opened;
};
static struct probe probe;

static void probe_http_cb(void *ud, const struct net_http_result *r)
{
	probe.http_status = r->status;
	probe.http_error = r->error ? xstrdup(r->error) : NULL;
	probe.http_done = 1;
}

static void probe_ws_open(void *ud)
{
	probe.ws_opened = 1;
	probe.ws_done = 1;
}

static void probe_ws_close(void *ud, int code, const char *reason)
{
	probe.ws_error = xasprintf("closed %d %s", code, reason ? reason : "");
	probe.ws_done = 1;
}

static void probe_ws_error(void *ud, const char *reason)
{
	probe.ws_error = xstrdup(reason ? reason : "");
	probe.ws_done = 1;
}

static struct net_ws *probe_ws;

static void probe_free(void)
{
	if (probe_ws && probe.ws_opened)
		net_ws_close(probe_ws, 1000, "bye");
	probe_ws = NULL;
	free(probe.http_error);
	free(probe.ws_error);
	memset(&probe, 0, sizeof(probe));
}

static void probe_start(struct mc_net *n)
{
	probe_free();
	char *url = xasprintf("%s/health", ep.api_base);
	/* /health lives at the host root: strip "/api/v1" */
	char *api = strstr(url, "/api/v1/health");
	if (api)
		memmove(api, api + 7, strlen(api + 7) + 1);
	struct net_http_opts o = { .url = url };
	net_http_request(n->http, &o, probe_http_cb, NULL);
	free(url);
	static const struct net_ws_handlers h = { probe_ws_open, NULL, probe_ws_close, probe_ws_error };
	probe_ws = net_ws_open(n->ws, ep.ws_url, &h, NULL);
	if (!probe_ws)
		it_fail("net_ws_open refused %s", ep.ws_url);
}

static int contains_any(const char *text, const char *const *needles)
{
	for (size_t i = 0; text && needles[i]; i++)
		if (strcasestr(text, needles[i]))
			return 1;
	return 0;
}

/* Both refused, each with an error naming the certificate problem. */
static int probe_refused(const char *const *http_words, const char *const *ws_words)
{
	if (!probe.http_done || !probe.ws_done)
		return 0;
	printf("  REST: %s\n  WS:   %s\n", probe.http_error ? probe.http_error : "(none)",
	       probe.ws_error ? probe.ws_error : (probe.ws_opened ? "(opened!)" : "(none)"));
	IT_CHECK(probe.http_status == 0);
	IT_CHECK(contains_any(probe.http_error, http_words));
	IT_CHECK(!probe.ws_opened);
	IT_CHECK(contains_any(probe.ws_error, ws_words));
	return 1;
}

/* ---- 1. a trusted certificate: everything works over https + wss ---- */

static void on_registered(void *ud, const char *id, const char *err)
{
	if (!id)
		it_fail("register over https failed: %s", err);
	else
		agent_id = xstrdup(id);
	reg_done = 1;
}

static void start_good(void)
{
	if (start_server("good") != 0)
		return;
	net = mc_net_new(loop, ca_pem);
	mc_register(net, &ep, uname, "TLS agent", cred, on_registered, NULL);
}

static int done_register(void)
{
	return reg_done && agent_id;
}

static void start_client(void)
{
	char *err = NULL;
	if (mc_identity_load(cred, &ident, &err) != 0) {
		it_fail("identity: %s", err);
		free(err);
		return;
	}
	agent_acct = mdl_account_add(model, "@tls", 0);
	client = mc_client_new(net, agent_acct, &ep, &ident, state_dir);
	mc_client_start(client);
}

static int done_client(void)
{
	IT_CHECK(agent_acct->conn != MDL_CONN_FAILED);
	return agent_acct->conn == MDL_CONN_ONLINE;
}

static void on_created(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		it_fail("create server over https: %s", e);
		free(e);
		return;
	}
	server_id = xstrdup(r->server->id);
	mc_client_join_server(client, server_id);
}

static void start_create(void)
{
	api_create_server(client, "TLS test", "over https", 1, on_created, NULL, NULL);
}

static struct mdl_channel *general(void)
{
	struct mdl_server *s = server_id ? mdl_server_find(agent_acct, server_id) : NULL;
	return s ? mdl_channel_find_name(s, "general") : NULL;
}

static int done_create(void)
{
	struct mdl_channel *ch = general();
	if (!ch)
		return 0;
	mc_client_open_channel(client, ch->id);
	return 1;
}

static int done_subscribed(void)
{
	struct mdl_channel *ch = general();
	return ch->subscribed && ch->history != MDL_HIST_LOADING && ch->history != MDL_HIST_NONE;
}

static void start_send(void)
{
	if (mc_client_send(client, general()->id, "sent over wss", NULL) != 0)
		it_fail("mc_client_send refused");
}

static int done_send(void)
{
	struct mdl_channel *ch = general();
	for (size_t i = 0; i < ch->n_msgs; i++) {
		const struct mdl_message *m = ch->msgs[i];
		if (strcmp(m->content, "sent over wss") != 0)
			continue;
		IT_CHECK(m->state != MDL_MSG_FAILED);
		return m->state == MDL_MSG_STORED && str_is_uuid(m->id);
	}
	return 0;
}

static void start_good_probe(void)
{
	probe_start(net);
}

static int done_good_probe(void)
{
	if (!probe.http_done || !probe.ws_done)
		return 0;
	IT_CHECK(probe.http_status == 200);
	IT_CHECK(probe.ws_opened);
	return 1;
}

/* ---- 2. without the CA file ---- */

static struct mc_net *net_plain;
static struct mdl_account *obs_acct;
static struct mc_client *obs;

static void start_untrusted(void)
{
	/* the agent's client is done: nothing of it may keep running */
	mc_client_free(client);
	client = NULL;
	probe_free();
	mc_net_free(net);
	net = NULL;
	/* the system store only; the client core as the TUI uses it: an observer */
	net_plain = mc_net_new(loop, NULL);
	probe_start(net_plain);
	obs_acct = mdl_account_add(model, "observer", 1);
	obs = mc_client_new(net_plain, obs_acct, &ep, NULL, state_dir);
	mc_client_start(obs);
}

static const char *const untrusted_http[] = { "unable to get local issuer", NULL };
static const char *const untrusted_ws[] = { "unable to get local issuer", NULL };

static int model_mentions(const char *word)
{
	if (obs_acct->conn_detail && strcasestr(obs_acct->conn_detail, word))
		return 1;
	size_t n = model->n_notices < MDL_NOTICES ? model->n_notices : MDL_NOTICES;
	for (size_t i = 0; i < n; i++)
		if (model->notices[i].text && strcasestr(model->notices[i].text, word))
			return 1;
	return 0;
}

static int done_untrusted(void)
{
	if (!probe_refused(untrusted_http, untrusted_ws))
		return 0;
	IT_CHECK(obs_acct->conn != MDL_CONN_ONLINE);
	/* the person at the terminal learns why */
	if (!model_mentions("certificate"))
		return 0;
	printf("  model: %s\n", obs_acct->conn_detail ? obs_acct->conn_detail : "");
	mc_client_free(obs);
	obs = NULL;
	probe_free();
	mc_net_free(net_plain);
	net_plain = NULL;
	return 1;
}

/* ---- 3. the wrong host name, with the CA ---- */

static void start_wrong_host(void)
{
	if (start_server("wronghost") == 0) {
		net = mc_net_new(loop, ca_pem);
		probe_start(net);
	}
}

/* REST and the WebSocket share the TLS code (ws_tls.c): OpenSSL's "IP address mismatch" */
static const char *const host_http[] = { "mismatch", NULL };
static const char *const host_ws[] = { "mismatch", NULL };

static int probe_refused_then_free(const char *const *http_words, const char *const *ws_words)
{
	if (!probe_refused(http_words, ws_words))
		return 0;
	probe_free();
	mc_net_free(net);
	net = NULL;
	return 1;
}

static int done_wrong_host(void)
{
	return probe_refused_then_free(host_http, host_ws);
}

/* ---- 4. a self-signed certificate, with the CA ---- */

static void start_self_signed(void)
{
	if (start_server("selfsigned") == 0) {
		net = mc_net_new(loop, ca_pem);
		probe_start(net);
	}
}

static const char *const self_http[] = { "self-signed", "self signed", NULL };
static const char *const self_ws[] = { "self-signed", "self signed", NULL };

static int done_self_signed(void)
{
	return probe_refused_then_free(self_http, self_ws);
}

static void cleanup(void)
{
	probe_free();
	mc_client_free(client);
	mc_client_free(obs);
	client = obs = NULL;
	mc_net_free(net);
	mc_net_free(net_plain);
	net = net_plain = NULL;
}

int main(void)
{
	if (!getenv("MOLTCHATSD") || !*getenv("MOLTCHATSD")) {
		fprintf(stderr, "MOLTCHATSD not set: skipping\n");
		return 77;
	}
	/* the system store must not know our CA by accident */
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	unsetenv("CURL_CA_BUNDLE");
	tmp = it_tmpdir();
	if (make_certs() != 0) {
		it_tmp_remove();
		return 1;
	}
	char *logpath = xasprintf("%s/client.log", tmp);
	log_open(logpath, LOG_DEBUG);
	state_dir = xasprintf("%s/state", tmp);
	cred = xasprintf("%s/agent/credentials.json", tmp);
	snprintf(uname, sizeof(uname), "it_tls_%d", (int)getpid());
	loop = EV_DEFAULT;
	model = mdl_model_new();

	static const struct it_step steps[] = {
		{ "trusted CA: register over https", start_good, done_register, 30 },
		{ "trusted CA: session and wss open", start_client, done_client, 0 },
		{ "trusted CA: create a server, open #general", start_create, done_create, 0 },
		{ "trusted CA: subscribed over wss", NULL, done_subscribed, 0 },
		{ "trusted CA: a message sent over wss is confirmed", start_send, done_send, 0 },
		{ "trusted CA: raw REST and WS probes succeed", start_good_probe, done_good_probe, 0 },
		{ "no CA file: REST and WS refused, the model says why", start_untrusted, done_untrusted, 0 },
		{ "wrong host name: refused even with the CA", start_wrong_host, done_wrong_host, 0 },
		{ "self-signed certificate: refused", start_self_signed, done_self_signed, 0 },
	};
	int rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);
	if (rc) {
		fprintf(stderr, "client log: %s (IT_KEEP_TMP=1 keeps it)\n", logpath);
		char *cmd = xasprintf("tail -n 30 '%s' >&2", logpath);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot show the log)\n");
		free(cmd);
	}
	it_server_stop();
	mdl_model_free(model);
	mc_identity_free(&ident);
	mc_endpoints_free(&ep);
	log_close();
	it_tmp_remove();
	free(logpath);
	free(state_dir);
	free(cred);
	free(ca_pem);
	free(agent_id);
	free(server_id);
	return rc;
}
