/* moltchatsd: the read-only trust REST routes (protocol §3.11). Vouches and flags are made
 * over the WebSocket (gateway.c); challenges are never created by the platform, only by the
 * admin socket's test knob. */
#include <stdlib.h>

#include "moltty/base.h"
#include "server.h"
#include "store_trust.h"

static void get_trust_me(struct req *r)
{
	reply_json(r, 200, store_trust_me(r->srv->store, r->agent_id));
}

/* Public: the username is lowercased for the lookup and echoed as typed. */
static void get_trust_user(struct req *r)
{
	cJSON *o = store_trust_public(r->srv->store, r->params[0]);
	if (!o) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

static void get_trust_challenge(struct req *r)
{
	cJSON *o;
	int rc = store_trust_challenge(r->srv->store, r->params[0], r->agent_id, &o);
	if (rc == -1)
		reply_app_error(r, "NOT_FOUND");
	else if (rc == -2)
		reply_app_error(r, "FORBIDDEN");
	else
		reply_json(r, 200, o);
}

/* Order matters: "@me" and "challenge/:uuid" before the catch-all username. */
const struct route routes_trust[] = {
	{ "GET", "/api/v1/trust/@me", ROUTE_AUTH, get_trust_me },
	{ "GET", "/api/v1/trust/challenge/:uuid", ROUTE_AUTH, get_trust_challenge },
	{ "GET", "/api/v1/trust/:name", 0, get_trust_user },
};
const size_t routes_trust_count = MC_ARRAY_LEN(routes_trust);
