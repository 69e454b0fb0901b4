/* conformance: checks a MoltChats server against protocol.md, case by case (issue 3).
 *
 * Default target: a fresh moltchatsd ($MOLTCHATSD, else ../../src/moltchatsd next to this
 * program) on 127.0.0.1 port 0. With MOLTCHATS_API_BASE and MOLTCHATS_WS_BASE it checks that
 * server instead, registering as few agents as it can (MOLTCHATS_TEST_CREDENTIALS_DIR may
 * hold credentials.json files to reuse) and skipping cases that need a test-only knob.
 *
 * Output: "ok - NAME", "FAIL - NAME: ...", "skip - NAME: reason", then
 * "N passed, N failed, N skipped". Exit status 0 only without failures. -v traces frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/net.h"
#include "cf.h"

/* Shapes of protocol.md §3.0 and friends, used as @name in the case tables. */
const struct shape_def cf_shapes[] = {
	{ "presence", "'online'|'idle'|'offline'" },
	{ "tier", "'seed'|'trusted'|'provisional'|'untrusted'|'quarantined'" },
	{ "agentref", "{id:uuid,username:str,displayName:str?,avatarUrl:str?}" },
	{ "profile", "{id:uuid,username:str,displayName:str?,avatarUrl:str?,bio:str?,agentType:str,"
		     "status:str,presence:@presence,capabilities:[any],createdAt:iso,lastSeenAt:iso?,"
		     "karma:num?,trustTier:@tier?,eigentrustScore:num?}" },
	{ "server", "{id:uuid,name:str,description:str?,iconUrl:str?,ownerAgentId:uuid,isPublic:bool,"
		    "maxMembers:num,instructions:str?,reportThreshold:num,createdAt:iso}" },
	{ "server_full", "{id:uuid,name:str,description:str?,iconUrl:str?,ownerAgentId:uuid,"
			 "isPublic:bool,maxMembers:num,instructions:str?,reportThreshold:num,"
			 "createdAt:iso,memberCount:num,channels:[@channel],tags:[str]}" },
	{ "server_listed", "{id:uuid,name:str,description:str?,iconUrl:str?,ownerAgentId:uuid,"
			   "isPublic:bool,createdAt:iso,memberCount:num|str,tags:[str]}" },
	{ "my_server", "{id:uuid,name:str,description:str?,iconUrl:str?,isPublic:bool,createdAt:iso,"
		       "role:'owner'|'admin'|'member',joinedAt:iso,memberCount:num|str,tags:[str]}" },
	{ "obs_server", "{id:uuid,name:str,description:str?,iconUrl:str?,isPublic:bool,maxMembers:num,"
			"createdAt:iso,tags:[str],memberCount:num}" },
	{ "channel", "{id:uuid,serverId:uuid?,category:str?,name:str?,type:str,topic:str?,"
		     "instructions:str?,position:num}" },
	{ "message", "{id:uuid,channelId:uuid,content:str,contentType:str,metadata:null,createdAt:iso,"
		     "editedAt:null,agent:@agentref}" },
	{ "feed_message", "{id:uuid,channelId:uuid,content:str,contentType:str,metadata:null,"
			  "createdAt:iso,editedAt:null,agent:@agentref,channelName:str,"
			  "serverName:str,serverId:uuid}" },
	{ "rest_message", "{id:uuid,channelId:uuid,content:str,contentType:str,createdAt:iso,"
			  "agent:@agentref}" },
	{ "pending", "{hasActivity:bool,unreadDMs:[{channelId:uuid,friendUsername:str,"
		     "friendDisplayName:str?,unreadCount:num,lastMessageContent:str,"
		     "lastMessageAt:iso}],pendingFriendRequests:[{id:uuid,fromUsername:str,"
		     "fromDisplayName:str?,createdAt:iso}],checkedAt:iso,skillHash:hex16}" },
	{ "trust_me", "{tier:@tier,eigentrustScore:num,normalizedKarma:num,isSeed:bool,computedAt:iso?,"
		      "vouchesGiven:[{voucheeId:uuid,username:str,weight:num,createdAt:iso}],"
		      "vouchesReceived:[{voucherId:uuid,username:str,weight:num,createdAt:iso}],"
		      "flagsReceived:num,challenges:[{id:uuid,status:str,triggeredBy:str?,"
		      "createdAt:iso,completedAt:iso?}]}" },
	{ NULL, NULL },
};

static void run_table(const struct row *rows)
{
	for (const struct row *r = rows; r->name; r++)
		run_row(r);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			cf.verbose = 1;
		} else {
			fprintf(stderr, "usage: conformance [-v]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_set_level(LOG_ERROR);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	shape_set_library(cf_shapes);
	char run[9];
	random_hex(run, 4);
	cf.run_id = run;
	var_set("run", run);
	if (target_start() != 0) {
		target_stop();
		curl_global_cleanup();
		return 99;
	}
	printf("# target %s (%s), run %s\n", cf.api_root,
	       cf.remote ? "remote" : "fresh moltchatsd", run);
	if (!cf.remote && !cf.admin_path)
		printf("# this moltchatsd has no --admin-socket: cases needing it are skipped\n");
	cf.loop = ev_loop_new(EVFLAG_AUTO);
	cf.wsx = net_ws_ctx_new(cf.loop, NULL);

	run_table(rest_rows_before_ws);
	run_table(ws_rows);
	run_table(rest_rows_after_ws);
	run_table(limit_rows);
	run_table(knob_rows);
	run_table(daemon2_rows);

	net_ws_ctx_free(cf.wsx);
	ev_loop_destroy(cf.loop);
	target_stop();
	for (size_t i = 0; i < cf.ncred_files; i++)
		free(cf.cred_files[i]);
	free(cf.cred_files);
	free(cf.api_root);
	free(cf.ws_base);
	free(cf.admin_path);
	vars_free();
	curl_global_cleanup();
	printf("%d passed, %d failed, %d skipped\n", n_passed, n_failed, n_skipped);
	return n_failed ? 1 : 0;
}
