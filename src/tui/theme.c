/* Turning a theme into curses attributes: one colour pair per role. Terminals with 8 or 16
 * colours get colour numbers folded into their range; NO_COLOR (any value) or a terminal
 * without colours keeps only the attributes (bold, reverse, ...), so the selection and the
 * status bar stay visible in monochrome. */
#include <stdlib.h>

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

static short fold_colour(short c)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return c;
	/* bright-x (8-15) on an 8-colour terminal becomes x; 256-colour numbers fold too. */
	return (short)(c % 8);
}

/* Roles whose meaning is carried by colour alone get an attribute in monochrome. */
static attr_t monochrome_extra(int role)
{
	switch (role) {
	case TR_SELECTED:
	case TR_STATUS:
	case TR_TITLE:
		return A_REVERSE;
	case TR_MENTION:
	case TR_UNREAD:
	case TR_ERROR:
		return A_BOLD;
	case TR_PENDING:
	case TR_TIME:
	case TR_TYPING:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

void theme_apply(struct tui *t, const struct theme *th)
{
	const char *no_color = getenv("NO_COLOR");
	int colour = has_colors() && !(no_color && *no_color);
	if (colour) {
		start_color();
		use_default_colors();
		colour = COLOR_PAIRS > TR_COUNT;
	}
	for (int i = 0; i < TR_COUNT; i++) {
		const struct theme_style *st = &th->style[i];
		attr_t a = attrs_of(st->attrs);
		if (colour) {
			init_pair((short)(i + 1), fold_colour(st->fg), fold_colour(st->bg));
			a |= COLOR_PAIR(i + 1);
		} else {
			a = (a & ~A_ITALIC) | monochrome_extra(i);
		}
		t->attr[i] = a;
	}
}
