/* Unit tests for model/: ordering, dedupe, pending/confirm races, unread, typing, presence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/model.h"

struct fx {
	struct mdl_model *m;
	struct mdl_account *a;
	struct mdl_server *s;
	struct mdl_channel *c;
};

static int setup(void **state)
{
	static struct fx f;

	f.m = mdl_model_new();
	f.a = mdl_account_add(f.m, NULL, 0);
	mdl_account_set_identity(f.a, "me-id", "me");
	f.s = mdl_server_upsert(f.a, "srv-1", "General");
	f.c = mdl_channel_upsert(f.s, "chan-1");
	mdl_channel_set(f.c, "general", NULL, "text", NULL, 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mdl_model_free(f->m);
	return 0;
}

static struct mdl_message *add(struct mdl_channel *c, const char *id, const char *author_id,
	const char *user, const char *text, int64_t ms, int live)
{
	struct mdl_msg_in in = {
		.id = id, .author_id = author_id, .author_username = user,
		.content = text, .content_type = "text", .created_ms = ms,
	};
	return mdl_message_add(c, &in, live);
}

/* The channel index follows channels as they come (upsert) and go (server removal). */
static void model__channels__found_across_servers_and_after_removal(void **state)
{
	struct fx *f = *state;
	struct mdl_server *srv[5];
	char id[64], sid[16];
	for (int i = 0; i < 5; i++) {
		snprintf(sid, sizeof(sid), "s%d", i);
		srv[i] = mdl_server_upsert(f->a, sid, sid);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "x-%d", i);
		mdl_channel_upsert(srv[i % 5], id);
		if (i % 50 == 0) /* finds between upserts: the index is rebuilt with the new ones */
			assert_ptr_equal(mdl_channel_find(f->a, id)->server, srv[i % 5]);
	}
	assert_ptr_equal(mdl_channel_find(f->a, "chan-1"), f->c); /* from setup */
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "x-%d", i);
		struct mdl_channel *c = mdl_channel_find(f->a, id);
		assert_non_null(c);
		assert_string_equal(c->id, id);
	}
	assert_null(mdl_channel_find(f->a, "x-300"));
	assert_null(mdl_channel_find(f->a, NULL));
	mdl_server_remove(f->a, "s2");
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "x-%d", i);
		if (i % 5 == 2)
			assert_null(mdl_channel_find(f->a, id));
		else
			assert_non_null(mdl_channel_find(f->a, id));
	}
	mdl_channel_upsert(srv[0], "late");
	assert_ptr_equal(mdl_channel_find(f->a, "late")->server, srv[0]);
}

static void model__messages__ordered_by_time_then_id(void **state)
{
	struct fx *f = *state;

	add(f->c, "b", "x", "bob", "two", 2000, 0);
	add(f->c, "c", "x", "bob", "three", 3000, 0);
	add(f->c, "a", "x", "bob", "one", 1000, 0);
	add(f->c, "a2", "x", "bob", "one-b", 1000, 0);
	assert_int_equal(f->c->n_msgs, 4);
	assert_string_equal(f->c->msgs[0]->id, "a");
	assert_string_equal(f->c->msgs[1]->id, "a2");
	assert_string_equal(f->c->msgs[2]->id, "b");
	assert_string_equal(f->c->msgs[3]->id, "c");
	assert_int_equal(mdl_channel_oldest_ms(f->c), 1000);
}

static void model__messages__duplicates_dropped(void **state)
{
	struct fx *f = *state;

	assert_non_null(add(f->c, "m1", "x", "bob", "hi", 1000, 1));
	assert_null(add(f->c, "m1", "x", "bob", "hi again", 1000, 1));
	assert_int_equal(f->c->n_msgs, 1);
	assert_int_equal(f->c->unread, 1);
	assert_string_equal(f->c->msgs[0]->content, "hi");
}

static void model__messages__many_ids_indexed(void **state)
{
	struct fx *f = *state;
	char id[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		assert_non_null(add(f->c, id, "x", "bob", "t", 1000 + (i % 97), 0));
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(id, sizeof(id), "id-%d", i);
		assert_null(add(f->c, id, "x", "bob", "t", 1, 0));
		assert_non_null(mdl_message_find(f->c, id));
	}
	assert_int_equal(f->c->n_msgs, 5000);
	for (size_t i = 1; i < f->c->n_msgs; i++)
		assert_true(f->c->msgs[i - 1]->created_ms <= f->c->msgs[i]->created_ms);
}

