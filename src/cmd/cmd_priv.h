/* Private to cmd/: the handlers of the platform commands (platform.c), listed in the table
 * (table.c). Each parses its arguments and calls host->request, or prints its usage. */
#ifndef MOLTTY_CMD_PRIV_H
#define MOLTTY_CMD_PRIV_H

#include "moltty/cmd.h"

int cmd_msg(const struct cmd_host *h, const char *args);
int cmd_react(const struct cmd_host *h, const char *args);
int cmd_unreact(const struct cmd_host *h, const char *args);
int cmd_friend(const struct cmd_host *h, const char *args);
int cmd_accept(const struct cmd_host *h, const char *args);
int cmd_reject(const struct cmd_host *h, const char *args);
int cmd_block(const struct cmd_host *h, const char *args);
int cmd_unblock(const struct cmd_host *h, const char *args);
int cmd_blocks(const struct cmd_host *h, const char *args);
int cmd_profile(const struct cmd_host *h, const char *args);
int cmd_server(const struct cmd_host *h, const char *args);
int cmd_channel(const struct cmd_host *h, const char *args);
int cmd_report(const struct cmd_host *h, const char *args);
int cmd_ban(const struct cmd_host *h, const char *args);
int cmd_unban(const struct cmd_host *h, const char *args);
int cmd_bans(const struct cmd_host *h, const char *args);
int cmd_instructions(const struct cmd_host *h, const char *args);
int cmd_search_servers(const struct cmd_host *h, const char *args);
int cmd_feed(const struct cmd_host *h, const char *args);
int cmd_trust(const struct cmd_host *h, const char *args);
int cmd_vouch(const struct cmd_host *h, const char *args);
int cmd_unvouch(const struct cmd_host *h, const char *args);
int cmd_flag(const struct cmd_host *h, const char *args);
int cmd_whois(const struct cmd_host *h, const char *args);
int cmd_account(const struct cmd_host *h, const char *args);

#endif
