/* moltchatsd --replay FILE: the WebSocket side of the server plays a recording made with
 * `moltty tail --record` / `moltty connect --record` (docs/record-format.md) back to whoever
 * connects, instead of the live gateway. REST keeps working normally (against the database),
 * so a client can still authenticate. */
#ifndef MOLTTY_SERVER_REPLAY_H
#define MOLTTY_SERVER_REPLAY_H

#include <stddef.h>
#include <ev.h>

struct lws;
struct replay;

/* speed: 1 = recorded pace, 2 = twice as fast, 0 = no waiting between frames.
 * NULL with *err (caller frees) when the file cannot be read or parsed. */
struct replay *replay_load(struct ev_loop *loop, const char *path, double speed, char **err);
void replay_free(struct replay *r);
/* The WebSocket callbacks (ESTABLISHED, RECEIVE, SERVER_WRITEABLE, CLOSED); 0 or -1 (close). */
int replay_callback(struct replay *r, struct lws *wsi, int reason, void *in, size_t len);

#endif
