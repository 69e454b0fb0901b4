/* The member list: presence mark, role badge (★ owner, ◆ admin) and name, online first,
 * then owners and admins, then by name. A member listed in the channel's
 * last `presence` frame counts as online even when REST said offline (the official observer
 * UI does the same: a presence frame can only upgrade a member, never downgrade one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "tui_priv.h"

struct shown {
	struct mdl_member *m;
	enum mdl_presence p;
};

static int presence_rank(enum mdl_presence p)
{
	switch (p) {
	case MDL_PRES_ONLINE: return 0;
	case MDL_PRES_IDLE: return 1;
	default: return 2;
	}
}

static int role_rank(const char *role)
{
	return str_eq(role, "owner") ? 0 : str_eq(role, "admin") ? 1 : 2;
}

static const char *shown_name(const struct mdl_member *m)
{
	return m->display_name && *m->display_name ? m->display_name :
		m->username ? m->username : "?";
}

static int cmp_shown(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;
	int d = presence_rank(x->p) - presence_rank(y->p);
	if (d)
		return d;
	d = role_rank(x->m->role) - role_rank(y->m->role);
	if (d)
		return d;
	return strcasecmp(shown_name(x->m), shown_name(y->m));
}

static enum mdl_presence member_presence(const struct mdl_channel *c, const struct mdl_member *m)
{
	enum mdl_presence p = m->presence;
	if (c && m->agent_id && mdl_presence_has(c, m->agent_id) && p != MDL_PRES_IDLE)
		p = MDL_PRES_ONLINE;
	return p;
}

static void forget_rows(struct tui *t)
{
	for (size_t i = 0; i < t->n_member_rows; i++)
		free(t->member_rows[i]);
	free(t->member_rows);
	t->member_rows = NULL;
	t->n_member_rows = 0;
}

/* A click on a member (row 0 is the title): their profile, as /whois. */
void pane_members_click(struct tui *t, int row)
{
	if (row < 1 || (size_t)row > t->n_member_rows || !t->member_rows[row - 1])
		return;
	char *name = xstrdup(t->member_rows[row - 1]);
	host_whois(t, name);
	free(name);
}

void pane_members_draw(struct tui *t, WINDOW *w)
{
	forget_rows(t);
	int h, wd;
	getmaxyx(w, h, wd);
	struct mdl_server *s = tui_cur_server(t);
	struct mdl_channel *c = tui_cur_channel(t);
	size_t n = s ? s->n_members : 0;
	char title[48];
	snprintf(title, sizeof(title), "members — %zu", n);
	draw_fill(w, 0, 0, wd, t->attr[TR_TITLE]);
	draw_text(w, 0, 1, title, strlen(title), wd - 1, t->attr[TR_TITLE]);
	if (n == 0)
		return;

	struct shown *list = xcalloc(n, sizeof(*list));
	for (size_t i = 0; i < n; i++) {
		list[i].m = s->members[i];
		list[i].p = member_presence(c, s->members[i]);
	}
	qsort(list, n, sizeof(*list), cmp_shown);
	t->member_rows = xcalloc(n, sizeof(char *));
	for (int r = 0; r + 1 < h && (size_t)r < n; r++) {
		const struct shown *e = &list[r];
		t->member_rows[t->n_member_rows++] = e->m->username ? xstrdup(e->m->username) : NULL;
		const char *mark;
		int role;
		switch (e->p) {
		case MDL_PRES_ONLINE: mark = "●"; role = TR_PRES_ONLINE; break;
		case MDL_PRES_IDLE: mark = "◐"; role = TR_PRES_IDLE; break;
		default: mark = "○"; role = TR_PRES_OFFLINE; break;
		}
		int y = r + 1;
		draw_text(w, y, 1, mark, strlen(mark), wd - 1, t->attr[role]);
		/* The server role after the mark: ★ owner, ◆ admin. */
		const char *badge = str_eq(e->m->role, "owner") ? "★" :
			str_eq(e->m->role, "admin") ? "◆" : " ";
		draw_text(w, y, 2, badge, strlen(badge), wd - 2,
			t->attr[str_eq(e->m->role, "owner") ? TR_ROLE_OWNER : TR_ROLE_ADMIN]);
		attr_t a = str_eq(e->m->agent_id, t->acct->agent_id) ? t->attr[TR_SELF] :
			t->attr[TR_AUTHOR0 + theme_author_index(e->m->username)];
		draw_untrusted(w, y, 4, shown_name(e->m), wd - 4, a);
	}
	free(list);
}
