/* The message log of the current channel, drawn bottom-up.
 *
 * Entries are the channel's messages merged by time with the model's notices. Each entry is
 * laid out into visual lines (wrapped by display width with utf8_wrap, the same width function
 * the rest of the UI uses); lines are collected from the newest entry backwards only until
 * the screen plus the scroll offset is covered, so a long history costs nothing per draw.
 * `t->scroll` counts lines up from the bottom, which keeps the view steady when older pages
 * arrive above it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

#define SEGS_MAX 6
#define CODE_GUTTER "│ "
#define NAME_MAX_COLS 20

struct seg {
	int role;
	char *text;   /* sanitised, one line */
};

struct vline {
	int indent;
	int n;
	struct seg seg[SEGS_MAX];
};

struct lines {
	struct vline *v;
	size_t n, cap;
};

static struct vline *lines_push(struct lines *l, int indent)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	struct vline *v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	v->indent = indent;
	return v;
}

static void vline_add(struct vline *v, int role, const char *s, size_t n)
{
	if (v->n < SEGS_MAX) {
		v->seg[v->n].role = role;
		v->seg[v->n].text = xstrndup(s, n);
		v->n++;
	}
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int k = 0; k < l->v[i].n; k++)
			free(l->v[i].seg[k].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Move `from` (top-down) onto the bottom-up stack `to`, emptying `from`. */
static void lines_move_reversed(struct lines *to, struct lines *from)
{
	for (size_t i = from->n; i-- > 0;) {
		struct vline *v = lines_push(to, 0);
		*v = from->v[i];
	}
	from->n = 0;
}

static struct tm local_tm(int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	return tm;
}

static int day_key(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void add_time(struct vline *v, int64_t ms)
{
	char hhmm[8];
	struct tm tm = local_tm(ms);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	vline_add(v, TR_TIME, hhmm, strlen(hhmm));
	vline_add(v, TR_DEFAULT, " ", 1);
}

/* Wrap `clean` (sanitised, newlines kept) into lines of `cols`, the first one continuing
 * `first` (already holding a prefix), the others indented by `indent`. */
static void add_wrapped(struct lines *out, struct vline *first, const char *clean, int cols,
	int indent, int role, const char *gutter, int gutter_role)
{
	size_t n = utf8_wrap(clean, (size_t)(cols > 0 ? cols : 1), NULL, 0);
	struct utf8_line *ls = xcalloc(n ? n : 1, sizeof(*ls));
	utf8_wrap(clean, (size_t)(cols > 0 ? cols : 1), ls, n);
	for (size_t i = 0; i < n; i++) {
		struct vline *v = (i == 0 && first) ? first : lines_push(out, indent);
		if (gutter)
			vline_add(v, gutter_role, gutter, strlen(gutter));
		vline_add(v, role, clean + ls[i].start, ls[i].len);
		first = NULL;
	}
	free(ls);
}

/* A name clipped to NAME_MAX_COLS, sanitised. */
static char *clipped_name(const char *raw)
{
	char *clean = utf8_sanitize(raw, 0);
	clean[utf8_fit(clean, NAME_MAX_COLS, NULL)] = '\0';
	return clean;
}

static int is_own(struct tui *t, const struct mdl_message *m)
{
	return m->state != MDL_MSG_STORED ||
		(t->acct->agent_id && str_eq(m->author_id, t->acct->agent_id));
}

static void render_message(struct tui *t, const struct mdl_message *m, int width,
	struct lines *out)
{
	struct vline *v = lines_push(out, 0);
	add_time(v, m->created_ms);

	const char *user = m->author_username ? m->author_username : t->acct->username;
	int own = is_own(t, m);
	int name_role = own ? TR_SELF : TR_AUTHOR0 + theme_author_index(user);
	int show_user = m->author_display && *m->author_display && user &&
		strcmp(m->author_display, user) != 0;
	char *name = clipped_name(show_user ? m->author_display : user ? user : "?");
	int pw = 6 + (int)utf8_width(name);
	vline_add(v, name_role, name, strlen(name));
	free(name);
	if (show_user) {
		char *u = clipped_name(user);
		char *at = xasprintf(" @%s", u);
		vline_add(v, TR_USERNAME, at, strlen(at));
		pw += (int)utf8_width(at);
		free(at);
		free(u);
	}
	const char *marker = NULL;
	char *failed = NULL;
	if (m->state == MDL_MSG_PENDING) {
		marker = " (sending…)";
	} else if (m->state == MDL_MSG_FAILED) {
		char *why = utf8_sanitize(m->error ? m->error : "not sent", 0);
		failed = xasprintf(" (failed: %s)", why);
		free(why);
		marker = failed;
	}
	vline_add(v, TR_DEFAULT, "  ", 2);
	pw += 2;

	int text_role = m->state == MDL_MSG_PENDING ? TR_PENDING :
		m->mentions_me && !own ? TR_MENTION : TR_DEFAULT;
	char *clean = utf8_sanitize(m->content, 1);
	if (str_eq(m->content_type, "code")) {
		/* A code block goes under the name line, indented, with a gutter. */
		add_wrapped(out, NULL, clean, width - 4, 2, TR_CODE, CODE_GUTTER, TR_CODE);
	} else if (width - pw >= 12) {
		add_wrapped(out, v, clean, width - pw, pw, text_role, NULL, 0);
	} else {
		add_wrapped(out, NULL, clean, width - 2, 2, text_role, NULL, 0);
	}
	free(clean);
	if (marker) {
		/* After the text when it fits there, else on a line of its own. */
		int role = m->state == MDL_MSG_FAILED ? TR_FAILED : TR_PENDING;
		struct vline *last = &out->v[out->n - 1];
		int used = last->indent;
		for (int s = 0; s < last->n; s++)
			used += (int)utf8_width(last->seg[s].text);
		if (used + (int)utf8_width(marker) <= width && last->n < SEGS_MAX) {
			vline_add(last, role, marker, strlen(marker));
		} else {
			struct vline *mv = lines_push(out, pw);
			vline_add(mv, role, marker + 1, strlen(marker + 1));
		}
	}
	free(failed);
}

static void render_notice(const struct mdl_notice *n, int width, struct lines *out)
{
	struct vline *v = lines_push(out, 0);
	add_time(v, n->at_ms);
	int role = n->level >= 2 ? TR_ERROR : n->level == 1 ? TR_WARNING : TR_NOTICE;
	vline_add(v, role, "-!- ", 4);
	char *clean = utf8_sanitize(n->text, 1);
	add_wrapped(out, v, clean, width - 10, 10, role, NULL, 0);
	free(clean);
}

static void render_day(int64_t ms, struct lines *out)
{
	char day[64];
	struct tm tm = local_tm(ms);
	strftime(day, sizeof(day), "── %a %d %b %Y ──", &tm);
	vline_add(lines_push(out, 0), TR_DAY, day, strlen(day));
}

static void render_banner(const struct mdl_channel *c, struct lines *out)
{
	char *text;
	if (c->history == MDL_HIST_COMPLETE)
		text = xstrdup("start of the conversation");
	else if (c->history == MDL_HIST_LOADING || c->history == MDL_HIST_NONE)
		text = xstrdup("loading messages…");
	else
		text = xstrdup("PgUp for older messages");
	char *line = xasprintf("─ %s ─", text);
	vline_add(lines_push(out, 0), TR_DAY, line, strlen(line));
	free(line);
	free(text);
}

/* Walks messages and notices from the newest backwards, by time. */
struct cursor {
	const struct mdl_channel *c;
	const struct mdl_model *m;
	size_t msg;      /* messages left: index of the next one is msg - 1 */
	size_t notice;   /* notices left, same convention, over the ring's total count */
	size_t notice_floor;
};

static int cursor_next(struct cursor *k, const struct mdl_message **msg,
	const struct mdl_notice **notice, int64_t *at)
{
	const struct mdl_message *m = k->msg ? k->c->msgs[k->msg - 1] : NULL;
	const struct mdl_notice *n = k->notice > k->notice_floor ?
		&k->m->notices[(k->notice - 1) % MDL_NOTICES] : NULL;
	*msg = NULL;
	*notice = NULL;
	if (m && (!n || m->created_ms >= n->at_ms)) {
		*msg = m;
		*at = m->created_ms;
		k->msg--;
		return 1;
	}
	if (n) {
		*notice = n;
		*at = n->at_ms;
		k->notice--;
		return 1;
	}
	return 0;
}

static int cursor_peek_time(const struct cursor *k, int64_t *at)
{
	struct cursor copy = *k;
	const struct mdl_message *m;
	const struct mdl_notice *n;
	return cursor_next(&copy, &m, &n, at);
}

void pane_log_draw(struct tui *t, WINDOW *w)
{
	int h, width;
	getmaxyx(w, h, width);
	struct mdl_channel *c = tui_cur_channel(t);
	struct cursor k = { .c = c, .m = t->model };
	k.msg = c ? c->n_msgs : 0;
	k.notice = t->model->n_notices;
	k.notice_floor = k.notice > MDL_NOTICES ? k.notice - MDL_NOTICES : 0;

	struct lines stack = { 0 }, tmp = { 0 };
	size_t want = (size_t)t->scroll + (size_t)h;
	int exhausted = 0;
	while (stack.n < want) {
		const struct mdl_message *m;
		const struct mdl_notice *n;
		int64_t at, older;
		if (!cursor_next(&k, &m, &n, &at)) {
			exhausted = 1;
			break;
		}
		if (m)
			render_message(t, m, width, &tmp);
		else
			render_notice(n, width, &tmp);
		lines_move_reversed(&stack, &tmp);
		if (!cursor_peek_time(&k, &older) || day_key(older) != day_key(at)) {
			render_day(at, &tmp);
			lines_move_reversed(&stack, &tmp);
		}
	}
	if (exhausted && c) {
		render_banner(c, &tmp);
		lines_move_reversed(&stack, &tmp);
	}
	/* Clamp the scroll at the top of what exists. */
	t->log_at_top = exhausted;
	if (exhausted && (size_t)t->scroll + (size_t)h > stack.n)
		t->scroll = stack.n > (size_t)h ? (int)(stack.n - (size_t)h) : 0;

	for (int row = 0; row < h; row++) {
		size_t idx = (size_t)t->scroll + (size_t)(h - 1 - row);
		if (idx >= stack.n)
			continue;
		const struct vline *v = &stack.v[idx];
		int x = v->indent;
		for (int s = 0; s < v->n && x < width; s++)
			x += draw_text(w, row, x, v->seg[s].text, strlen(v->seg[s].text), width - x,
				t->attr[v->seg[s].role]);
	}
	lines_free(&stack);
	lines_free(&tmp);
}
