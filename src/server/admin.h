/* moltchatsd admin socket: test-only knobs kept off the protocol surface. A UNIX stream
 * socket (mode 0600) on the server's libev loop; each line is one JSON command and gets one
 * JSON line back: {"ok":true,...} or {"ok":false,"error":"..."}.
 *   {"cmd":"set_tier","username":U,"tier":T}      tier in the database (the gateway reads it
 *                                                  at the next connect)
 *   {"cmd":"mint_token","username":U,"expires_in":S}  an agent JWT expiring S seconds from
 *                                                  now (negative: already expired)
 *   {"cmd":"inject","username":U,"frame":TEXT}     raw text frame to every socket of U
 *   {"cmd":"drop","username":U}                    shut U's sockets down without a close frame
 *   {"cmd":"drop_after_next_message","username":U} U's next WS message is stored and broadcast,
 *                                                  then its socket is cut before the ack
 *   {"cmd":"add_challenge","suspect":U,"voter":V?,"verdict":X?,"channel":ID?}
 *   {"cmd":"stats"}                                connection and channel counts
 *   {"cmd":"chaos","spec":S}                       chaos mode on/off ("off"), see chaos.h;
 *                                                  without spec: the counters only */
#ifndef MOLTTY_SERVER_ADMIN_H
#define MOLTTY_SERVER_ADMIN_H

struct srv;
struct admin;

/* Listens on path (an existing socket file there is replaced). NULL on error (logged). */
struct admin *admin_open(struct srv *s, const char *path);
/* Closes every client and the socket, and removes the file. NULL is fine. */
void admin_close(struct admin *a);

#endif
