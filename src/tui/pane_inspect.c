/* The protocol inspector (F9, /inspect): the process's wire ring (moltty/wirelog.h) drawn
 * above the message log. With the keyboard in it: Up/Down/PgUp/PgDn/Home/End select, Enter
 * pretty-prints the selected entry, '/' types a filter on op, method or path, Esc gives the
 * keyboard back. /inspect save writes entries as JSON lines; /raw sends a frame. Texts are
 * stored redacted by the ring and sanitised here when drawn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/isotime.h"
#include "moltty/utf8.h"
#include "moltty/wirelog.h"
#include "tui_priv.h"

#define ESC 0x1b
#define CTRL(c) ((c) & 0x1f)

struct inspect {
	int open;
	int focused;
	uint64_t sel_seq;     /* 0: follow the newest shown entry */
	uint64_t top_seq;     /* the first row drawn (keeps the list still while selecting) */
	int detail;           /* the selected entry pretty-printed below the list */
	int detail_top;       /* lines of the detail scrolled away */
	int editing;          /* typing the filter */
	struct buf filter;
	uint64_t drawn_seq;   /* the ring's last seq at the last draw */
	int list_rows;        /* rows of the list at the last draw (paging) */
};

static struct inspect *ins(struct tui *t)
{
	if (!t->inspect) {
		t->inspect = xcalloc(1, sizeof(*t->inspect)); /* the filter buf starts empty */
	}
	return t->inspect;
}

void inspect_free(struct tui *t)
{
	if (!t->inspect)
		return;
	buf_free(&t->inspect->filter);
	free(t->inspect);
	t->inspect = NULL;
}

int inspect_open(const struct tui *t)
{
	return t->inspect && t->inspect->open;
}

int inspect_focused(const struct tui *t)
{
	return t->inspect && t->inspect->open && t->inspect->focused;
}

int inspect_changed(const struct tui *t)
{
	return inspect_open(t) && t->inspect->drawn_seq != wirelog_last_seq(wirelog_global());
}

static void set_open(struct tui *t, int open, int focused)
{
	struct inspect *s = ins(t);
	s->open = open;
	s->focused = open && focused;
	s->editing = 0;
	t->ui_dirty = 1;
}

void inspect_toggle(struct tui *t)
{
	set_open(t, !inspect_open(t), 1);
}

static const char *filter_text(struct inspect *s)
{
	return s->filter.len ? s->filter.data : "";
}

static int matches(struct inspect *s, const struct wirelog_entry *e)
{
	const char *f = filter_text(s);
	return !*f || search_find(e->what, f) || (e->method && search_find(e->method, f));
}

/* The entries shown, oldest first (caller frees). */
static const struct wirelog_entry **shown(struct inspect *s, size_t *n_out)
{
	const struct wirelog *w = wirelog_global();
	size_t n = wirelog_count(w), k = 0;
	const struct wirelog_entry **v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const struct wirelog_entry *e = wirelog_at(w, i);
		if (matches(s, e))
			v[k++] = e;
	}
	*n_out = k;
	return v;
}

/* Index of the selected entry in v (n-1 when following or when it dropped out). */
static size_t selected_index(struct inspect *s, const struct wirelog_entry **v, size_t n)
{
	if (!n)
		return 0;
	if (s->sel_seq)
		for (size_t i = 0; i < n; i++)
			if (v[i]->seq == s->sel_seq)
				return i;
	return n - 1;
}

static void move_selection(struct tui *t, long delta, int to_end)
{
	struct inspect *s = t->inspect;
	size_t n;
	const struct wirelog_entry **v = shown(s, &n);
	if (n) {
		long i = (long)selected_index(s, v, n);
		i = to_end < 0 ? 0 : to_end > 0 ? (long)n - 1 : i + delta;
		if (i < 0)
			i = 0;
		/* moving onto the newest follows new entries again */
		s->sel_seq = i >= (long)n - 1 ? 0 : v[i]->seq;
		s->detail_top = 0;
	}
	free(v);
	t->ui_dirty = 1;
}

static void filter_changed(struct inspect *s)
{
	s->sel_seq = 0;
	s->top_seq = 0;
	s->detail_top = 0;
}

