/* Colour fallback: truecolor -> 256 -> 16 -> 8 by the nearest colour. No curses here. */
#include "theme.h"

static const int base16[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};
static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

int theme_colour_rgb(int c)
{
	if (c < 0)
		return 0;
	if (THEME_IS_RGB(c))
		return c & 0xffffff;
	if (c < 16)
		return base16[c];
	if (c < 232) {
		int i = c - 16;
		return cube[i / 36] << 16 | cube[i / 6 % 6] << 8 | cube[i % 6];
	}
	int g = 8 + (c - 232) * 10;
	return g << 16 | g << 8 | g;
}

/* Squared distance, weighted roughly by how the eye sees each channel. */
static long distance(int a, int b)
{
	long dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
	long dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
	long db = (a & 0xff) - (b & 0xff);
	return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

int theme_colour_fit(int c, int colours)
{
	if (c < 0)
		return c;
	if (colours >= 0x1000000) {
		/* Direct colour: numbers below 8 are the ANSI colours, the rest are RGB. */
		if (!THEME_IS_RGB(c) && c < 8)
			return c;
		int rgb = theme_colour_rgb(c);
		return rgb < 8 ? 8 : rgb;
	}
	if (!THEME_IS_RGB(c) && c < colours)
		return c;
	int rgb = theme_colour_rgb(c);
	int from = colours >= 256 ? 16 : 0;
	int to = colours >= 256 ? 256 : colours >= 16 ? 16 : 8;
	int best = from;
	long best_d = -1;
	for (int i = from; i < to; i++) {
		long d = distance(rgb, theme_colour_rgb(i));
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}