static void model__pending__confirm_reorders_and_keeps_one_copy(void **state)
{
	struct fx *f = *state;
	struct mdl_message *p, *q;

	add(f->c, "m1", "x", "bob", "first", 1000, 1);
	p = mdl_message_add_pending(f->c, "mine", "text", 999999);
	assert_int_equal(p->state, MDL_MSG_PENDING);
	add(f->c, "m2", "x", "bob", "second", 2000, 1);
	/* pending stays last until confirmed */
	assert_ptr_equal(f->c->msgs[2], p);
	q = mdl_message_confirm(f->c, p, "m-mine", 1500);
	assert_ptr_equal(q, p);
	assert_int_equal(q->state, MDL_MSG_STORED);
	assert_string_equal(f->c->msgs[1]->id, "m-mine");
	/* our own broadcast (REST send) arriving later is a duplicate */
	assert_null(add(f->c, "m-mine", "me-id", "me", "mine", 1500, 1));
	assert_int_equal(f->c->n_msgs, 3);
	assert_null(mdl_message_find(f->c, "local-1"));
}

static void model__pending__broadcast_before_ack(void **state)
{
	struct fx *f = *state;
	struct mdl_message *p = mdl_message_add_pending(f->c, "mine", "text", 5);

	add(f->c, "m-mine", "me-id", "me", "mine", 1500, 1);
	assert_int_equal(f->c->n_msgs, 2);
	assert_int_equal(f->c->unread, 0); /* our own message never counts */
	mdl_message_confirm(f->c, p, "m-mine", 1500);
	assert_int_equal(f->c->n_msgs, 1);
	assert_string_equal(f->c->msgs[0]->id, "m-mine");
}

static void model__pending__fail_keeps_text(void **state)
{
	struct fx *f = *state;
	struct mdl_message *p = mdl_message_add_pending(f->c, "oops", NULL, 5);

	mdl_message_fail(f->c, p, "Rate limited: too many messages");
	assert_int_equal(p->state, MDL_MSG_FAILED);
	assert_string_equal(p->content, "oops");
	assert_string_equal(p->error, "Rate limited: too many messages");
}

static void model__unread__counts_live_only_when_not_viewing(void **state)
{
	struct fx *f = *state;

	add(f->c, "h1", "x", "bob", "history", 1, 0);
	assert_int_equal(f->c->unread, 0);
	add(f->c, "l1", "x", "bob", "hey @me look", 2, 1);
	add(f->c, "l2", "x", "bob", "email@me.com is not a mention", 3, 1);
	add(f->c, "l3", "x", "bob", "@meow is not me", 4, 1);
	assert_int_equal(f->c->unread, 3);
	assert_int_equal(f->c->mentions, 1);
	assert_int_equal(mdl_server_unread(f->s), 3);
	mdl_channel_set_viewing(f->c, 1);
	assert_int_equal(f->c->unread, 0);
	add(f->c, "l4", "x", "bob", "seen", 5, 1);
	assert_int_equal(f->c->unread, 0);
}

static void model__cap__drops_oldest_and_allows_refetch(void **state)
{
	struct fx *f = *state;
	char id[16];

	f->m->max_msgs_per_channel = 10;
	f->c->history = MDL_HIST_COMPLETE;
	for (int i = 0; i < 25; i++) {
		snprintf(id, sizeof(id), "c%02d", i);
		add(f->c, id, "x", "bob", "t", i, 1);
	}
	assert_int_equal(f->c->n_msgs, 10);
	assert_string_equal(f->c->msgs[0]->id, "c15");
	assert_null(mdl_message_find(f->c, "c00"));
	assert_int_equal(f->c->history, MDL_HIST_LOADED);
}

/* The content a test message with this number carries: lengths from empty to past the
 * largest recycled block class (so both kinds of block are dropped and reused). */
static void content_for(unsigned k, char *out, size_t out_len)
{
	size_t n = (k * 7919u) % 1700u;
	if (n >= out_len)
		n = out_len - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + (k + i) % 26);
	out[n] = '\0';
}

/* Against a plain reference (every distinct id by (time, id), the newest `cap` kept):
 * random times and repeated ids, so messages land anywhere, are dropped at once when older
 * than everything kept, and ids come back after their message was dropped. Every stored
 * message is found by id with its own content: recycled blocks and the index's deletions
 * keep nothing stale. */