static int filter_key(struct tui *t, int is_keycode, wint_t ch)
{
	struct inspect *s = t->inspect;
	t->ui_dirty = 1;
	if (is_keycode) {
		if (ch == KEY_ENTER)
			s->editing = 0;
		else if (ch == KEY_BACKSPACE)
			goto backspace;
		return 1;
	}
	if (ch == ESC || ch == '\r' || ch == '\n') {
		s->editing = 0;
		return 1;
	}
	if (ch == 0x7f || ch == CTRL('H'))
		goto backspace;
	if (ch == CTRL('U')) {
		buf_reset(&s->filter);
		filter_changed(s);
		return 1;
	}
	if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0))
		return 1;
	char enc[5];
	buf_append(&s->filter, enc, utf8_encode((uint32_t)ch, enc));
	filter_changed(s);
	return 1;
backspace:
	while (s->filter.len > 0) {
		unsigned char c = (unsigned char)s->filter.data[--s->filter.len];
		if ((c & 0xC0) != 0x80)
			break;
	}
	if (s->filter.data)
		s->filter.data[s->filter.len] = '\0';
	filter_changed(s);
	return 1;
}

int inspect_key(struct tui *t, int is_keycode, wint_t ch)
{
	struct inspect *s = t->inspect;
	if (!inspect_focused(t))
		return 0;
	if (s->editing)
		return filter_key(t, is_keycode, ch);
	int page = s->list_rows > 1 ? s->list_rows - 1 : 1;
	if (is_keycode) {
		switch (ch) {
		case KEY_UP: move_selection(t, -1, 0); return 1;
		case KEY_DOWN: move_selection(t, 1, 0); return 1;
		case KEY_HOME: move_selection(t, 0, -1); return 1;
		case KEY_END: move_selection(t, 0, 1); return 1;
		case KEY_PPAGE:
			if (s->detail) {
				s->detail_top = s->detail_top > page ? s->detail_top - page : 0;
				t->ui_dirty = 1;
			} else {
				move_selection(t, -page, 0);
			}
			return 1;
		case KEY_NPAGE:
			if (s->detail) {
				s->detail_top += page;
				t->ui_dirty = 1;
			} else {
				move_selection(t, page, 0);
			}
			return 1;
		case KEY_ENTER:
			s->detail = !s->detail;
			s->detail_top = 0;
			t->ui_dirty = 1;
			return 1;
		default: return 0; /* F-keys and the rest work as usual */
		}
	}
	switch (ch) {
	case ESC: s->focused = 0; t->ui_dirty = 1; return 1;
	case '\r': case '\n':
		s->detail = !s->detail;
		s->detail_top = 0;
		t->ui_dirty = 1;
		return 1;
	case '/': s->editing = 1; t->ui_dirty = 1; return 1;
	case CTRL('P'): move_selection(t, -1, 0); return 1;
	case CTRL('N'): move_selection(t, 1, 0); return 1;
	default: break;
	}
	/* other controls (Ctrl-C, Ctrl-L...) act as usual; plain text is not for the input line
	 * while the inspector has the keyboard */
	return ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0);
}

/* ---- drawing ---- */

static void clock_text(int64_t ms, char out[16])
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&secs, &tm) || !strftime(out, 16, "%H:%M:%S", &tm)) {
		strcpy(out, "??:??:??");
		return;
	}
	snprintf(out + strlen(out), 16 - strlen(out), ".%03d", (int)(ms % 1000));
}

static char *entry_line(const struct wirelog_entry *e)
{
	char clock[16];
	clock_text(e->wall_ms, clock);
	if (e->kind == WIRELOG_REST) {
		char status[16];
		if (e->status)
			snprintf(status, sizeof(status), "%d", e->status);
		else
			strcpy(status, "ERR");
		return xasprintf("%s %s %s %s %s %lldms %zuB", clock, e->account, e->method,
			e->what, status, (long long)e->duration_ms, e->size);
	}
	return xasprintf("%s %s %s %s %zuB", clock, e->account, wirelog_dir(e->kind), e->what,
		e->size);
}

/* JSON pretty-printed with two-space indents, or the text itself. */
static void put_pretty(struct buf *b, const char *text)
{
	cJSON *j = cJSON_Parse(text);
	char *p = j ? cJSON_Print(j) : NULL;
	const char *src = p ? p : text;
	int line_start = 1;
	for (const char *c = src; *c; c++) {
		if (*c == '\t')
			buf_puts(b, line_start ? "  " : " "); /* indents, and cJSON's tab after ':' */
		else
			buf_putc(b, *c);
		if (*c != '\t')
			line_start = *c == '\n';
	}
	buf_putc(b, '\n');
	if (p)
		cJSON_free(p);
	cJSON_Delete(j);
}

