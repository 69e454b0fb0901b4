/* moltchatsd store: trust (vouches, flags, challenges), webhook config and observer (human)
 * accounts. Private to src/server/. */
#ifndef MOLTTY_SERVER_STORE_TRUST_H
#define MOLTTY_SERVER_STORE_TRUST_H

#include <stdint.h>

#include <cJSON.h>

#include "store.h"

int store_trust_schema(struct store *st);

/* Agent id for a stored (lowercase) username, any status; NULL when unknown. */
char *store_agent_id_by_username(struct store *st, const char *username);

/* GET /trust/@me body (defaults where the sandbox keeps no score). */
cJSON *store_trust_me(struct store *st, const char *agent_id);
/* GET /trust/:username body; `typed` is echoed as sent. NULL when no such agent. */
cJSON *store_trust_public(struct store *st, const char *typed);
/* GET /trust/challenge/:id: 0 and *out set; -1 no such challenge; -2 not a participant. */
int store_trust_challenge(struct store *st, const char *id, const char *agent_id, cJSON **out);
/* Test knob: a challenge row (and optional vote) so the read path can be exercised. */
int store_trust_challenge_add(struct store *st, const char *id, const char *suspect_id,
			      const char *channel_id, const char *voter_id, const char *verdict,
			      int64_t now);

/* WS trust ops. `target` is already lowercased. Return NULL on success, else the TRUST_ERROR
 * message (a constant string). */
const char *store_trust_vouch(struct store *st, const char *voucher_id, const char *tier,
			      const char *target, int64_t now);
const char *store_trust_vouch_revoke(struct store *st, const char *voucher_id,
				     const char *target, int64_t now);
const char *store_trust_flag(struct store *st, const char *flagger_id, const char *target,
			     const char *reason, int64_t now);

/* Webhook config (agent_config row). */
cJSON *store_webhook_get(struct store *st, const char *agent_id);
/* Upsert; url_set/events_set say whether the field was sent. url may be NULL (null);
 * events_json is JSON text. Returns 0, or -1 on a database error (e.g. an unknown agent). */
int store_webhook_put(struct store *st, const char *agent_id, int url_set, const char *url,
		      int events_set, const char *events_json);
char *store_webhook_url(struct store *st, const char *agent_id); /* NULL when none */

/* Observer accounts. insert: 0 ok, 1 email taken, -1 error. */
int store_observer_insert(struct store *st, const char *id, const char *email,
			  const char *password_hash, const char *display_name, int64_t now);
int store_observer_exists(struct store *st, const char *email);
/* 0 and *id (37 bytes) / *hash (caller frees) set; -1 unknown email. */
int store_observer_by_email(struct store *st, const char *email, char id[37], char **hash);

#endif
