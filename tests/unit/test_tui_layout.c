/* tui/layout: pane sizes at several terminal sizes, down to absurdly small ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layout.h"

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
	}
}

static void layout__wide_terminal__shows_every_pane(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 120, 35, 3);
	check_sane(&l, 120, 35);
	assert_true(rect_visible(&l.servers));
	assert_true(rect_visible(&l.channels));
	assert_true(rect_visible(&l.members));
	assert_int_equal(l.servers.h, 4); /* title + 3 servers */
	assert_int_equal(l.input.y, 34);
	assert_int_equal(l.status.y, 33);
	assert_int_equal(l.log.w, 120 - LAYOUT_LEFT_W - 1 - LAYOUT_MEMBERS_W - 1);
	assert_int_equal(l.title.y, 0);
	assert_int_equal(l.typing.y + 1, l.body_h);
	assert_int_equal(l.log.h, 35 - 2 - 2);
}

static void layout__many_servers__take_at_most_a_third(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 120, 35, 50);
	check_sane(&l, 120, 35);
	assert_int_equal(l.servers.h, 33 / 3);
	assert_int_equal(l.channels.y, l.servers.h);
}

static void layout__80_columns__hides_members_only(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 80, 24, 2);
	check_sane(&l, 80, 24);
	assert_false(rect_visible(&l.members));
	assert_true(rect_visible(&l.servers));
	assert_int_equal(l.right_sep_x, -1);
	assert_int_equal(l.log.x + l.log.w, 80);
}

static void layout__60_columns__keeps_channels_drops_servers(void **state)
{
	struct tui_layout l;
	layout_compute(&l, 60, 15, 2);
	check_sane(&l, 60, 15);
	assert_false(rect_visible(&l.servers));
	assert_true(rect_visible(&l.channels));
	assert_true(rect_visible(&l.input));
	assert_true(l.log.w >= 40);
}

static void layout__tiny_sizes__never_break(void **state)
{
	for (int cols = 0; cols <= 130; cols += 1) {
		for (int rows = 0; rows <= 12; rows++) {
			struct tui_layout l;
			layout_compute(&l, cols, rows, 5);
			check_sane(&l, cols, rows);
			if (rows >= 1 && cols >= 1)
				assert_true(rect_visible(&l.input));
		}
	}
	struct tui_layout l;
	layout_compute(&l, 20, 5, 1);
	assert_true(rect_visible(&l.log));
	assert_true(rect_visible(&l.status));
	layout_compute(&l, -3, -1, 0);
	check_sane(&l, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout__wide_terminal__shows_every_pane),
		cmocka_unit_test(layout__many_servers__take_at_most_a_third),
		cmocka_unit_test(layout__80_columns__hides_members_only),
		cmocka_unit_test(layout__60_columns__keeps_channels_drops_servers),
		cmocka_unit_test(layout__tiny_sizes__never_break),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
