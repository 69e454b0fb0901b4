/* The message log of the current channel, drawn bottom-up.
 *
 * Entries are the channel's messages merged by time with the model's notices. Each entry is
 * laid out into visual lines (wrapped by display width with utf8_wrap, the same width function
 * the rest of the UI uses); lines are collected from the newest entry backwards only until
 * the screen plus the scroll offset is covered, so a long history costs nothing per draw.
 *
 * Following the bottom, the newest line is on the last row. Scrolled up, the view is anchored
 * to an entry (t->anchor, a position that survives older pages arriving and new messages
 * being appended): every draw counts the lines below the anchor again, so new messages never
 * move what is on screen; a marker says how many arrived. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

#define SEGS_MAX 8
#define CODE_GUTTER "│ "
#define NAME_MAX_COLS 20

struct seg {
	int role;
	char *text;   /* sanitised, one line */
	int searchable;
};

struct vline {
	int indent;
	int n;
	int hit;      /* part of the current search hit */
	int borrowed; /* the texts belong to the layout cache */
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
		v->seg[v->n].searchable = 0;
		v->n++;
	}
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int k = 0; k < l->v[i].n && !l->v[i].borrowed; k++)
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

/* The layout cache: a message's lines depend only on the message, the log's width, the
 * identity that reads it and the time format, except while it is ours and pending or
 * failed, carries our reactions, or is the search hit. Those are laid out on every draw;
 * the others are kept, so a draw no longer sanitises and wraps every message it shows.
 * Direct-mapped by the message's address; the id and time are compared too, so a new
 * message at a freed one's address is never mistaken for it. An entry used by the current
 * draw is never replaced in it (the stack borrows its lines). */
#define LOG_CACHE_SLOTS 512

struct log_cache_entry {
	const struct mdl_message *m; /* NULL: empty */
	char *id;
	int64_t ms;
	int width;
	const struct mdl_account *acct;
	const char *agent_id;        /* own messages are coloured as such */
	unsigned used;               /* the draw that last used it */
	struct lines lines;          /* top-down */
};

struct log_cache {
	struct log_cache_entry slot[LOG_CACHE_SLOTS];
	unsigned draw;
	char *time_format;           /* what the entries were laid out with */
};

static void cache_entry_clear(struct log_cache_entry *e)
{
	lines_free(&e->lines);
	free(e->id);
	memset(e, 0, sizeof(*e));
}

void pane_log_free(struct tui *t)
{
	struct log_cache *lc = t->log_cache;
	if (!lc)
		return;
	for (size_t i = 0; i < LOG_CACHE_SLOTS; i++)
		cache_entry_clear(&lc->slot[i]);
	free(lc->time_format);
	free(lc);
	t->log_cache = NULL;
}

/* At the start of each draw: a new draw number; a changed time format empties it. */
static struct log_cache *cache_begin(struct tui *t)
{
	struct log_cache *lc = t->log_cache;
	const char *fmt = t->cfg->timestamp_format ? t->cfg->timestamp_format : "";
	if (lc && !str_eq(lc->time_format, fmt))
		pane_log_free(t);
	if (!t->log_cache) {
		t->log_cache = lc = xcalloc(1, sizeof(*lc));
		lc->time_format = xstrdup(fmt);
	}
	lc = t->log_cache;
	lc->draw++;
	return lc;
}

