/* The command host: what commands from the table (src/cmd/table.c) can do to the UI, and the
 * candidates Tab completion offers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

#define MAX_MESSAGE_UNITS 4000

static void host_notice(void *ud, int level, const char *text)
{
	struct tui *t = ud;
	mdl_notice(t->model, level, "%s", text);
}

int host_send_text(struct tui *t, const char *text, int code)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (t->acct->observer) {
		mdl_notice(t->model, 1, "read-only: observers cannot post; posting needs an agent "
			"identity (moltty -c credentials.json). Nothing was sent.");
		return -1;
	}
	if (!c) {
		mdl_notice(t->model, 1, "no channel selected yet");
		return -1;
	}
	if (!t->client) {
		mdl_notice(t->model, 1, "not connected yet: message not sent");
		return -1;
	}
	size_t units = utf8_utf16_len(text);
	if (units > MAX_MESSAGE_UNITS) {
		mdl_notice(t->model, 1, "message too long: %zu characters, the limit is %d. "
			"Nothing was sent.", units, MAX_MESSAGE_UNITS);
		return -1;
	}
	tui_scroll_bottom(t);
	return mc_client_send(t->client, c->id, text, code ? "code" : "text");
}

static int host_send(void *ud, const char *text, int code)
{
	return host_send_text(ud, text, code);
}

static int host_switch_channel(void *ud, const char *name)
{
	struct tui *t = ud;
	struct mdl_server *s = tui_cur_server(t);
	struct mdl_channel *c = s ? mdl_channel_find_name(s, name) : NULL;
	if (!c) {
		mdl_notice(t->model, 1, "no channel #%s in this server", name);
		return -1;
	}
	tui_select_channel(t, c);
	return 0;
}

static struct mdl_server *server_by_name_or_id(struct mdl_account *a, const char *key)
{
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_server *s = a->servers[i];
		if (str_eq(s->id, key) || (s->name && strcasecmp(s->name, key) == 0))
			return s;
	}
	return NULL;
}

struct join_req {
	struct tui *t;
	char *key;
};

static void on_public_servers(void *ud, int ok, size_t n, const char *const *ids,
	const char *const *names)
{
	struct join_req *r = ud;
	struct tui *t = r->t;
	if (!ok) {
		mdl_notice(t->model, 2, "could not list public servers");
	} else {
		size_t i;
		for (i = 0; i < n; i++)
			if (str_eq(ids[i], r->key) || (names[i] && strcasecmp(names[i], r->key) == 0))
				break;
		if (i == n) {
			mdl_notice(t->model, 1, "no public server named %s", r->key);
		} else {
			mdl_notice(t->model, 0, "joining %s", names[i] ? names[i] : ids[i]);
			str_replace(&t->pending_join, ids[i]);
			mc_client_join_server(t->client, ids[i]);
		}
	}
	free(r->key);
	free(r);
}

int host_join_server(void *ud, const char *key)
{
	struct tui *t = ud;
	struct mdl_server *s = server_by_name_or_id(t->acct, key);
	if (s) {
		tui_select_server(t, s);
		return 0;
	}
	if (!t->client) {
		mdl_notice(t->model, 1, "not connected yet");
		return -1;
	}
	if (t->acct->observer) {
		mdl_notice(t->model, 1, "observers cannot join servers (that needs an agent "
			"identity)");
		return -1;
	}
	if (str_is_uuid(key)) {
		/* An id: private servers are not listed, but anyone with the id can join. */
		mdl_notice(t->model, 0, "joining server %s", key);
		str_replace(&t->pending_join, key);
		mc_client_join_server(t->client, key);
		return 0;
	}
	struct join_req *r = xcalloc(1, sizeof(*r));
	r->t = t;
	r->key = xstrdup(key);
	mc_client_list_public_servers(t->client, on_public_servers, r);
	return 0;
}

static int host_part(void *ud)
{
	struct tui *t = ud;
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c) {
		mdl_notice(t->model, 1, "no channel to close");
		return -1;
	}
	char *label = channel_label(c);
	struct mdl_server *s = c->server;
	struct chan_state *cs = chan_state(t, c);
	cs->closed = 1;
	cs->watched = 0;
	if (t->client)
		mc_client_close_channel(t->client, c->id);
	tui_step_channel(t, 1);
	if (tui_cur_channel(t) == c) {
		/* It was the last open one. */
		mdl_channel_set_viewing(c, 0);
		free(t->channel_id);
		t->channel_id = NULL;
		str_replace(&t->server_id, s->id);
	}
	if (c->name)
		mdl_notice(t->model, 0, "closed %s (/join #%s opens it again)", label, c->name);
	else
		mdl_notice(t->model, 0, "closed %s", label);
	free(label);
	t->ui_dirty = 1;
	return 0;
}

static int host_search(void *ud, const char *text)
{
	return search_run(ud, text);
}

static void host_code_next(void *ud)
{
	struct tui *t = ud;
	t->code_next = 1;
	mdl_notice(t->model, 0, "the next line you send goes out as a code block");
}

static int host_theme(void *ud, const char *name)
{
	struct tui *t = ud;
	if (tui_set_theme(t, name) != 0)
		return -1;
	str_replace(&t->cfg->theme, name);
	mdl_notice(t->model, 0, "theme %s", name);
	return 0;
}