static void model__cap__random_adds_match_reference(void **state)
{
	struct fx *f = *state;
	enum { CAP = 64, ROUNDS = 4000, IDS = 600 };
	struct ref { int64_t ms; char id[16]; } ref[CAP + 1];
	size_t n_ref = 0;
	char id[16], text[1800];
	unsigned seed = 12345, counted = 0;

	f->m->max_msgs_per_channel = CAP;
	for (int r = 0; r < ROUNDS; r++) {
		seed = seed * 1103515245u + 12345u;
		unsigned k = (seed >> 8) % IDS;
		int64_t ms = 1000 + (int64_t)(k * 37u % 500u); /* the same id always has the same time */
		snprintf(id, sizeof(id), "m%03u", k);
		content_for(k, text, sizeof(text));
		/* the reference */
		size_t pos = 0, dup = 0;
		for (size_t i = 0; i < n_ref; i++)
			dup |= !strcmp(ref[i].id, id);
		if (!dup) {
			counted++;
			while (pos < n_ref && (ref[pos].ms < ms || (ref[pos].ms == ms && strcmp(ref[pos].id, id) < 0)))
				pos++;
			memmove(&ref[pos + 1], &ref[pos], (n_ref - pos) * sizeof(*ref));
			ref[pos].ms = ms;
			snprintf(ref[pos].id, sizeof(ref[pos].id), "%s", id);
			n_ref++;
		}
		int kept = !dup && !(n_ref > CAP && pos == 0);
		if (n_ref > CAP) {
			memmove(&ref[0], &ref[1], (n_ref - 1) * sizeof(*ref));
			n_ref--;
		}
		/* authors as the platform sends them: the same few, a display name and a trust tier
		 * that come and go (interned together, as one tuple) */
		char author[8], user[8], display[8];
		snprintf(author, sizeof(author), "a%u", k % 5);
		snprintf(user, sizeof(user), "u%u", k % 5);
		snprintf(display, sizeof(display), "D%u", k % 3);
		struct mdl_msg_in in = {
			.id = id, .author_id = author, .author_username = user,
			.author_display = k % 4 ? display : NULL, .content = text,
			.content_type = k % 7 ? NULL : "code", .trust_tier = k % 2 ? "verified" : NULL,
			.created_ms = ms,
		};
		struct mdl_message *m = mdl_message_add(f->c, &in, 1);
		assert_int_equal(m != NULL, kept);
		if (m) {
			assert_string_equal(m->content, text);
			assert_string_equal(m->author_id, author);
			assert_string_equal(m->author_username, user);
			if (k % 4)
				assert_string_equal(m->author_display, display);
			else
				assert_null(m->author_display);
			assert_string_equal(m->content_type, k % 7 ? "text" : "code");
			if (k % 2)
				assert_string_equal(m->trust_tier, "verified");
			else
				assert_null(m->trust_tier);
		}
		assert_int_equal(f->c->n_msgs, n_ref);
		assert_int_equal(f->c->by_id_used, n_ref);
	}
	for (size_t i = 0; i < n_ref; i++) {
		struct mdl_message *m = mdl_message_find(f->c, ref[i].id);
		assert_non_null(m);
		assert_ptr_equal(f->c->msgs[i], m);
		assert_int_equal(m->created_ms, ref[i].ms);
		unsigned k = (unsigned)atoi(ref[i].id + 1);
		content_for(k, text, sizeof(text));
		assert_string_equal(m->content, text);
		snprintf(id, sizeof(id), "u%u", k % 5);
		assert_string_equal(m->author_username, id);
		assert_int_equal(m->trust_tier != NULL, k % 2);
	}
	for (unsigned k = 0; k < IDS; k++) {
		int in_ref = 0;
		snprintf(id, sizeof(id), "m%03u", k);
		for (size_t i = 0; i < n_ref; i++)
			in_ref |= !strcmp(ref[i].id, id);
		assert_int_equal(mdl_message_find(f->c, id) != NULL, in_ref);
	}
	/* every live add but a duplicate counts, also one the cap dropped at once */
	assert_int_equal(f->c->unread, counted);
}