static struct log_cache_entry *cache_slot(struct log_cache *lc, const struct mdl_message *m)
{
	uint64_t h = (uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ULL;
	return &lc->slot[(h >> 40) % LOG_CACHE_SLOTS];
}

static int cache_matches(const struct tui *t, const struct log_cache_entry *e,
	const struct mdl_message *m, int width)
{
	return e->m == m && e->ms == m->created_ms && e->width == width && e->acct == t->acct &&
		e->agent_id == t->acct->agent_id && str_eq(e->id, m->id);
}

/* Push an entry's lines (top-down) onto the bottom-up stack, borrowing their texts. */
static void lines_push_borrowed(struct lines *to, const struct lines *from)
{
	for (size_t i = from->n; i-- > 0;) {
		struct vline *v = lines_push(to, 0);
		*v = from->v[i];
		v->borrowed = 1;
	}
}

/* Keep what `tmp` holds (one message, top-down) in the entry; tmp is left empty. */
static void cache_store(struct log_cache_entry *e, const struct tui *t,
	const struct mdl_message *m, int width, unsigned draw, struct lines *tmp)
{
	cache_entry_clear(e);
	e->m = m;
	e->id = xstrdup(m->id ? m->id : "");
	e->ms = m->created_ms;
	e->width = width;
	e->acct = t->acct;
	e->agent_id = t->acct->agent_id;
	e->used = draw;
	e->lines.v = xcalloc(tmp->n, sizeof(*e->lines.v));
	memcpy(e->lines.v, tmp->v, tmp->n * sizeof(*e->lines.v));
	e->lines.n = e->lines.cap = tmp->n;
	tmp->n = 0;
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

/* The time prefix; returns its width. */
static int add_time(struct tui *t, struct vline *v, int64_t ms)
{
	char when[64];
	struct tm tm = local_tm(ms);
	const char *fmt = t->cfg->timestamp_format;
	if (!fmt || !*fmt)
		return 0;
	if (strftime(when, sizeof(when), fmt, &tm) == 0)
		return 0;
	char clean[128];
	utf8_sanitize_into(when, 0, clean, sizeof(clean));
	clean[utf8_fit(clean, 32, NULL)] = '\0';
	vline_add(v, TR_TIME, clean, strlen(clean));
	vline_add(v, TR_DEFAULT, " ", 1);
	return (int)utf8_width(clean) + 1;
}

/* Wrap `clean` (sanitised, newlines kept) into lines of `cols`, the first one continuing
 * `first` (already holding a prefix), the others indented by `indent`. */
static void add_wrapped(struct lines *out, struct vline *first, const char *clean, int cols,
	int indent, int role, const char *gutter, int gutter_role, int hit)
{
	size_t n = utf8_wrap(clean, (size_t)(cols > 0 ? cols : 1), NULL, 0);
	struct utf8_line *ls = xcalloc(n ? n : 1, sizeof(*ls));
	utf8_wrap(clean, (size_t)(cols > 0 ? cols : 1), ls, n);
	for (size_t i = 0; i < n; i++) {
		struct vline *v = (i == 0 && first) ? first : lines_push(out, indent);
		v->hit = hit;
		if (gutter)
			vline_add(v, gutter_role, gutter, strlen(gutter));
		vline_add(v, role, clean + ls[i].start, ls[i].len);
		v->seg[v->n - 1].searchable = 1;
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

/* Text after a message: on its last line when it fits there, else on a line of its own. */
static void append_tail(struct lines *out, int width, int pw, int role, const char *tail)
{
	struct vline *last = &out->v[out->n - 1];
	int used = last->indent;
	for (int s = 0; s < last->n; s++)
		used += (int)utf8_width(last->seg[s].text);
	if (used + (int)utf8_width(tail) <= width && last->n < SEGS_MAX) {
		vline_add(last, role, tail, strlen(tail));
	} else {
		struct vline *mv = lines_push(out, pw < width ? pw : 0);
		vline_add(mv, role, tail + 1, strlen(tail + 1));
	}
}

/* " [+👍 +🎉]": the reactions this client made (the protocol never reports reactions). */
static char *my_reactions(struct tui *t, const struct mdl_message *m)
{
	const char *const *emojis = NULL;
	size_t n = t->client && m->state == MDL_MSG_STORED && m->id ?
		mc_client_my_reactions(t->client, m->id, &emojis) : 0;
	if (!n)
		return NULL;
	struct buf b = BUF_INIT;
	buf_puts(&b, " [");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s+%s", i ? " " : "", emojis[i]);
	buf_puts(&b, "]");
	char *clean = utf8_sanitize(buf_cstr(&b), 0);
	buf_free(&b);
	return clean;
}

static void render_message(struct tui *t, const struct mdl_message *m, int width,
	struct lines *out)
{
	struct vline *v = lines_push(out, 0);
	int hit = search_is_hit(t, m);
	v->hit = hit;
	int pw = add_time(t, v, m->created_ms);

	const char *user = m->author_username ? m->author_username : t->acct->username;
	int own = is_own(t, m);
	int name_role = own ? TR_SELF : TR_AUTHOR0 + theme_author_index(user);
	int show_user = m->author_display && *m->author_display && user &&
		strcmp(m->author_display, user) != 0;
	char *name = clipped_name(show_user ? m->author_display : user ? user : "?");
	pw += (int)utf8_width(name);
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
	char *queued = NULL;
	if (m->state == MDL_MSG_PENDING) {
		/* Held back by the rate limit: say when it goes. */
		struct mdl_channel *c = tui_cur_channel(t);
		double wait = c && t->client ? mc_client_send_wait(t->client, c->id) : 0;
		if (wait > 0)
			queued = xasprintf(" (queued, sends in %.0fs)", wait < 1 ? 1. : wait + 0.5);
		marker = queued ? queued : " (sending…)";
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
		add_wrapped(out, NULL, clean, width - 4, 2, TR_CODE, CODE_GUTTER, TR_CODE, hit);
	} else if (width - pw >= 12) {
		add_wrapped(out, v, clean, width - pw, pw, text_role, NULL, 0, hit);
	} else {
		add_wrapped(out, NULL, clean, width - 2, 2, text_role, NULL, 0, hit);
	}
	free(clean);
	if (marker)
		append_tail(out, width, pw, m->state == MDL_MSG_FAILED ? TR_FAILED : TR_PENDING,
			marker);
	char *reactions = my_reactions(t, m);
	if (reactions)
		append_tail(out, width, pw, TR_HINT, reactions);
	free(reactions);
	free(failed);
	free(queued);
}

/* Changes the look of a message from draw to draw: never cached. */
static int message_varies(struct tui *t, const struct mdl_message *m)
{
	const char *const *emojis = NULL;
	return m->state != MDL_MSG_STORED || search_is_hit(t, m) ||
		(t->client && m->id && mc_client_my_reactions(t->client, m->id, &emojis) > 0);
}

/* A message's lines onto the bottom-up stack, from the cache when they are there. */
static void push_message(struct tui *t, struct log_cache *lc, const struct mdl_message *m,
	int width, struct lines *stack, struct lines *tmp)
{
	if (message_varies(t, m)) {
		render_message(t, m, width, tmp);
		lines_move_reversed(stack, tmp);
		return;
	}
	struct log_cache_entry *e = cache_slot(lc, m);
	if (cache_matches(t, e, m, width)) {
		e->used = lc->draw;
		lines_push_borrowed(stack, &e->lines);
		return;
	}
	render_message(t, m, width, tmp);
	if (e->m && e->used == lc->draw) {
		lines_move_reversed(stack, tmp); /* its slot is in use by this draw */
		return;
	}
	cache_store(e, t, m, width, lc->draw, tmp);
	lines_push_borrowed(stack, &e->lines);
}

static void render_notice(struct tui *t, const struct mdl_notice *n, int width,
	struct lines *out)
{
	struct vline *v = lines_push(out, 0);
	int pw = add_time(t, v, n->at_ms);
	int role = n->level >= 2 ? TR_ERROR : n->level == 1 ? TR_WARNING : TR_NOTICE;
	vline_add(v, role, "-!- ", 4);
	pw += 4;
	if (width - pw < 12)
		pw = 0;
	char *clean = utf8_sanitize(n->text, 1);
	add_wrapped(out, pw ? v : NULL, clean, width - pw, pw, role, NULL, 0, 0);
	free(clean);
}

static void render_day(int64_t ms, struct lines *out)
{
	char day[64];
	struct tm tm = local_tm(ms);
	strftime(day, sizeof(day), "── %a %d %b %Y ──", &tm);
	vline_add(lines_push(out, 0), TR_DAY, day, strlen(day));
}

static void render_banner(const struct mdl_channel *c, int cleared, struct lines *out)
{
	const char *text;
	if (cleared)
		text = "view cleared (/clear)";
	else if (c->history == MDL_HIST_COMPLETE)
		text = "start of the conversation";
	else if (c->history == MDL_HIST_LOADING || c->history == MDL_HIST_NONE)
		text = "loading messages…";
	else
		text = "PgUp for older messages";
	char *line = xasprintf("─ %s ─", text);
	vline_add(lines_push(out, 0), TR_DAY, line, strlen(line));
	free(line);
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

/* Is the cursor at or before `p` (everything newer than p already taken)? */
static int cursor_at_or_before(const struct cursor *k, const struct log_pos *p)
{
	size_t pn = p->notices < k->notice_floor ? k->notice_floor : p->notices;
	if (k->notice > pn)
		return 0;
	if (k->msg == 0)
		return 1;
	return log_pos_cmp_msg(p, k->c->msgs[k->msg - 1]) <= 0;
}

static void cursor_pos(const struct cursor *k, struct log_pos *p)
{
	const struct mdl_message *m = k->msg ? k->c->msgs[k->msg - 1] : NULL;
	p->notices = k->notice;
	p->ms = m ? m->created_ms : -1;
	str_replace(&p->id, m ? m->id : NULL);
}

/* The cursor's next entry time, without taking it; 0 at the floor. */
static int cursor_peek_time(const struct cursor *k, const struct log_pos *floor, int64_t *at)
{
	if (floor && cursor_at_or_before(k, floor))
		return 0;
	struct cursor copy = *k;
	const struct mdl_message *m;
	const struct mdl_notice *n;
	return cursor_next(&copy, &m, &n, at);
}

/* Where each pulled entry starts in the stack, and the cursor just before it. */
struct entry_mark {
	size_t start;
	struct cursor before;
};

/* Messages at or before p: the index just past p's message in the sorted array (binary
 * search: the array is ordered by (created_ms, id), the order log_pos_cmp_msg compares). */
static size_t msgs_at_or_before(const struct mdl_channel *c, const struct log_pos *p)
{
	size_t lo = 0, hi = c->n_msgs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (log_pos_cmp_msg(p, c->msgs[mid]) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned count_newer(const struct mdl_channel *c, const struct log_pos *p)
{
	return (unsigned)(c->n_msgs - msgs_at_or_before(c, p));
}

/* Where the walk starts. Following the bottom: the newest entry. Anchored: `extra` messages
 * newer than the anchor (every entry is at least one line, so they cover whatever the view
 * needs below the anchor), with the notices at or before the newest of them; a view deep in
 * a long scrollback then costs what a page costs instead of everything below it. */
static void cursor_start(struct tui *t, struct cursor *k, size_t extra)
{
	const struct mdl_channel *c = k->c;
	k->msg = c ? c->n_msgs : 0;
	k->notice = t->model->n_notices;
	if (!c || !t->anchored)
		return;
	size_t at = msgs_at_or_before(c, &t->anchor);
	if (at + extra >= c->n_msgs)
		return;
	k->msg = at + extra;
	/* A message is drawn after (below) the notices of its own time. */
	int64_t ms = c->msgs[k->msg - 1]->created_ms;
	while (k->notice > k->notice_floor &&
		k->m->notices[(k->notice - 1) % MDL_NOTICES].at_ms > ms)
		k->notice--;
}

/* The visual lines of the log, bottom-up, from the walk's start to where the view is. */
struct walk {
	struct lines stack, tmp;
	struct entry_mark *marks;
	size_t n_marks;
	struct cursor k;
	int found, exhausted, at_floor, from_newest;
	long base, target;
};

static void walk_free(struct walk *w)
{
	free(w->marks);
	lines_free(&w->stack);
	lines_free(&w->tmp);
	memset(w, 0, sizeof(*w));
}

static void walk_log(struct tui *t, struct log_cache *lc, struct mdl_channel *c,
	const struct log_pos *floor, int h, int width, size_t extra, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	struct cursor *k = &w->k;
	k->c = c;
	k->m = t->model;
	k->notice_floor = t->model->n_notices > MDL_NOTICES ? t->model->n_notices - MDL_NOTICES : 0;
	cursor_start(t, k, extra);
	w->from_newest = k->msg == (c ? c->n_msgs : 0);
	int anchored = t->anchored && c;
	w->found = !anchored;
	w->target = t->scroll_req > 0 ? t->scroll_req : 0;
	while (1) {
		if (!w->found && cursor_at_or_before(k, &t->anchor)) {
			w->found = 1;
			w->base = (long)w->stack.n + t->anchor_skip;
		}
		if (w->found) {
			w->target = w->base + t->scroll_req;
			if (w->target < 0)
				w->target = 0;
			if ((long)w->stack.n >= w->target + h)
				break;
		}
		if (floor && cursor_at_or_before(k, floor)) {
			w->exhausted = w->at_floor = 1;
			break;
		}
		const struct mdl_message *m;
		const struct mdl_notice *n;
		int64_t at, older;
		struct cursor before = *k;
		if (!cursor_next(k, &m, &n, &at)) {
			w->exhausted = 1;
			break;
		}
		w->marks = xrealloc(w->marks, (w->n_marks + 1) * sizeof(*w->marks));
		w->marks[w->n_marks].start = w->stack.n;
		w->marks[w->n_marks++].before = before;
		if (m) {
			push_message(t, lc, m, width, &w->stack, &w->tmp);
		} else {
			render_notice(t, n, width, &w->tmp);
			lines_move_reversed(&w->stack, &w->tmp);
		}
		if (!cursor_peek_time(k, floor, &older) || day_key(older) != day_key(at)) {
			render_day(at, &w->tmp);
			lines_move_reversed(&w->stack, &w->tmp);
		}
	}
	if (!w->found) {
		w->base = (long)w->stack.n;
		w->target = w->base + t->scroll_req;
	}
	if (w->exhausted && c) {
		render_banner(c, w->at_floor, &w->tmp);
		lines_move_reversed(&w->stack, &w->tmp);
	}
	if (w->target < 0)
		w->target = 0;
}

static void draw_highlighted(struct tui *t, WINDOW *w, int row, int *x, int width,
	const struct seg *s, int hit)
{
	const char *p = s->text;
	size_t qlen = t->search_query ? strlen(t->search_query) : 0;
	const char *q = s->searchable && t->search != SEARCH_OFF && qlen ? t->search_query : NULL;
	while (*p && *x < width) {
		const char *f = q ? search_find(p, q) : NULL;
		size_t plain = f ? (size_t)(f - p) : strlen(p);
		*x += draw_text(w, row, *x, p, plain, width - *x, t->attr[s->role]);
		p += plain;
		if (!f)
			break;
		*x += draw_text(w, row, *x, p, qlen, width - *x,
			t->attr[hit ? TR_SEARCH_CURRENT : TR_SEARCH]);
		p += qlen;
	}
}

void pane_log_draw(struct tui *t, WINDOW *w)
{
	int h, width;
	getmaxyx(w, h, width);
	struct mdl_channel *c = tui_cur_channel(t);
	struct chan_state *cs = c ? chan_state(t, c) : NULL;
	const struct log_pos *floor = cs && cs->cleared ? &cs->clear : NULL;

	/* Lines needed below the anchor: what the view scrolls down by, plus a screen in case
	 * the top of the log is reached and the view is clamped there. */
	long below = -((long)t->anchor_skip + t->scroll_req);
	size_t extra = (size_t)(below > 0 ? below : 0) + 1;
	struct log_cache *lc = cache_begin(t);
	struct walk wk;
	walk_log(t, lc, c, floor, h, width, extra, &wk);
	if (wk.exhausted && !wk.from_newest && wk.target + h > (long)wk.stack.n) {
		/* The top was reached with too few lines below it to fill the screen. */
		walk_free(&wk);
		walk_log(t, lc, c, floor, h, width, extra + (size_t)h, &wk);
	}
	struct lines stack = wk.stack;
	struct entry_mark *marks = wk.marks;
	size_t n_marks = wk.n_marks;
	struct cursor k = wk.k;
	int exhausted = wk.exhausted, at_floor = wk.at_floor;
	long target = wk.target;
	/* Clamp at the top of what exists. */
	t->log_at_top = exhausted && !at_floor && target + h >= (long)stack.n;
	if (exhausted && target + h > (long)stack.n)
		target = stack.n > (size_t)h ? (long)(stack.n - (size_t)h) : 0;
	t->scroll_req = 0;
	t->scroll = (int)target;

	/* Re-anchor at the entry on the bottom row, or follow the bottom again. */
	if (target == 0 || !c) {
		t->anchored = 0;
		t->new_below = 0;
	} else {
		if (!t->anchored)
			log_pos_newest(t, c, &t->newest_seen);
		size_t i = n_marks;
		while (i > 0 && marks[i - 1].start > (size_t)target)
			i--;
		if (i > 0) {
			cursor_pos(&marks[i - 1].before, &t->anchor);
			t->anchor_skip = (int)(target - (long)marks[i - 1].start);
		} else {
			cursor_pos(&k, &t->anchor);
			t->anchor_skip = (int)(target - (long)stack.n);
		}
		t->anchored = 1;
		t->new_below = count_newer(c, &t->newest_seen);
	}

	for (int row = 0; row < h; row++) {
		size_t idx = (size_t)target + (size_t)(h - 1 - row);
		if (idx >= stack.n)
			continue;
		const struct vline *v = &stack.v[idx];
		int x = v->indent;
		for (int s = 0; s < v->n && x < width; s++)
			draw_highlighted(t, w, row, &x, width, &v->seg[s], v->hit);
	}
	if (t->anchored && h > 1) {
		char *text = t->new_below ?
			xasprintf("── %u new message%s below · End to jump ──", t->new_below,
				t->new_below == 1 ? "" : "s") :
			xstrdup("── more below · End to jump ──");
		int role = t->new_below ? TR_MARKER : TR_HINT;
		int tw = (int)utf8_width(text);
		int x = tw < width ? (width - tw) / 2 : 0;
		draw_fill(w, h - 1, 0, width, t->attr[TR_DEFAULT]);
		draw_text(w, h - 1, x, text, strlen(text), width - x, t->attr[role]);
		free(text);
	}
	walk_free(&wk);
}
