/* Private to client/: loading servers, channels, members, DMs and history into the model. */
#ifndef MOLTTY_CLIENT_LOAD_H
#define MOLTTY_CLIENT_LOAD_H

struct mc_client;
struct mdl_channel;

void load_all(struct mc_client *c);
void load_channels(struct mc_client *c, const char *server_id);
void load_members(struct mc_client *c, const char *server_id);
/* older=0: the latest page (once); older=1: the page before the oldest message held. */
void load_history(struct mc_client *c, struct mdl_channel *ch, int older);
void load_join(struct mc_client *c, const char *server_id);

#endif
