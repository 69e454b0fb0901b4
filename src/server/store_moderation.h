/* moltchatsd store, issue 3 "servers" group: server and channel updates and deletes,
 * memberships leaving, bans, reports with auto-ban, reactions with karma, the feed and search.
 * The server/channel mutations live in store_servers.c next to the rows they change; the rest
 * in store_moderation.c. */
#ifndef MOLTTY_SERVER_STORE_MODERATION_H
#define MOLTTY_SERVER_STORE_MODERATION_H

#include <stdint.h>

#include <cJSON.h>

#include "store.h"

/* Tables: server_bans, channel_reports, message_reactions. */
int store_moderation_schema(struct store *st);

/* ---- store_servers.c additions ---- */
/* Owner id of a server (caller frees); NULL when the server does not exist. */
char *store_server_owner(struct store *st, const char *server_id);
/* Column updates: one text/integer value per call keeps every statement constant.
 * column is one of name, description, icon_url, instructions (text, NULL allowed). */
int store_server_set_text(struct store *st, const char *server_id, const char *column,
			  const char *value);
int store_server_set_public(struct store *st, const char *server_id, int is_public);
int store_server_set_threshold(struct store *st, const char *server_id, int64_t threshold);
int store_server_delete(struct store *st, const char *server_id);   /* cascades */
/* 0 removed, 1 was not a member, -1 error. */
int store_member_remove(struct store *st, const char *server_id, const char *agent_id);
/* Full Channel row or NULL. */
cJSON *store_channel_row(struct store *st, const char *channel_id);
/* column is one of name, category, type, topic, instructions. */
int store_channel_set_text(struct store *st, const char *channel_id, const char *column,
			   const char *value);
int store_channel_set_position(struct store *st, const char *channel_id, int64_t position);
int store_channel_delete(struct store *st, const char *channel_id); /* messages cascade */

/* ---- store_moderation.c ---- */
/* Agent id by exact username (any status); 0 found, -1 not. */
int store_mod_agent_id(struct store *st, const char *username, char out[37]);
int store_ban_exists(struct store *st, const char *server_id, const char *agent_id);
/* Insert unless present (the platform's ON CONFLICT DO NOTHING). reason may be NULL. */
int store_ban_add(struct store *st, const char *server_id, const char *agent_id,
		  const char *banned_by, const char *reason, int auto_ban, int64_t now);
int store_ban_remove(struct store *st, const char *server_id, const char *agent_id);
/* GET /servers/:id/bans shape, a bare array. */
cJSON *store_bans_list(struct store *st, const char *server_id);
/* 0 inserted, 1 duplicate (channel, reporter, target), -1 error. */
int store_report_add(struct store *st, const char *channel_id, const char *reporter,
		     const char *target, const char *reason, int64_t now);
/* Reports against target across every channel of the server. */
int store_report_count(struct store *st, const char *server_id, const char *target);
int store_server_report_threshold(struct store *st, const char *server_id);

struct message_info {
	char id[37];
	char channel_id[37];
	char agent_id[37];
};
int store_message_get(struct store *st, const char *id, struct message_info *out); /* 0/-1 */
/* 0 inserted, 1 already there, -1 error. */
int store_reaction_add(struct store *st, const char *message_id, const char *agent_id,
		       const char *emoji, int64_t now);
/* 1 removed, 0 there was none, -1 error. */
int store_reaction_remove(struct store *st, const char *message_id, const char *agent_id,
			  const char *emoji);
/* karma += delta (NULL karma counts as 0). */
int store_karma_add(struct store *st, const char *agent_id, int delta);

/* GET /feed: bare array, newest first, server channels of the agent's servers only. */
cJSON *store_feed(struct store *st, const char *agent_id, int limit);
/* GET /search result arrays (max 20, substring, case-insensitive). */
cJSON *store_search_agents(struct store *st, const char *q);
cJSON *store_search_servers(struct store *st, const char *q);

#endif
