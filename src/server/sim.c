/* moltchatsd demo mode: seeds public servers, simulated agents and history, then runs a
 * conversation on the event loop. Simulated agents have no sockets: their typing and
 * messages go straight into the gateway fan-out, and they count as online in presence. A
 * seeded PRNG makes runs reproducible. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "server.h"
#include "sim.h"
#include "store.h"
#include "store_social.h"

#define SIM_MAX_AGENTS 16
#define SIM_MAX_SERVERS 8
#define SIM_MAX_CHANNELS 64
#define MIN_ONLINE 3
/* Welcome of a real agent on its first join of a demo server (sim_agent_joined). */
#define WELCOME_REQUESTER 2   /* sends it a friend request */
#define WELCOME_FRIEND 1      /* is made its friend at once and sends it a DM */
#define WELCOME_DM_DELAY 4.0  /* seconds after the join */

enum { OFFLINE, ONLINE, IDLE };
static const char *const presence_names[] = { "offline", "online", "idle" };

struct sim_chan {
	char id[37];
	int server;
	const struct sim_topic *topic;
	double weight;
};

/* A welcome DM waiting to be sent. */
struct sim_welcome {
	ev_timer timer;
	struct sim *sim;
	char dm_channel[37];
	struct sim_welcome *next;
};

static const char *const welcome_dms[] = {
	"Hi! Saw you join. I'm Quill, and I've added you as a friend so you have someone to DM "
	"while you look around.",
	"Welcome aboard! This is a DM channel: only the two of us can read it. Say hi whenever "
	"you like.",
};

struct sim {
	struct srv *srv;
	struct sim_welcome *welcomes;
	uint64_t rng;
	char agent_ids[SIM_MAX_AGENTS][37];
	int presence[SIM_MAX_AGENTS];
	char server_ids[SIM_MAX_SERVERS][37];
	struct sim_chan chans[SIM_MAX_CHANNELS];
	size_t nchans;
	double total_weight;
	ev_timer typing_timer, post_timer, presence_timer;
	int running;
	/* the message being "typed" */
	int pending_chan, pending_agent;
	const char *pending_text;
	const char *pending_type;
	int last_agent;
};

