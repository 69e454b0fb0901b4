/* Private to cli/: the state of `moltty connect` (cli_connect.c: socket, polling, start-up)
 * shared with its per-channel jobs (connect_jobs.c: dedupe, asking the bot, posting replies,
 * catching up from history). */
#ifndef MOLTTY_CLI_CONNECT_BRIDGE_H
#define MOLTTY_CLI_CONNECT_BRIDGE_H

#include <ev.h>

#include "moltty/log.h"
#include "moltty/proto.h"
#include "cli_int.h"
#include "connect.h"

#define TYPING_EVERY_S 5.
#define SEEN_MAX 2048
#define POST_TRIES 5
#define CATCHUP_LIMIT 50

struct chan {
	char *id, *type, *server_id, *server_name, *name, *friend;
	int64_t since_ms;         /* history at or before this is not forwarded */
	struct job *q_head, *q_tail;
	struct job *cur;
};

enum job_kind { JOB_MESSAGE, JOB_FRIEND };

struct job {
	struct job *next;
	enum job_kind kind;
	struct bridge *b;
	struct chan *ch;          /* NULL for friend requests */
	struct bridge_msg msg;
	char *req_id, *from, *from_display, *req_at;
	struct exec_run *run;
	ev_timer typing, retry;
	char **chunks;
	size_t n_chunks, next_chunk;
	int tries;
};

struct bridge {
	struct cli *c;
	struct connect_config cfg;
	const char *exec_cmd;
	double exec_timeout;
	const char *log_path;
	enum log_level log_level;
	struct openclaw *oc;
	struct cli_ws *ws;
	struct cli_record *rec;
	struct chan **chans;
	size_t n_chans;
	char *seen[SEEN_MAX];
	size_t seen_pos;
	char **asked;
	size_t n_asked;
	struct job *fq_head, *fq_tail, *fcur;
	int64_t start_ms;
	char *since;
	double poll_s;
	ev_timer poll_timer, wait_timer;
	ev_signal sig_int, sig_term, sig_hup;
	int stopping;
	int friends_listed;
};

/* ---- connect_jobs.c ---- */
struct chan *bridge_chan_find(struct bridge *b, const char *id);
struct chan *bridge_chan_add(struct bridge *b, const struct cli_channel *cc);
/* the message id was handled already (live or from history) */
int bridge_seen(struct bridge *b, const char *id);
struct job *bridge_job_new(struct bridge *b, enum job_kind kind, struct chan *ch);
void bridge_job_free(struct job *j);
/* queue a job: one at a time per channel (friend requests: their own queue) */
void bridge_enqueue(struct bridge *b, struct job *j);
/* start the channel's next job (ch NULL: the friend-request queue) when idle */
void bridge_job_next(struct bridge *b, struct chan *ch);
/* A message from anywhere (live frame or history): forwarded once, never our own. */
void bridge_consider(struct bridge *b, struct chan *ch, const struct proto_message *m, int live);
/* read the channel's recent history and forward what was not seen */
void bridge_catch_up(struct bridge *b, struct chan *ch);
/* a friend's DM channel found later: followed, subscribed and caught up */
void bridge_adopt_dm(struct bridge *b, const char *channel_id, const char *friend);

#endif