static void model__typing__expires_and_clears_on_message(void **state)
{
	struct fx *f = *state;

	mdl_typing_add(f->c, "bob", 1000);
	mdl_typing_add(f->c, "carol", 3000);
	assert_int_equal(f->c->n_typing, 2);
	assert_int_equal(mdl_typing_next_expiry(f->m), 1000 + MDL_TYPING_TTL_MS);
	assert_int_equal(mdl_typing_expire(f->m, 1000 + MDL_TYPING_TTL_MS), 1);
	assert_int_equal(f->c->n_typing, 1);
	assert_string_equal(f->c->typing[0].username, "carol");
	add(f->c, "t1", "y", "carol", "done", 10, 1);
	assert_int_equal(f->c->n_typing, 0);
	assert_int_equal(mdl_typing_next_expiry(f->m), -1);
}

static void model__presence__replaces_list(void **state)
{
	struct fx *f = *state;
	const char *ids1[] = { "a", "b" };
	const char *ids2[] = { "c" };

	mdl_presence_set(f->c, ids1, 2);
	assert_true(mdl_presence_has(f->c, "b"));
	mdl_presence_set(f->c, ids2, 1);
	assert_false(mdl_presence_has(f->c, "b"));
	assert_true(mdl_presence_has(f->c, "c"));
	mdl_presence_set(f->c, NULL, 0);
	assert_false(mdl_presence_has(f->c, "c"));
}

static void model__names__resolved_from_members_and_authors(void **state)
{
	struct fx *f = *state;

	mdl_member_upsert(f->s, "u1", "alice", "Alice", "owner", MDL_PRES_ONLINE);
	add(f->c, "n1", "u2", "bob", "hi", 1, 0);
	assert_string_equal(mdl_account_name_for(f->a, "u1"), "alice");
	assert_string_equal(mdl_account_name_for(f->a, "u2"), "bob");
	assert_string_equal(mdl_account_name_for(f->a, "me-id"), "me");
	assert_null(mdl_account_name_for(f->a, "nobody"));
	mdl_member_upsert(f->s, "u1", NULL, NULL, NULL, MDL_PRES_IDLE);
	assert_int_equal(mdl_member_find(f->s, "u1")->presence, MDL_PRES_IDLE);
	assert_string_equal(mdl_member_find(f->s, "u1")->display_name, "Alice");
}

static void model__channels__find_by_name_and_dms(void **state)
{
	struct fx *f = *state;
	struct mdl_server *dms = mdl_account_dms(f->a);
	struct mdl_channel *dm = mdl_channel_upsert(dms, "dm-1");

	dm->peer = strdup("bob");
	assert_ptr_equal(mdl_channel_find_name(f->s, "#General"), f->c);
	assert_ptr_equal(mdl_channel_find_name(dms, "bob"), dm);
	assert_ptr_equal(mdl_channel_find(f->a, "dm-1"), dm);
	assert_true(dms->is_dms);
	assert_ptr_equal(mdl_account_dms(f->a), dms);
	mdl_server_remove(f->a, "srv-1");
	assert_null(mdl_channel_find(f->a, "chan-1"));
}

static void model__notices__ring_keeps_latest(void **state)
{
	struct fx *f = *state;

	assert_null(mdl_notice_last(f->m));
	for (int i = 0; i < MDL_NOTICES + 5; i++)
		mdl_notice(f->m, 1, "notice %d", i);
	assert_string_equal(mdl_notice_last(f->m)->text, "notice 68");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(model__channels__found_across_servers_and_after_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(model__messages__ordered_by_time_then_id, setup, teardown),
		cmocka_unit_test_setup_teardown(model__messages__duplicates_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(model__messages__many_ids_indexed, setup, teardown),
		cmocka_unit_test_setup_teardown(model__pending__confirm_reorders_and_keeps_one_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(model__pending__broadcast_before_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(model__pending__fail_keeps_text, setup, teardown),
		cmocka_unit_test_setup_teardown(model__unread__counts_live_only_when_not_viewing, setup, teardown),
		cmocka_unit_test_setup_teardown(model__cap__drops_oldest_and_allows_refetch, setup, teardown),
		cmocka_unit_test_setup_teardown(model__cap__random_adds_match_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(model__typing__expires_and_clears_on_message, setup, teardown),
		cmocka_unit_test_setup_teardown(model__presence__replaces_list, setup, teardown),
		cmocka_unit_test_setup_teardown(model__names__resolved_from_members_and_authors, setup, teardown),
		cmocka_unit_test_setup_teardown(model__channels__find_by_name_and_dms, setup, teardown),
		cmocka_unit_test_setup_teardown(model__notices__ring_keeps_latest, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