static int host_set(void *ud, const char *key, const char *value)
{
	struct tui *t = ud;
	if (!key) {
		size_t n;
		const struct config_key *k = config_keys(&n);
		mdl_notice(t->model, 0, "Settings (/set KEY VALUE changes one, /set save keeps them):");
		for (size_t i = 0; i < n; i++) {
			char *v = config_get(t->cfg, k[i].name);
			mdl_notice(t->model, 0, "  %s = %s", k[i].name, v);
			free(v);
		}
		return 0;
	}
	char *err = NULL;
	if (!value) {
		char *v = config_get(t->cfg, key);
		if (!v) {
			mdl_notice(t->model, 1, "unknown setting: %s", key);
			return -1;
		}
		mdl_notice(t->model, 0, "%s = %s", key, v);
		free(v);
		return 0;
	}
	const struct config_key *k = config_key_find(key);
	if (k && strcmp(k->name, "theme") == 0) {
		if (tui_set_theme(t, value) != 0)
			return -1;
	}
	if (config_set(t->cfg, key, value, &err) != 0) {
		mdl_notice(t->model, 1, "%s", err);
		free(err);
		return -1;
	}
	tui_apply_config(t);
	char *v = config_get(t->cfg, key);
	mdl_notice(t->model, 0, "%s = %s", k->name, v);
	free(v);
	return 0;
}

static int host_save_config(void *ud)
{
	struct tui *t = ud;
	const char *path = t->opt.config_path;
	if (!path) {
		mdl_notice(t->model, 1, "no config file path");
		return -1;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		fs_mkdir_p(dir, 0700);
	}
	free(dir);
	char *text = config_format(t->cfg);
	int rc = fs_write_atomic(path, text, strlen(text), 0600);
	free(text);
	if (rc != 0) {
		mdl_notice(t->model, 2, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	mdl_notice(t->model, 0, "settings saved to %s", path);
	return 0;
}

static int host_clear(void *ud)
{
	struct tui *t = ud;
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c) {
		mdl_notice(t->model, 1, "no channel to clear");
		return -1;
	}
	struct chan_state *cs = chan_state(t, c);
	cs->cleared = 1;
	log_pos_newest(t, c, &cs->clear);
	tui_scroll_bottom(t);
	return 0;
}

static int host_is_observer(void *ud)
{
	struct tui *t = ud;
	return t->acct->observer;
}

static void host_quit(void *ud)
{
	tui_request_quit(ud);
}

void host_init(struct tui *t, struct cmd_host *h)
{
	*h = (struct cmd_host){
		.ud = t,
		.notice = host_notice,
		.send = host_send,
		.switch_channel = host_switch_channel,
		.join_server = host_join_server,
		.part = host_part,
		.search = host_search,
		.code_next = host_code_next,
		.theme = host_theme,
		.set = host_set,
		.save_config = host_save_config,
		.clear = host_clear,
		.request = host_request,
		.is_observer = host_is_observer,
		.quit = host_quit,
	};
}

/* ---- completion candidates ---- */

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static size_t candidates(void *ud, enum cmd_complete kind, char ***out)
{
	struct tui *t = ud;
	struct mdl_server *s = tui_cur_server(t);
	struct mdl_channel *c = tui_cur_channel(t);
	char **v = NULL;
	size_t n = 0;
	if ((kind == CC_CHANNEL || kind == CC_CHANNEL_OR_SERVER) && s)
		for (size_t i = 0; i < s->n_channels; i++)
			if (s->channels[i]->name)
				push(&v, &n, xasprintf("#%s", s->channels[i]->name));
	if (kind == CC_CHANNEL_OR_SERVER)
		for (size_t i = 0; i < t->acct->n_servers; i++)
			if (!t->acct->servers[i]->is_dms && t->acct->servers[i]->name)
				push(&v, &n, xstrdup(t->acct->servers[i]->name));
	if (kind == CC_USER) {
		/* Most recently active first: the channel's authors from the newest message. */
		for (size_t i = c ? c->n_msgs : 0; i-- > 0;) {
			const struct mdl_message *m = c->msgs[i];
			if (m->author_username && !str_eq(m->author_id, t->acct->agent_id))
				push(&v, &n, xasprintf("@%s", m->author_username));
		}
		for (size_t i = 0; s && i < s->n_members; i++)
			if (s->members[i]->username && !str_eq(s->members[i]->agent_id, t->acct->agent_id))
				push(&v, &n, xasprintf("@%s", s->members[i]->username));
		if (c && c->peer)
			push(&v, &n, xasprintf("@%s", c->peer));
	}
	if (kind == CC_THEME) {
		for (const char *const *p = theme_builtin_names(); *p; p++)
			push(&v, &n, xstrdup(*p));
		char *dir = fs_xdg_config("moltty/themes");
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] != '.' && str_ends_with(e->d_name, ".theme"))
				push(&v, &n, xstrndup(e->d_name, strlen(e->d_name) - 6));
		}
		if (d)
			closedir(d);
		free(dir);
	}
	*out = v;
	return n;
}

void tui_complete(struct tui *t)
{
	char *text;
	size_t cursor;
	if (cmd_complete(&t->comp, el_text(&t->edit), t->edit.cursor, candidates, t, &text,
		&cursor)) {
		el_set(&t->edit, text, cursor);
		free(text);
		t->ui_dirty = 1;
	}
}
