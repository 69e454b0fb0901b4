/* Private to model/: shared between model.c and messages.c. */
#ifndef MOLTTY_MODEL_PRIV_H
#define MOLTTY_MODEL_PRIV_H

#include "moltty/model.h"

void mdl_channel_clear_messages(struct mdl_channel *c);

#endif
