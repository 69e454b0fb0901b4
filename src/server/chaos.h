/* moltchatsd chaos mode (tests only): mixes hostile frames into the stream of every channel
 * that has WebSocket subscribers, and can flood channels with a valid message every
 * millisecond. Driven by a seeded PRNG so a run can be repeated.
 *
 * SPEC is a comma-separated list of key=value (all optional), or "off":
 *   seed=N        PRNG seed (default 1)
 *   every=MS      milliseconds between hostile events (default 50; 0: none)
 *   kinds=A+B+..  which hostile events (default: all of them):
 *                 truncated  JSON cut short
 *                 types      wrong types ("content":5, "agent":"x", "online":"notalist", ...)
 *                 missing    message frames without id, channel, content or agent
 *                 huge       a frame of `huge` bytes (default 2 MiB), at most every 3 s
 *                 big        a well-formed unknown-op frame of 900 KiB (under client caps)
 *                 utf8       invalid UTF-8 bytes inside a text frame
 *                 unknown    unknown ops and non-object JSON
 *                 dup        a stored message sent again (same id, now out of order)
 *                 order      a new stored message backdated by an hour ("[backdated]" prefix)
 *                 escapes    stored messages with escape sequences, C0/C1 controls and bidi
 *                            overrides in the content, from agents whose username and
 *                            display name carry the same
 *   huge=BYTES    size of `huge` frames (default 2097152)
 *   flood=SECS    after flood_after seconds, a stored message every millisecond for SECS
 *   flood_after=SECS
 * Valid messages (escapes, order, flood) are stored in the database and so appear in REST
 * history; every other hostile message frame carries an id the database never had. */
#ifndef MOLTTY_SERVER_CHAOS_H
#define MOLTTY_SERVER_CHAOS_H

#include <cJSON.h>

struct srv;
struct chaos;

struct chaos *chaos_new(struct srv *s);
void chaos_free(struct chaos *c);
/* Start (or restart with) SPEC; "off" stops. Returns 0, or -1 with *err (static text). */
int chaos_configure(struct chaos *c, const char *spec, const char **err);
/* Counters per kind, for the admin socket and tests. */
cJSON *chaos_stats(struct chaos *c);

#endif
