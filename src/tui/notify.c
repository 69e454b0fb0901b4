/* New messages since the last look, per channel: mentions of us and direct messages ring the
 * bell, set the window title (OSC 2) and run notify_command; with log_messages every new
 * stored message is appended to its channel's log.
 *
 * Everything that leaves the program here is made inert first: the title and the command's
 * argument keep printable ASCII only (no escape sequence can ride on a name or a message),
 * and the command runs with fork/exec and an argv, never through a shell. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

#define SUMMARY_MAX 160
#define TITLE_PREFIX "moltty"

/* Printable ASCII only, runs of anything else collapsed to one space, at most `max` bytes. */
static char *ascii_only(const char *raw, size_t max)
{
	struct buf b = BUF_INIT;
	int space = 0;
	for (const unsigned char *p = (const unsigned char *)(raw ? raw : ""); *p && b.len < max; p++) {
		if (*p >= 0x20 && *p < 0x7f) {
			buf_putc(&b, (char)*p);
			space = *p == ' ';
		} else if (!space) {
			buf_putc(&b, ' ');
			space = 1;
		}
	}
	return buf_steal(&b);
}

static void set_title(struct tui *t, const char *text)
{
	if (!t->cfg->set_title || str_eq(t->title, text))
		return;
	if (!t->title) {
		/* Save the terminal's own title (xterm's title stack) to give it back at exit. */
		fputs("\033[22;0t", stdout);
	}
	char *clean = ascii_only(text, SUMMARY_MAX);
	printf("\033]2;%s\007", clean);
	fflush(stdout);
	free(clean);
	str_replace(&t->title, text);
}

void notify_restore_title(struct tui *t)
{
	if (!t->title)
		return;
	fputs("\033[23;0t", stdout);
	fflush(stdout);
}

/* argv = the words of notify_command, then the summary. */
static void run_command(struct tui *t, const char *summary)
{
	const char *cmd = t->cfg->notify_command;
	if (!cmd || !*cmd)
		return;
	int64_t now = mono_ms();
	if (t->last_notify_ms && now - t->last_notify_ms < (int64_t)t->cfg->notify_interval * 1000)
		return;
	t->last_notify_ms = now;
	char *copy = xstrdup(cmd);
	char **argv = NULL;
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		argv = xrealloc(argv, (n + 2) * sizeof(*argv));
		argv[n++] = w;
	}
	if (n == 0) {
		free(copy);
		return;
	}
	char *arg = ascii_only(summary, SUMMARY_MAX);
	argv = xrealloc(argv, (n + 2) * sizeof(*argv));
	argv[n++] = arg;
	argv[n] = NULL;
	fflush(stdout);
	/* Double fork: the grandchild is reparented to init, so no zombie waits for us and
	 * the loop's own child watchers never see it. */
	pid_t pid = fork();
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		closefrom(3);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	else
		log_warn("notify_command: fork failed");
	free(arg);
	free(argv);
	free(copy);
}

/* The command runs for every notifiable message (run_command keeps notify_interval between
 * runs); the bell and the window title go out once per scan, for the newest one: a burst of
 * mentions was a write() to the terminal each. *note holds that summary. */
static void notify(struct tui *t, const struct mdl_channel *c, const struct mdl_message *m,
	char **note)
{
	const char *who = m->author_username ? m->author_username : "?";
	char *summary;
	if (c->server->is_dms)
		summary = xasprintf("DM from @%s: %s", who, m->content ? m->content : "");
	else
		summary = xasprintf("@%s mentioned you in #%s: %s", who, c->name ? c->name : "?",
			m->content ? m->content : "");
	run_command(t, summary);
	free(*note);
	*note = summary;
}

static void log_message(struct tui *t, const struct mdl_channel *c, const struct mdl_message *m)
{
	const struct mdl_server *s = c->server;
	const char *server = s->is_dms ? "dms" : s->name ? s->name : s->id;
	const char *channel = c->name ? c->name : c->peer ? c->peer : c->id;
	const char *who = m->author_username ? m->author_username :
		s->account->username ? s->account->username : "?";
	if (chatlog_append(&t->chatlog, server, channel, m->created_ms, who, m->content) != 0) {
		if (!t->chatlog.warned)
			mdl_notice(t->model, 1, "chat log for %s/%s: cannot write (%s)", server,
				channel, strerror(errno));
		t->chatlog.warned = 1;
	} else {
		t->chatlog.warned = 0;
	}
}

static void scan_channel(struct tui *t, struct mdl_channel *c, char **note)
{
	struct chan_state *cs = chan_state(t, c);
	struct log_pos seen = { .ms = cs->seen_ms, .id = cs->seen_id };
	size_t i = c->n_msgs;
	while (i > 0 && log_pos_cmp_msg(&seen, c->msgs[i - 1]) > 0)
		i--;
	const struct mdl_message *last = NULL;
	for (; i < c->n_msgs; i++) {
		const struct mdl_message *m = c->msgs[i];
		/* Ours while pending get a real id and time when confirmed: wait for that. */
		if (m->state != MDL_MSG_STORED)
			break;
		last = m;
		const struct mdl_account *a = c->server->account;
		int own = a->agent_id && str_eq(m->author_id, a->agent_id);
		if (!own && (m->mentions_me || c->server->is_dms))
			notify(t, c, m, note);
		if (t->cfg->log_messages)
			log_message(t, c, m);
	}
	if (last) {
		cs->seen_ms = last->created_ms;
		str_replace(&cs->seen_id, last->id);
	}
}

void notify_scan(struct tui *t)
{
	unsigned mentions = 0;
	char *note = NULL; /* the newest summary: for the title and the bell */
	for (size_t k = 0; k < t->n_ids; k++) {
		struct mdl_account *a = t->ids[k]->acct;
		for (size_t i = 0; i < a->n_servers; i++) {
			struct mdl_server *s = a->servers[i];
			for (size_t j = 0; j < s->n_channels; j++)
				scan_channel(t, s->channels[j], &note);
			mentions += mdl_server_mentions(s);
		}
	}
	if (note) {
		if (t->cfg->bell)
			beep();
		char *title = xasprintf(TITLE_PREFIX ": %s", note);
		set_title(t, title);
		free(title);
		free(note);
	}
	/* Nothing left to read: the title says so. */
	if (t->title) {
		if (mentions == 0)
			set_title(t, TITLE_PREFIX);
	}
}
