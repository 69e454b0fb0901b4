/* /account: several identities at once. Adding and removing one is the app's job (it owns
 * the clients); the UI lists them and chooses the one that sends. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "host_req.h"

static const char *conn_word(enum mdl_conn c)
{
	switch (c) {
	case MDL_CONN_OFFLINE: return "offline";
	case MDL_CONN_AUTHENTICATING: return "signing in";
	case MDL_CONN_CONNECTING: return "connecting";
	case MDL_CONN_ONLINE: return "connected";
	case MDL_CONN_RECONNECTING: return "reconnecting";
	case MDL_CONN_FAILED: return "failed";
	}
	return "?";
}

/* By number (1-based, as listed), "@name", "name" or "observer". */
static struct tui_ident *find_ident(struct tui *t, const char *key)
{
	char *end;
	long n = strtol(key, &end, 10);
	if (*key && !*end)
		return n >= 1 && (size_t)n <= t->n_ids ? t->ids[n - 1] : NULL;
	const char *name = key[0] == '@' ? key + 1 : key;
	for (size_t i = 0; i < t->n_ids; i++) {
		struct mdl_account *a = t->ids[i]->acct;
		if (a->observer ? strcasecmp(name, "observer") == 0 :
			a->username && strcasecmp(a->username, name) == 0)
			return t->ids[i];
	}
	return NULL;
}

static void list(struct tui *t)
{
	mdl_notice(t->model, 0, "identities (F8 or /account switch NAME chooses the one that "
		"sends):");
	for (size_t i = 0; i < t->n_ids; i++) {
		struct mdl_account *a = t->ids[i]->acct;
		size_t servers = 0;
		for (size_t j = 0; j < a->n_servers; j++)
			servers += !a->servers[j]->is_dms;
		mdl_notice(t->model, 0, "%s %zu %s%s · %s · %zu server%s", a == t->acct ? "*" : " ",
			i + 1, a->label ? a->label : "?", a->observer ? " (read-only)" : "",
			conn_word(a->conn), servers, servers == 1 ? "" : "s");
	}
}

int host_account(struct tui *t, const struct cmd_req *r)
{
	char *err = NULL;
	struct tui_ident *id;
	switch (r->op) {
	case OP_ACCOUNT_LIST:
		list(t);
		return 0;
	case OP_ACCOUNT_ADD: {
		if (!t->opt.add_account) {
			mdl_notice(t->model, 1, "/account add: not available in this mode");
			return -1;
		}
		char *path = fs_expand_home(r->key);
		int rc = t->opt.add_account(t->opt.ud, path, &err);
		if (rc != 0)
			mdl_notice(t->model, 2, "/account add %s: %s", path, err ? err : "failed");
		else
			mdl_notice(t->model, 0, "signing in from %s (F8 or /account switch to send "
				"as it)", path);
		free(path);
		free(err);
		return rc;
	}
	case OP_ACCOUNT_SWITCH:
		id = find_ident(t, r->key);
		if (!id) {
			mdl_notice(t->model, 2, "/account switch: no identity %s (/account list)", r->key);
			return -1;
		}
		if (id->acct == t->acct) {
			mdl_notice(t->model, 0, "already sending as %s", id->acct->label);
			return 0;
		}
		tui_activate(t, id->acct);
		return 0;
	case OP_ACCOUNT_REMOVE: {
		id = find_ident(t, r->key);
		if (!id) {
			mdl_notice(t->model, 2, "/account remove: no identity %s (/account list)", r->key);
			return -1;
		}
		if (t->n_ids < 2) {
			mdl_notice(t->model, 2, "/account remove: %s is the only identity (/quit leaves)",
				id->acct->label);
			return -1;
		}
		if (!t->opt.remove_account) {
			mdl_notice(t->model, 1, "/account remove: not available in this mode");
			return -1;
		}
		char *label = xstrdup(id->acct->label ? id->acct->label : "?");
		int rc = t->opt.remove_account(t->opt.ud, id->acct, &err);
		if (rc != 0)
			mdl_notice(t->model, 2, "/account remove %s: %s", label, err ? err : "failed");
		else
			mdl_notice(t->model, 0, "signed out %s", label);
		free(label);
		free(err);
		return rc;
	}
	default:
		return -1;
	}
}
