/* tui/layout: pane sizes at several terminal sizes, down to absurdly small ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layout.h"

static const struct layout_params defaults = { 1, 1, 1, 16, 20, 20, 1 };

static int inside(const struct tui_rect *r, int cols, int rows)
{
	if (!rect_visible(r))
		return r->h == 0 && r->w == 0;
	return r->y >= 0 && r->x >= 0 && r->y + r->h <= rows && r->x + r->w <= cols;
}

static int overlap(const struct tui_rect *a, const struct tui_rect *b)
{
	if (!rect_visible(a) || !rect_visible(b))
		return 0;
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check_sane(const struct tui_layout *l, int cols, int rows)
{
	const struct tui_rect *all[] = { &l->servers, &l->channels, &l->title, &l->log, &l->typing,
		&l->members, &l->status, &l->input };
	size_t n = sizeof(all) / sizeof(all[0]);
	for (size_t i = 0; i < n; i++) {
		assert_true(inside(all[i], cols, rows));
		for (size_t j = i + 1; j < n; j++)
			assert_false(overlap(all[i], all[j]));
		/* No pane covers a separator column in the body. */
		for (int k = 0; k < 3; k++)
			if (l->sep_x[k] >= 0 && rect_visible(all[i]) && all[i]->y < l->body_h)
				assert_false(l->sep_x[k] >= all[i]->x &&
					l->sep_x[k] < all[i]->x + all[i]->w);
	}
}

static void layout__wide_terminal__shows_every_pane(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 120, 35, &defaults);
	check_sane(&l, 120, 35);
	assert_true(rect_visible(&l.servers));
	assert_true(rect_visible(&l.channels));
	assert_true(rect_visible(&l.members));
	assert_int_equal(l.servers.w, 16);
	assert_int_equal(l.channels.x, 17);
	assert_int_equal(l.input.y, 34);
	assert_int_equal(l.status.y, 33);
	assert_int_equal(l.log.w, 120 - 17 - 21 - 21);
	assert_int_equal(l.title.y, 0);
	assert_int_equal(l.typing.y + 1, l.body_h);
	assert_int_equal(l.log.h, 35 - 2 - 2);
}

static void layout__hidden_panes__give_their_columns_to_the_log(void **state)
{
	struct tui_layout l;
	struct layout_params p = defaults;
	p.show_servers = 0;
	p.show_members = 0;
	p.channels_w = 30;
	layout_compute(&l, 120, 35, &p);
	check_sane(&l, 120, 35);
	assert_false(rect_visible(&l.servers));
	assert_false(rect_visible(&l.members));
	assert_int_equal(l.channels.x, 0);
	assert_int_equal(l.channels.w, 30);
	assert_int_equal(l.log.w, 120 - 31);
}

static void layout__multi_line_input__grows_but_keeps_the_log(void **state)
{
	struct tui_layout l;
	struct layout_params p = defaults;
	p.input_h = 3;
	layout_compute(&l, 100, 30, &p);
	check_sane(&l, 100, 30);
	assert_int_equal(l.input.h, 3);
	assert_int_equal(l.input.y, 27);
	assert_int_equal(l.status.y, 26);
	p.input_h = 50;
	layout_compute(&l, 100, 30, &p);
	assert_int_equal(l.input.h, LAYOUT_INPUT_MAX_ROWS);
	layout_compute(&l, 60, 8, &p);
	check_sane(&l, 60, 8);
	assert_true(l.body_h >= 4 || l.input.h == 1);
}

static void layout__narrow_terminal__drops_members_then_servers_then_channels(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 100, 30, &defaults);
	check_sane(&l, 100, 30);
	assert_true(rect_visible(&l.members));
	layout_compute(&l, 80, 30, &defaults);
	check_sane(&l, 80, 30);
	assert_false(rect_visible(&l.members));
	assert_true(rect_visible(&l.servers));
	layout_compute(&l, 60, 15, &defaults);
	check_sane(&l, 60, 15);
	assert_false(rect_visible(&l.servers));
	assert_true(rect_visible(&l.channels));
	assert_true(l.log.w >= LAYOUT_LOG_MIN_COLS);
	layout_compute(&l, 40, 15, &defaults);
	check_sane(&l, 40, 15);
	assert_false(rect_visible(&l.channels));
	assert_int_equal(l.log.w, 40);
}

static void layout__tiny_sizes__never_overlap_or_overflow(void **state)
{
	for (int cols = 0; cols <= 130; cols += 3) {
		for (int rows = 0; rows <= 40; rows++) {
			struct tui_layout l;
			layout_compute(&l, cols, rows, &defaults);
			check_sane(&l, cols, rows);
			if (rows >= 2 && cols > 0) {
				assert_true(rect_visible(&l.input));
				assert_true(rect_visible(&l.status));
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout__wide_terminal__shows_every_pane),
		cmocka_unit_test(layout__hidden_panes__give_their_columns_to_the_log),
		cmocka_unit_test(layout__multi_line_input__grows_but_keeps_the_log),
		cmocka_unit_test(layout__narrow_terminal__drops_members_then_servers_then_channels),
		cmocka_unit_test(layout__tiny_sizes__never_overlap_or_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