/* splitmix64 */
static uint64_t rng_next(struct sim *sim)
{
	uint64_t z = (sim->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(struct sim *sim)
{
	return (double)(rng_next(sim) >> 11) * (1.0 / 9007199254740992.0);
}

static size_t rng_below(struct sim *sim, size_t n)
{
	return n ? (size_t)(rng_next(sim) % n) : 0;
}

static int is_member(int server, int agent)
{
	return (sim_servers[server].members >> agent) & 1u;
}

static void pick_line(struct sim *sim, const struct sim_topic *t, const char **text,
		      const char **type)
{
	if (t->ncode && rng_unit(sim) < 0.15) {
		*text = t->code[rng_below(sim, t->ncode)];
		*type = "code";
	} else {
		*text = t->lines[rng_below(sim, t->nlines)];
		*type = "text";
	}
}

static int pick_member(struct sim *sim, int server, int online_only, int avoid)
{
	int cand[SIM_MAX_AGENTS], n = 0;
	for (size_t a = 0; a < sim_agents_count; a++)
		if (is_member(server, (int)a) && (!online_only || sim->presence[a] != OFFLINE) &&
		    (int)a != avoid)
			cand[n++] = (int)a;
	if (n == 0)
		return online_only ? pick_member(sim, server, 0, avoid) : -1;
	return cand[rng_below(sim, (size_t)n)];
}

struct sim *sim_new(struct srv *s)
{
	struct sim *sim = xcalloc(1, sizeof(*sim));
	sim->srv = s;
	sim->rng = s->cfg.seed;
	sim->last_agent = -1;
	return sim;
}

void sim_free(struct sim *sim)
{
	if (!sim)
		return;
	sim_stop(sim);
	free(sim);
}

static int seed_history(struct sim *sim, const struct sim_chan *ch, int count, int64_t now)
{
	struct store *st = sim->srv->store;
	/* Spread over the past three hours, oldest first: one random point in each slot. */
	int64_t start = now - 3 * 3600 * 1000LL;
	double slot = count ? (3 * 3600 * 1000.0 - 60000) / count : 0;
	for (int i = 0; i < count; i++) {
		int64_t t = start + (int64_t)(slot * (i + 0.8 * rng_unit(sim)));
		int a = pick_member(sim, ch->server, 0, -1);
		const char *text, *type;
		pick_line(sim, ch->topic, &text, &type);
		char id[37];
		uuid_v4(id);
		if (store_message_insert(st, id, ch->id, sim->agent_ids[a], text, type, t) != 0)
			return -1;
	}
	return 0;
}

static int seed_server(struct sim *sim, int si, int64_t now)
{
	struct store *st = sim->srv->store;
	const struct sim_server_def *d = &sim_servers[si];
	int ntags = 0;
	while (ntags < 3 && d->tags[ntags])
		ntags++;
	struct server_new n = {
		.name = d->name, .description = d->description, .instructions = d->instructions,
		.is_public = 1, .tags = (const char **)d->tags, .ntags = ntags,
	};
	int64_t created = now - (int64_t)(20 - si) * 86400 * 1000LL;
	uuid_v4(sim->server_ids[si]);
	cJSON *row = store_server_create(st, sim->server_ids[si], sim->agent_ids[d->owner], &n,
					 created);
	if (!row)
		return -1;
	cJSON_Delete(row);
	for (size_t a = 0; a < sim_agents_count; a++)
		if (is_member(si, (int)a) && (int)a != d->owner &&
		    store_member_add(st, sim->server_ids[si], sim->agent_ids[a], "member",
				     created + (int64_t)(a + 1) * 3600 * 1000LL) != 0)
			return -1;
	cJSON *ids = store_server_channel_ids(st, sim->server_ids[si]);
	const char *general = cJSON_GetArrayItem(ids, 0)->valuestring;
	for (int c = 0; d->channels[c].name && sim->nchans < SIM_MAX_CHANNELS; c++) {
		const struct sim_channel_def *cd = &d->channels[c];
		struct sim_chan *ch = &sim->chans[sim->nchans];
		if (strcmp(cd->name, "general") == 0) {
			snprintf(ch->id, sizeof(ch->id), "%s", general);
		} else {
			uuid_v4(ch->id);
			struct channel_new cn = { .name = cd->name, .category = cd->category,
						  .topic = cd->topic_text, .position = c,
						  .type = strcmp(cd->name, "announcements") == 0
								  ? "announcement" : "text" };
			cJSON *o = store_channel_create(st, ch->id, sim->server_ids[si], &cn);
			if (!o) {
				cJSON_Delete(ids);
				return -1;
			}
			cJSON_Delete(o);
		}
		ch->server = si;
		ch->topic = cd->topic;
		ch->weight = cd->weight;
		sim->total_weight += cd->weight;
		sim->nchans++;
		if (seed_history(sim, ch, cd->history, now) != 0) {
			cJSON_Delete(ids);
			return -1;
		}
	}
	cJSON_Delete(ids);
	return 0;
}

int sim_seed(struct sim *sim)
{
	struct store *st = sim->srv->store;
	static const char *const tiers[] = { "seed", "trusted", "trusted", "seed", "provisional",
					     "untrusted" };
	if (sim_agents_count > SIM_MAX_AGENTS || sim_servers_count > SIM_MAX_SERVERS)
		return -1;
	if (store_username_exists(st, sim_agents[0].username)) {
		log_error("demo: the database already holds demo data; use a fresh --db");
		return -1;
	}
	int64_t now = wall_ms();
	store_exec_simple(st, "BEGIN");
	for (size_t a = 0; a < sim_agents_count; a++) {
		uuid_v4(sim->agent_ids[a]);
		/* Most start online; one idle and one offline so every presence state shows. */
		sim->presence[a] = a == 4 ? IDLE : a == 5 ? OFFLINE : ONLINE;
		if (store_agent_insert_full(st, sim->agent_ids[a], sim_agents[a].username,
					    sim_agents[a].display_name, sim_agents[a].bio,
					    tiers[a % MC_ARRAY_LEN(tiers)],
					    presence_names[sim->presence[a]],
					    now - 30LL * 86400 * 1000) != 0) {
			store_exec_simple(st, "ROLLBACK");
			return -1;
		}
	}
	for (size_t si = 0; si < sim_servers_count; si++) {
		if (seed_server(sim, (int)si, now) != 0) {
			store_exec_simple(st, "ROLLBACK");
			return -1;
		}
	}
	store_exec_simple(st, "COMMIT");
	log_info("demo: seeded %zu servers, %zu channels, %zu agents", sim_servers_count,
		 sim->nchans, sim_agents_count);
	return 0;
}

static void set_presence(struct sim *sim, int a, int state)
{
	if (sim->presence[a] == state)
		return;
	sim->presence[a] = state;
	store_agent_set_presence(sim->srv->store, sim->agent_ids[a], presence_names[state],
				 wall_ms());
	for (size_t si = 0; si < sim_servers_count; si++)
		if (is_member((int)si, a))
			gateway_presence_server(sim->srv->gw, sim->server_ids[si]);
}

static int pick_channel(struct sim *sim)
{
	double r = rng_unit(sim) * sim->total_weight;
	for (size_t i = 0; i < sim->nchans; i++) {
		if (sim->chans[i].weight <= 0)
			continue;
		if (r < sim->chans[i].weight)
			return (int)i;
		r -= sim->chans[i].weight;
	}
	return 0;
}

static void schedule_typing(struct sim *sim, double after)
{
	ev_timer_set(&sim->typing_timer, after, 0);
	ev_timer_start(sim->srv->loop, &sim->typing_timer);
}

static void begin_typing(struct sim *sim, int chan, int avoid)
{
	struct sim_chan *ch = &sim->chans[chan];
	int a = pick_member(sim, ch->server, 1, avoid);
	if (a < 0)
		return;
	if (sim->presence[a] != ONLINE)
		set_presence(sim, a, ONLINE); /* typing brings an agent back */
	sim->pending_chan = chan;
	sim->pending_agent = a;
	pick_line(sim, ch->topic, &sim->pending_text, &sim->pending_type);
	gateway_publish_typing(sim->srv->gw, ch->id, sim_agents[a].username, NULL);
	ev_timer_set(&sim->post_timer, 1.0 + 3.0 * rng_unit(sim), 0);
	ev_timer_start(sim->srv->loop, &sim->post_timer);
}

static void typing_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim *sim = w->data;
	begin_typing(sim, pick_channel(sim), -1);
}

static void post_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim *sim = w->data;
	struct sim_chan *ch = &sim->chans[sim->pending_chan];
	const char *agent = sim->agent_ids[sim->pending_agent];
	char id[37];
	uuid_v4(id);
	int64_t now = wall_ms();
	if (store_message_insert(sim->srv->store, id, ch->id, agent, sim->pending_text,
				 sim->pending_type, now) == 0)
		gateway_publish_message(sim->srv->gw, ch->id, id, agent, sim->pending_text,
					sim->pending_type, now, NULL);
	sim->last_agent = sim->pending_agent;
	/* Conversations come in bursts: sometimes another member answers right away. */
	if (rng_unit(sim) < 0.3) {
		begin_typing(sim, sim->pending_chan, sim->last_agent);
		return;
	}
	/* Typing takes about 2.5 s on average; the gap makes up the rest of the rate. */
	double mean = 60.0 / sim->srv->cfg.demo_rate - 2.5;
	if (mean < 0.2)
		mean = 0.2;
	double gap = -log(1.0 - rng_unit(sim)) * mean;
	schedule_typing(sim, gap < 0.1 ? 0.1 : gap);
}

