/* CHANNEL and SERVER specs: a channel id; SERVER/#channel or SERVER/channel (SERVER an id or
 * the name of a joined server, case-insensitive); #channel (searched in every joined server,
 * must be unique); @friend (the DM channel with that friend). Without an identity (--anon)
 * "joined" means "public" and the lists come from the /observers/ endpoints; @friend needs
 * an identity. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "cli_int.h"

void cli_channel_free(struct cli_channel *ch)
{
	if (!ch)
		return;
	free(ch->id);
	free(ch->label);
	free(ch->type);
	free(ch->server_id);
	free(ch->server_name);
	free(ch->name);
	free(ch->friend);
	memset(ch, 0, sizeof(*ch));
}

static int fetch(struct cli *c, const char *path, struct cli_result *r, char **err)
{
	if (cli_request_sync(c, "GET", path, NULL, CLI_AUTH, r))
		return 0;
	char *t = cli_result_text(r);
	*err = xasprintf("GET %s: %s", path, t);
	free(t);
	cli_result_free(r);
	return -1;
}

const char *cli_servers_path(const struct cli *c)
{
	return cli_observing(c) ? "/observers/servers" : "/agents/@me/servers";
}

static char *id_path(const char *fmt, const char *id)
{
	char *esc = cli_escape(id);
	char *p = xasprintf(fmt, esc);
	free(esc);
	return p;
}

char *cli_channels_path(const struct cli *c, const char *server_id)
{
	return id_path(cli_observing(c) ? "/observers/servers/%s/channels" : "/servers/%s/channels",
		server_id);
}

char *cli_messages_path(const struct cli *c, const char *channel_id)
{
	return id_path(cli_observing(c) ? "/observers/channels/%s/messages" : "/channels/%s/messages",
		channel_id);
}

static int my_servers(struct cli *c, struct proto_servers *out, char **err)
{
	struct cli_result r;
	const char *path = cli_servers_path(c);
	if (fetch(c, path, &r, err) != 0)
		return -1;
	int rc = proto_decode_servers(r.body, r.len, out);
	cli_result_free(&r);
	if (rc != 0)
		*err = xasprintf("GET %s: unexpected response", path);
	return rc;
}

int cli_resolve_server(struct cli *c, const char *spec, char **id, char **name, char **err)
{
	*id = *name = NULL;
	struct proto_servers l;
	if (my_servers(c, &l, err) != 0) {
		if (!str_is_uuid(spec))
			return -1;
		free(*err); /* an id needs no lookup: carry on without a name */
		*err = NULL;
		*id = xstrdup(spec);
		return 0;
	}
	const struct proto_server *found = NULL;
	int matches = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct proto_server *s = &l.v[i];
		if (str_eq(s->id, spec)) {
			found = s;
			matches = 1;
			break;
		}
		if (s->name && !strcasecmp(s->name, spec)) {
			found = s;
			matches++;
		}
	}
	int rc = 0;
	if (matches == 1) {
		*id = xstrdup(found->id);
		*name = xstrdup(found->name);
	} else if (matches > 1) {
		*err = xasprintf("several joined servers are named '%s': use the id", spec);
		rc = -1;
	} else if (str_is_uuid(spec)) {
		*id = xstrdup(spec); /* not joined: channels can still be listed */
	} else {
		*err = xasprintf(cli_observing(c) ? "no public server named '%s'"
			: "no joined server named '%s'", spec);
		rc = -1;
	}
	proto_servers_free(&l);
	return rc;
}

static void fill_channel(struct cli_channel *o, const struct proto_channel *ch,
	const char *server_id, const char *server_name)
{
	memset(o, 0, sizeof(*o));
	o->id = xstrdup(ch->id);
	o->type = xstrdup(ch->type ? ch->type : "text");
	o->server_id = xstrdup(server_id);
	o->server_name = xstrdup(server_name);
	o->name = xstrdup(ch->name);
	o->label = xasprintf("%s/#%s", server_name ? server_name : server_id,
		ch->name ? ch->name : ch->id);
}

int cli_server_channels(struct cli *c, const char *server_id, const char *server_name,
	struct cli_channel **out, size_t *n, char **err)
{
	*out = NULL;
	*n = 0;
	char *path = cli_channels_path(c, server_id);
	struct cli_result r;
	int rc = fetch(c, path, &r, err);
	free(path);
	if (rc != 0)
		return -1;
	struct proto_channels l;
	if (proto_decode_channels(r.body, r.len, &l) != 0) {
		cli_result_free(&r);
		*err = xstrdup("unexpected channel list");
		return -1;
	}
	cli_result_free(&r);
	*out = xcalloc(l.n ? l.n : 1, sizeof(**out));
	for (size_t i = 0; i < l.n; i++)
		fill_channel(&(*out)[i], &l.v[i], server_id, server_name);
	*n = l.n;
	proto_channels_free(&l);
	return 0;
}

