/* Private to model/: shared between model.c and messages.c. */
#ifndef MOLTTY_MODEL_PRIV_H
#define MOLTTY_MODEL_PRIV_H

#include "moltty/model.h"

void mdl_channel_clear_messages(struct mdl_channel *c);
/* Frees the channel's message array (after mdl_channel_clear_messages). */
void mdl_channel_free_msgs(struct mdl_channel *c);

/* intern.c: shared copies of repeated strings (NULL in, NULL out); each mdl_intern is
 * matched by one mdl_intern_release. */
const char *mdl_intern(const char *s);
void mdl_intern_release(const char *s);

#endif