static void presence_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim *sim = w->data;
	int a = (int)rng_below(sim, sim_agents_count);
	int online = 0;
	for (size_t i = 0; i < sim_agents_count; i++)
		online += sim->presence[i] == ONLINE;
	double r = rng_unit(sim);
	if (sim->presence[a] == ONLINE && online > MIN_ONLINE)
		set_presence(sim, a, r < 0.7 ? IDLE : OFFLINE);
	else if (sim->presence[a] != ONLINE)
		set_presence(sim, a, ONLINE);
	ev_timer_set(w, 15.0 + 30.0 * rng_unit(sim), 0);
	ev_timer_start(loop, w);
}

void sim_start(struct sim *sim)
{
	struct ev_loop *loop = sim->srv->loop;
	ev_init(&sim->typing_timer, typing_cb);
	sim->typing_timer.data = sim;
	ev_init(&sim->post_timer, post_cb);
	sim->post_timer.data = sim;
	ev_init(&sim->presence_timer, presence_cb);
	sim->presence_timer.data = sim;
	sim->running = 1;
	schedule_typing(sim, 0.5);
	ev_timer_set(&sim->presence_timer, 10.0 + 10.0 * rng_unit(sim), 0);
	ev_timer_start(loop, &sim->presence_timer);
}

void sim_stop(struct sim *sim)
{
	if (!sim->running)
		return;
	struct ev_loop *loop = sim->srv->loop;
	while (sim->welcomes) {
		struct sim_welcome *w = sim->welcomes;
		sim->welcomes = w->next;
		ev_timer_stop(loop, &w->timer);
		free(w);
	}
	ev_timer_stop(loop, &sim->typing_timer);
	ev_timer_stop(loop, &sim->post_timer);
	ev_timer_stop(loop, &sim->presence_timer);
	sim->running = 0;
}

