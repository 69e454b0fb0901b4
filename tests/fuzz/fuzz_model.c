/* libFuzzer target: the model's message store under hostile ids and timestamps. Input bytes
 * drive a sequence of mdl_message_add (history and live, duplicate and colliding ids, extreme
 * created_ms), pending sends confirmed or failed the way the outbox does it (looked up by
 * local id, with any server id, including ids of other messages), channel caps, typing and
 * presence. After every step: stored messages are sorted by (created_ms, id) and precede the
 * pending ones, ids are unique and every message is found through the id index, the cap
 * holds and the oldest-ms query agrees. */
#include "fuzz_util.h"
#include "moltty/model.h"

static const char *const ids[] = {
	"a", "b", "local-0", "local-1", "local-2", "", "0", "\xff\xfe", "A",
	"ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-000000000000",
};
static const int64_t times[] = {
	0, 1, -1, INT64_MIN, INT64_MAX, 1771128542123LL, 1771128542124LL, -62167219200000LL,
};

static char *pick_id(struct fuzz_in *in)
{
	uint8_t k = fz_u8(in);
	if (k < 0xC0)
		return strdup(ids[k % (sizeof(ids) / sizeof(ids[0]))]);
	return fz_str(in, 40);
}

static int64_t pick_time(struct fuzz_in *in)
{
	uint8_t k = fz_u8(in);
	if (k < 0x80)
		return times[k % (sizeof(times) / sizeof(times[0]))];
	if (k < 0xC0)
		return (int64_t)(k - 0x80) * 1000;
	return fz_i64(in);
}

static int stored_cmp(const struct mdl_message *a, const struct mdl_message *b)
{
	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void check(const struct mdl_model *m, const struct mdl_channel *c)
{
	int64_t oldest = -1;
	int seen_pending = 0;
	for (size_t i = 0; i < c->n_msgs; i++) {
		const struct mdl_message *x = c->msgs[i];
		FUZZ_CHECK(x && x->id && x->content && x->content_type, "message %zu complete", i);
		FUZZ_CHECK(mdl_message_find(c, x->id) == x, "message %zu (%s) not found by id", i,
			   x->id);
		if (x->state == MDL_MSG_STORED) {
			FUZZ_CHECK(!seen_pending, "stored message %zu after a pending one", i);
			if (oldest == -1 && i == 0)
				oldest = x->created_ms;
			if (i > 0)
				FUZZ_CHECK(stored_cmp(c->msgs[i - 1], x) < 0,
					   "messages %zu and %zu out of order or duplicate", i - 1, i);
		} else {
			seen_pending = 1;
		}
	}
	FUZZ_CHECK(c->by_id_used == c->n_msgs, "index holds %zu of %zu", c->by_id_used, c->n_msgs);
	if (c->n_msgs && c->msgs[0]->state == MDL_MSG_STORED)
		FUZZ_CHECK(mdl_channel_oldest_ms(c) == oldest, "oldest ms");
	FUZZ_CHECK(c->mentions <= c->unread, "more mentions than unread");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct mdl_model *m = mdl_model_new();
	struct mdl_account *a = mdl_account_add(m, "@me", 0);
	mdl_account_set_identity(a, "me-id", "me");
	struct mdl_server *s = mdl_server_upsert(a, "srv", "Server");
	struct mdl_channel *c = mdl_channel_upsert(s, "chan");
	struct mdl_channel *dm = mdl_channel_upsert(mdl_account_dms(a), "dm");
	char *local[8] = { 0 }; /* the outbox's view: local ids of our pending sends */
	int64_t now = 1771128542000LL;

	for (int steps = 0; !fz_empty(&in) && steps < 400; steps++) {
		uint8_t op = fz_u8(&in);
		struct mdl_channel *ch = (op & 0x80) ? dm : c;
		switch (op % 10) {
		case 0:
		case 1: {
			char *id = pick_id(&in);
			char *content = fz_str(&in, 64);
			uint8_t who = fz_u8(&in);
			struct mdl_msg_in mi = {
				.id = id,
				.author_id = who & 1 ? "me-id" : (who & 2 ? NULL : "them"),
				.author_username = who & 4 ? NULL : (who & 8 ? "me" : "them"),
				.author_display = who & 16 ? "Them \xe2\x80\xae" : NULL,
				.content = who & 32 ? NULL : content,
				.content_type = who & 64 ? NULL : "code",
				.trust_tier = NULL,
				.created_ms = pick_time(&in),
			};
			int fresh = id[0] && !mdl_message_find(ch, id);
			struct mdl_message *r = mdl_message_add(ch, &mi, op & 1);
			if (r)
				FUZZ_CHECK(fresh && strcmp(r->id, id) == 0, "add returned another message");
			/* the cap is applied when a message is added (pending sends may exceed it) */
			if (fresh && m->max_msgs_per_channel)
				FUZZ_CHECK(ch->n_msgs <= m->max_msgs_per_channel, "cap exceeded");
			free(content);
			free(id);
			break;
		}
		case 2: {
			char *content = fz_str(&in, 32);
			struct mdl_message *p = mdl_message_add_pending(ch, content, NULL, now++);
			FUZZ_CHECK(p && p->state == MDL_MSG_PENDING, "pending stored");
			size_t slot = fz_u8(&in) % 8;
			free(local[slot]);
			local[slot] = strdup(p->id);
			free(content);
			break;
		}
		case 3:
		case 4: {
			size_t slot = fz_u8(&in) % 8;
			char *id = pick_id(&in);
			int64_t t = pick_time(&in);
			struct mdl_message *p = local[slot] ? mdl_message_find(ch, local[slot]) : NULL;
			if (p && p->state != MDL_MSG_STORED) {
				if (op % 10 == 3) {
					struct mdl_message *r = mdl_message_confirm(ch, p, id, t);
					FUZZ_CHECK(r && strcmp(r->id, id) == 0, "confirm result");
				} else {
					mdl_message_fail(ch, p, "refused \x1b[31m");
				}
			}
			free(id);
			break;
		}
		case 5:
			m->max_msgs_per_channel = fz_u8(&in) % 12;
			break;
		case 6: {
			char *u = fz_str(&in, 16);
			if (fz_u8(&in) & 1)
				mdl_typing_add(ch, u, now);
			else
				mdl_typing_clear(ch, u);
			free(u);
			now += fz_u8(&in) * 100;
			mdl_typing_expire(m, now);
			(void)mdl_typing_next_expiry(m);
			break;
		}
		case 7:
			mdl_channel_set_viewing(ch, fz_u8(&in) & 1);
			break;
		case 8: {
			const char *list[4] = { "them", "me-id", "", "them" };
			mdl_presence_set(ch, list, fz_u8(&in) % 5);
			(void)mdl_presence_has(ch, "them");
			break;
		}
		case 9: {
			char *id = pick_id(&in);
			(void)mdl_message_find(ch, id);
			(void)mdl_account_name_for(a, id);
			free(id);
			break;
		}
		}
		check(m, c);
		check(m, dm);
	}
	for (size_t i = 0; i < 8; i++)
		free(local[i]);
	mdl_model_free(m);
	return 0;
}
