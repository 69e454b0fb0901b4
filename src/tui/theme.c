/* Turning a theme into curses attributes: one colour pair per role. Colours degrade by
 * nearest match (theme_colour_fit): truecolor on direct-colour terminals (COLORS >= 2^24), or
 * with COLORTERM=truecolor on a terminal that can redefine its 256 palette entries; else the
 * nearest of 256, 16 or 8 colours. NO_COLOR (any value) or a terminal without colours uses the
 * mono theme: attributes only, so the selection and the status bar stay visible. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_priv.h"

static attr_t attrs_of(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
	return r;
}

int theme_colour_mode(void)
{
	const char *no_color = getenv("NO_COLOR");
	if (!has_colors() || (no_color && *no_color))
		return 0;
	return 1;
}

/* Palette slots redefined for RGB colours (COLORTERM=truecolor with can_change_color). */
struct palette {
	int rgb[240];
	int n;
};

static int palette_slot(struct palette *p, int rgb)
{
	for (int i = 0; i < p->n; i++)
		if (p->rgb[i] == rgb)
			return 16 + i;
	if (p->n >= 240 || 16 + p->n >= COLORS)
		return -1;
	int slot = 16 + p->n;
	p->rgb[p->n++] = rgb;
	init_extended_color(slot, ((rgb >> 16) & 0xff) * 1000 / 255, ((rgb >> 8) & 0xff) * 1000 / 255,
		(rgb & 0xff) * 1000 / 255);
	return slot;
}

static int fit(int c, int truecolor_palette, struct palette *pal)
{
	if (c < 0)
		return -1;
	if (truecolor_palette && THEME_IS_RGB(c)) {
		int slot = palette_slot(pal, c & 0xffffff);
		if (slot >= 0)
			return slot;
	}
	return theme_colour_fit(c, COLORS);
}

void theme_apply(struct tui *t, const struct theme *requested)
{
	int colour = theme_colour_mode();
	struct theme mono;
	const struct theme *th = requested;
	if (!colour) {
		char *err = NULL;
		theme_defaults(&mono);
		theme_parse(&mono, theme_builtin_text("mono"), &err);
		free(err);
		th = &mono;
	} else if (!t->colours_started) {
		/* Default colours first: after start_color, use_default_colors redefines pair 0,
		 * and redefining a pair scans every cell of curscr (350,000 instructions at
		 * 200x60, before the first screen); before it, start_color makes pair 0 the
		 * terminal's defaults directly. Same colours; the only change on the wire is one
		 * redundant SGR 39;49 before the first clear (the terminal was just reset). */
		use_default_colors();
		start_color();
		t->colours_started = 1;
	}
	if (colour && COLOR_PAIRS <= TR_COUNT)
		colour = 0;
	const char *ct = getenv("COLORTERM");
	int truecolor_palette = colour && COLORS >= 256 && COLORS < 0x1000000 && ct &&
		(strcasecmp(ct, "truecolor") == 0 || strcasecmp(ct, "24bit") == 0) &&
		can_change_color();
	struct palette pal = { .n = 0 };
	for (int i = 0; i < TR_COUNT; i++) {
		const struct theme_style *st = &th->style[i];
		attr_t a = attrs_of(st->attrs);
		if (colour) {
			init_extended_pair(i + 1, fit(st->fg, truecolor_palette, &pal),
				fit(st->bg, truecolor_palette, &pal));
			a |= COLOR_PAIR(i + 1);
		}
		t->attr[i] = a;
	}
}