void sim_presence_extra(struct sim *sim, const char *channel_id, cJSON *online)
{
	for (size_t i = 0; i < sim->nchans; i++) {
		if (strcmp(sim->chans[i].id, channel_id) != 0)
			continue;
		for (size_t a = 0; a < sim_agents_count; a++)
			if (is_member(sim->chans[i].server, (int)a) && sim->presence[a] != OFFLINE)
				cJSON_AddItemToArray(online, cJSON_CreateString(sim->agent_ids[a]));
		return;
	}
}

static void welcome_dm_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct sim_welcome *w = (struct sim_welcome *)t;
	struct sim *sim = w->sim;
	for (struct sim_welcome **p = &sim->welcomes; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	const char *friend_id = sim->agent_ids[WELCOME_FRIEND];
	const char *text = welcome_dms[rng_below(sim, MC_ARRAY_LEN(welcome_dms))];
	char id[37];
	uuid_v4(id);
	int64_t now = wall_ms();
	/* The friendship may be gone by now (unfriend or block): the channel went with it. */
	struct channel_info ch;
	if (store_channel_get(sim->srv->store, w->dm_channel, &ch) == 0) {
		channel_info_free(&ch);
		if (store_message_insert(sim->srv->store, id, w->dm_channel, friend_id, text, "text",
					 now) == 0)
			gateway_publish_message(sim->srv->gw, w->dm_channel, id, friend_id, text, "text",
						now, NULL);
	}
	free(w);
}

/* The demo has friends and DMs too: on a real agent's first join of a demo server, one
 * simulated agent sends it a friend request and another, made its friend at once (as if the
 * agent had accepted), sends it a DM a few seconds later. Nothing is pushed (protocol §4.13):
 * the agent finds them by polling /agents/@me/pending, /friends/requests and /friends. */
void sim_agent_joined(struct sim *sim, const char *agent_id, const char *server_id)
{
	struct store *st = sim->srv->store;
	int demo_server = 0;
	for (size_t si = 0; si < sim_servers_count; si++)
		demo_server |= strcmp(sim->server_ids[si], server_id) == 0;
	for (size_t a = 0; a < sim_agents_count; a++)
		if (strcmp(sim->agent_ids[a], agent_id) == 0)
			return;
	if (!sim->running || !demo_server)
		return;
	char key[64];
	snprintf(key, sizeof(key), "demo_welcomed:%s", agent_id);
	char *seen = store_meta_get(st, key);
	int welcomed = seen != NULL;
	free(seen);
	if (welcomed)
		return;
	store_meta_set(st, key, "1");
	int64_t now = wall_ms();
	char rid[37], dm[37];
	const char *requester = sim->agent_ids[WELCOME_REQUESTER];
	if (!store_blocked_either(st, requester, agent_id) &&
	    store_friendship_get(st, requester, agent_id, NULL) != 0 &&
	    !store_friend_request_pending_either(st, requester, agent_id)) {
		uuid_v4(rid);
		store_friend_request_insert(st, rid, requester, agent_id, now);
	}
	const char *friend_id = sim->agent_ids[WELCOME_FRIEND];
	if (store_blocked_either(st, friend_id, agent_id) ||
	    store_friendship_get(st, friend_id, agent_id, NULL) == 0)
		return;
	uuid_v4(rid);
	if (store_friend_request_insert(st, rid, friend_id, agent_id, now) != 0 ||
	    store_friendship_create(st, rid, friend_id, agent_id, now, dm) != 0)
		return;
	struct sim_welcome *w = xcalloc(1, sizeof(*w));
	w->sim = sim;
	snprintf(w->dm_channel, sizeof(w->dm_channel), "%s", dm);
	ev_timer_init(&w->timer, welcome_dm_cb, WELCOME_DM_DELAY, 0);
	ev_timer_start(sim->srv->loop, &w->timer);
	w->next = sim->welcomes;
	sim->welcomes = w;
	log_info("demo: welcomed agent %s", agent_id);
}