static char *detail_text(const struct wirelog_entry *e)
{
	struct buf b = BUF_INIT;
	char *head = entry_line(e);
	buf_puts(&b, head);
	free(head);
	buf_puts(&b, e->truncated ? " (text cut at the inspector's cap)\n" : "\n");
	if (e->kind == WIRELOG_REST) {
		if (e->request) {
			buf_puts(&b, "request:\n");
			put_pretty(&b, e->request);
		}
		buf_puts(&b, "response:\n");
	}
	put_pretty(&b, e->text);
	return buf_steal(&b);
}

static void draw_detail(struct tui *t, WINDOW *w, int y0, int rows, int cols,
	const struct wirelog_entry *e)
{
	struct inspect *s = t->inspect;
	draw_fill(w, y0, 0, cols, t->attr[TR_BORDER]);
	static const char label[] = "── detail (PgUp/PgDn scroll, Enter hides) ";
	draw_text(w, y0, 0, label, strlen(label), cols, t->attr[TR_BORDER]);
	char *text = detail_text(e);
	int line = 0, y = y0 + 1;
	for (char *p = text; *p && y < y0 + rows;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (line++ >= s->detail_top)
			draw_untrusted(w, y++, 1, p, cols - 1, t->attr[TR_DEFAULT]);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (line <= s->detail_top && s->detail_top > 0)
		s->detail_top = line > 0 ? line - 1 : 0; /* scrolled past the end */
	free(text);
}

static void draw_inspector(struct tui *t, WINDOW *w)
{
	struct inspect *s = t->inspect;
	int rows, cols;
	getmaxyx(w, rows, cols);
	size_t n;
	const struct wirelog_entry **v = shown(s, &n);
	size_t sel = selected_index(s, v, n);
	s->drawn_seq = wirelog_last_seq(wirelog_global());

	char *head = xasprintf(" inspector%s · %zu shown of %zu · filter: %s%s · %s", s->focused ?
		"" : " (F9 closes)", n, wirelog_count(wirelog_global()), filter_text(s),
		s->editing ? "_" : "", s->focused ? "Up/Down Enter / filter, Esc input, F9 close" :
		"F9 close, /inspect save FILE");
	attr_t ha = s->focused ? t->attr[TR_SELECTED] : t->attr[TR_TITLE];
	draw_fill(w, 0, 0, cols, ha);
	draw_untrusted(w, 0, 0, head, cols, ha);
	free(head);

	int list_rows = rows - 1;
	int detail_rows = 0;
	if (s->detail && n && rows >= 6) {
		list_rows = (rows - 1) / 3;
		if (list_rows < 2)
			list_rows = 2;
		detail_rows = rows - 1 - list_rows;
	}
	s->list_rows = list_rows;
	/* the first row: keep the previous one when the selection is still on screen */
	size_t top = 0;
	for (size_t i = 0; s->top_seq && i < n; i++)
		if (v[i]->seq >= s->top_seq) {
			top = i;
			break;
		}
	if (!s->sel_seq || sel < top || sel >= top + (size_t)list_rows)
		top = sel + 1 > (size_t)list_rows ? sel + 1 - (size_t)list_rows : 0;
	s->top_seq = n ? v[top]->seq : 0;
	for (int r = 0; r < list_rows && top + (size_t)r < n; r++) {
		const struct wirelog_entry *e = v[top + (size_t)r];
		attr_t a = t->attr[e->kind == WIRELOG_REST ? TR_DEFAULT :
			e->kind == WIRELOG_WS_IN ? TR_USERNAME : TR_SELF];
		if (e->kind == WIRELOG_REST && (e->status == 0 || e->status >= 400))
			a = t->attr[TR_ERROR];
		if (top + (size_t)r == sel)
			a = t->attr[TR_SELECTED];
		char *line = entry_line(e);
		draw_fill(w, 1 + r, 0, cols, a);
		draw_untrusted(w, 1 + r, 1, line, cols - 1, a);
		free(line);
	}
	if (detail_rows > 0)
		draw_detail(t, w, 1 + list_rows, detail_rows, cols, v[sel]);
	free(v);
}

/* The log pane's place: the inspector on top (two thirds) and the log below while open. */
void pane_body_draw(struct tui *t, WINDOW *w)
{
	if (!inspect_open(t)) {
		pane_log_draw(t, w);
		return;
	}
	int rows, cols;
	getmaxyx(w, rows, cols);
	int top_rows = rows >= 10 ? rows * 2 / 3 : rows;
	WINDOW *top = derwin(w, top_rows, cols, 0, 0);
	if (top) {
		draw_inspector(t, top);
		delwin(top);
	}
	if (top_rows < rows) {
		WINDOW *bottom = derwin(w, rows - top_rows, cols, top_rows, 0);
		if (bottom) {
			pane_log_draw(t, bottom);
			delwin(bottom);
		}
	}
}

/* ---- /inspect and /raw ---- */

static cJSON *json_or_string(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	return j ? j : cJSON_CreateString(text);
}

static void put_entry_json(struct buf *b, const struct wirelog_entry *e)
{
	char iso[ISO_TIME_LEN];
	iso_format_ms(e->wall_ms, iso);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "t", iso);
	cJSON_AddStringToObject(o, "account", e->account);
	cJSON_AddStringToObject(o, "dir", wirelog_dir(e->kind));
	if (e->kind == WIRELOG_REST) {
		cJSON_AddStringToObject(o, "method", e->method);
		cJSON_AddStringToObject(o, "path", e->what);
		cJSON_AddNumberToObject(o, "status", e->status);
		cJSON_AddNumberToObject(o, "duration_ms", (double)e->duration_ms);
		cJSON_AddNumberToObject(o, "size", (double)e->size);
		if (e->request)
			cJSON_AddItemToObject(o, "request", json_or_string(e->request));
		cJSON_AddItemToObject(o, "body", json_or_string(e->text));
	} else {
		cJSON_AddStringToObject(o, "op", e->what);
		cJSON_AddNumberToObject(o, "size", (double)e->size);
		cJSON_AddItemToObject(o, "frame", json_or_string(e->text));
	}
	if (e->truncated)
		cJSON_AddBoolToObject(o, "truncated", 1);
	char *p = cJSON_PrintUnformatted(o);
	buf_puts(b, p);
	buf_putc(b, '\n');
	cJSON_free(p);
	cJSON_Delete(o);
}

