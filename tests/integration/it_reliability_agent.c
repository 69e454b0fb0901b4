/* A client process for the kill -9 tests (driven by it_reliability_kill): one agent, one
 * mc_client, no TUI. Prints one line per milestone on stdout.
 *
 *   it_reliability_agent API_BASE CRED STATE_DIR refresh-loop
 *       log in, print "ready", then refresh the session back to back until killed
 *   it_reliability_agent API_BASE CRED STATE_DIR check
 *       log in; print "ok me|refresh|reauth" and exit 0, or exit 1 (failed) / 2 (timeout)
 *   it_reliability_agent API_BASE CRED STATE_DIR send CHANNEL N PREFIX
 *       wait for CHANNEL, subscribe, print "loaded"; on SIGUSR1 send "PREFIX 1".."PREFIX N",
 *       print "queued", and keep running until killed
 *   it_reliability_agent API_BASE CRED STATE_DIR drain CHANNEL
 *       start (the outbox file is restored), print "drained" and exit 0 once nothing is left
 *       to send; exit 2 after 30 s */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "client_int.h"

static struct ev_loop *loop;
static struct mc_client *c;
static struct mdl_account *agent_acct;
static const char *mode, *channel, *prefix;
static int count, exit_code = -1, said_ready, said_loaded, go;
static double started;
static ev_timer tick;
static ev_signal usr1;

static void refresh_done(void *ud, int ok)
{
	/* the next one at once: a kill lands inside a refresh most of the time */
	session_refresh_now(c, refresh_done, NULL);
}

static void finish(int code)
{
	exit_code = code;
	ev_break(loop, EVBREAK_ALL);
}

static void tick_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	double now = ev_now(l);
	if (!strcmp(mode, "refresh-loop")) {
		if (!said_ready && session_ready(c)) {
			said_ready = 1;
			printf("ready\n");
			session_refresh_now(c, refresh_done, NULL);
		}
		return;
	}
	if (!strcmp(mode, "check")) {
		if (agent_acct->conn == MDL_CONN_FAILED) {
			fprintf(stderr, "check: failed: %s\n", agent_acct->conn_detail ? agent_acct->conn_detail : "?");
			finish(1);
		} else if (session_ready(c)) {
			printf("ok %s\n", c->sess.reauths ? "reauth" : c->sess.refreshes ? "refresh" : "me");
			finish(0);
		} else if (now - started > 10) {
			finish(2);
		}
		return;
	}
	struct mdl_channel *ch = mdl_channel_find(agent_acct, channel);
	if (!strcmp(mode, "send")) {
		if (!ch)
			return;
		mc_client_open_channel(c, channel);
		if (!said_loaded && ch->subscribed && gw_is_open(c)) {
			said_loaded = 1;
			printf("loaded\n");
		}
		if (go == 1) {
			go = 2;
			for (int i = 1; i <= count; i++) {
				char *text = xasprintf("%s %d", prefix, i);
				if (mc_client_send(c, channel, text, NULL) != 0)
					fprintf(stderr, "send refused\n");
				free(text);
			}
			printf("queued\n");
		}
		return;
	}
	if (!strcmp(mode, "drain")) {
		if (ch)
			mc_client_open_channel(c, channel);
		if (ch && session_ready(c) && !mc_client_outbox_count(c, NULL)) {
			printf("drained\n");
			finish(0);
		} else if (now - started > 30) {
			fprintf(stderr, "drain: %zu left\n", mc_client_outbox_count(c, NULL));
			finish(2);
		}
	}
}

static void usr1_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	if (!go)
		go = 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5) {
		fprintf(stderr, "usage: %s API_BASE CRED STATE_DIR MODE [ARGS]\n", argv[0]);
		return 64;
	}
	mode = argv[4];
	if (!strcmp(mode, "send") && argc == 8) {
		channel = argv[5];
		count = atoi(argv[6]);
		prefix = argv[7];
	} else if (!strcmp(mode, "drain") && argc == 6) {
		channel = argv[5];
	} else if (strcmp(mode, "refresh-loop") != 0 && strcmp(mode, "check") != 0) {
		fprintf(stderr, "bad mode or arguments\n");
		return 64;
	}
	log_open(NULL, getenv("IT_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	struct mc_endpoints ep;
	struct mc_identity id;
	char *err = NULL;
	if (mc_endpoints_init(&ep, argv[1], NULL, &err) != 0 ||
		mc_identity_load(argv[2], &id, &err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	loop = ev_loop_new(EVFLAG_AUTO);
	struct mc_net *net = mc_net_new(loop, NULL);
	struct mdl_model *model = mdl_model_new();
	agent_acct = mdl_account_add(model, "@agent", 0);
	c = mc_client_new(net, agent_acct, &ep, &id, argv[3]);
	mc_client_start(c);
	started = ev_now(loop);
	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(loop, &tick);
	ev_signal_init(&usr1, usr1_cb, SIGUSR1);
	ev_signal_start(loop, &usr1);
	ev_run(loop, 0);
	ev_timer_stop(loop, &tick);
	ev_signal_stop(loop, &usr1);
	mc_client_free(c);
	mc_net_free(net);
	mdl_model_free(model);
	ev_loop_destroy(loop);
	mc_identity_free(&id);
	mc_endpoints_free(&ep);
	log_close();
	return exit_code < 0 ? 3 : exit_code;
}