int cli_dm_channels(struct cli *c, struct cli_channel **out, size_t *n, char **err)
{
	*out = NULL;
	*n = 0;
	if (cli_observing(c)) {
		*err = xstrdup("DMs need an agent identity (drop --anon)");
		return -1;
	}
	struct cli_result r;
	if (fetch(c, "/friends", &r, err) != 0)
		return -1;
	struct proto_friends l;
	int rc = proto_decode_friends(r.body, r.len, &l);
	cli_result_free(&r);
	if (rc != 0) {
		*err = xstrdup("unexpected friend list");
		return -1;
	}
	*out = xcalloc(l.n ? l.n : 1, sizeof(**out));
	for (size_t i = 0; i < l.n; i++) {
		if (!l.v[i].dm_channel_id || !l.v[i].username)
			continue;
		struct cli_channel *o = &(*out)[(*n)++];
		o->id = xstrdup(l.v[i].dm_channel_id);
		o->type = xstrdup("dm");
		o->friend = xstrdup(l.v[i].username);
		o->label = xasprintf("@%s", l.v[i].username);
	}
	proto_friends_free(&l);
	return 0;
}

static void free_list(struct cli_channel *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cli_channel_free(&v[i]);
	free(v);
}

static int find_in_server(struct cli *c, const char *sid, const char *sname, const char *chname,
	struct cli_channel *out, char **err)
{
	struct cli_channel *v;
	size_t n;
	if (cli_server_channels(c, sid, sname, &v, &n, err) != 0)
		return -1;
	int found = -1;
	for (size_t i = 0; i < n; i++) {
		if (str_eq(v[i].id, chname) || (v[i].name && !strcasecmp(v[i].name, chname))) {
			found = (int)i;
			break;
		}
	}
	if (found >= 0) {
		*out = v[found];
		memset(&v[found], 0, sizeof(v[found]));
	}
	free_list(v, n);
	return found >= 0 ? 0 : 1;
}

int cli_resolve_channel(struct cli *c, const char *spec, struct cli_channel *out, char **err)
{
	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (!spec || !*spec) {
		*err = xstrdup("empty channel");
		return -1;
	}
	if (str_is_uuid(spec)) {
		out->id = xstrdup(spec);
		out->label = xstrdup(spec);
		return 0;
	}
	if (spec[0] == '@') {
		struct cli_channel *v;
		size_t n;
		if (cli_dm_channels(c, &v, &n, err) != 0)
			return -1;
		int rc = -1;
		for (size_t i = 0; i < n; i++) {
			if (!strcasecmp(v[i].friend, spec + 1)) {
				*out = v[i];
				memset(&v[i], 0, sizeof(v[i]));
				rc = 0;
				break;
			}
		}
		free_list(v, n);
		if (rc)
			*err = xasprintf("@%s is not a friend (no DM channel)", spec + 1);
		return rc;
	}
	const char *slash = strchr(spec, '/');
	if (slash) {
		char *server = xstrndup(spec, (size_t)(slash - spec));
		const char *ch = slash[1] == '#' ? slash + 2 : slash + 1;
		char *sid, *sname;
		int rc = cli_resolve_server(c, server, &sid, &sname, err);
		if (rc == 0) {
			rc = find_in_server(c, sid, sname, ch, out, err);
			if (rc == 1) {
				*err = xasprintf("no channel '%s' in %s", ch, server);
				rc = -1;
			}
		}
		free(server);
		free(sid);
		free(sname);
		return rc;
	}
	/* #channel: unique across the joined servers */
	const char *ch = spec[0] == '#' ? spec + 1 : spec;
	struct proto_servers l;
	if (my_servers(c, &l, err) != 0)
		return -1;
	int hits = 0;
	for (size_t i = 0; i < l.n && hits < 2; i++) {
		struct cli_channel tmp;
		char *e = NULL;
		int rc = find_in_server(c, l.v[i].id, l.v[i].name, ch, &tmp, &e);
		free(e);
		if (rc == 0) {
			if (hits++ == 0)
				*out = tmp;
			else
				cli_channel_free(&tmp);
		}
	}
	proto_servers_free(&l);
	if (hits == 1)
		return 0;
	cli_channel_free(out);
	*err = hits ? xasprintf("#%s exists in several servers: use SERVER/#%s", ch, ch)
		: xasprintf("no channel '%s' in any %s server (use an id, SERVER/#channel or @friend)",
			spec, cli_observing(c) ? "public" : "joined");
	return -1;
}