static int inspect_save(struct tui *t, const char *file)
{
	struct inspect *s = ins(t);
	char *path = file[0] == '~' && file[1] == '/' && getenv("HOME") ?
		xasprintf("%s%s", getenv("HOME"), file + 1) : xstrdup(file);
	size_t n, written = 0;
	const struct wirelog_entry **v = shown(s, &n);
	struct buf b = BUF_INIT;
	size_t sel = selected_index(s, v, n);
	if (s->sel_seq && n && v[sel]->seq == s->sel_seq) {
		put_entry_json(&b, v[sel]); /* an entry the user picked */
		written = 1;
	} else {
		for (size_t i = 0; i < n; i++)
			put_entry_json(&b, v[i]);
		written = n;
	}
	free(v);
	int rc = fs_write_atomic(path, b.data ? b.data : "", b.len, 0600);
	if (rc != 0)
		mdl_notice(t->model, 2, "/inspect save: cannot write %s: %s", path, strerror(errno));
	else
		mdl_notice(t->model, 0, "inspector: %zu entr%s written to %s", written,
			written == 1 ? "y" : "ies", path);
	buf_free(&b);
	free(path);
	return rc == 0 ? 0 : -1;
}

int inspect_command(struct tui *t, const struct cmd_req *r)
{
	struct inspect *s = ins(t);
	if (!r->key) {
		inspect_toggle(t);
		return 0;
	}
	if (!strcmp(r->key, "save"))
		return inspect_save(t, r->text);
	/* filter */
	buf_reset(&s->filter);
	buf_puts(&s->filter, r->text ? r->text : "");
	filter_changed(s);
	if (!s->open)
		set_open(t, 1, 0);
	t->ui_dirty = 1;
	return 0;
}

int inspect_raw(struct tui *t, const char *json)
{
	cJSON *j = cJSON_Parse(json);
	if (!j) {
		mdl_notice(t->model, 1, "/raw: not valid JSON (usage: /raw {\"op\":\"ping\"})");
		return -1;
	}
	cJSON_Delete(j);
	if (t->acct->observer) {
		mdl_notice(t->model, 1, "/raw needs an agent identity: observers are read-only");
		return -1;
	}
	if (!t->client) {
		mdl_notice(t->model, 1, "/raw: not connected yet; try again in a moment");
		return -1;
	}
	if (mc_client_send_raw(t->client, json) != 0) {
		mdl_notice(t->model, 1, "/raw: the WebSocket is not open; try again when connected");
		return -1;
	}
	if (!inspect_open(t))
		set_open(t, 1, 0); /* the answer shows there */
	return 0;
}
