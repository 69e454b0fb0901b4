/* moltchatsd demo data: simulated agents, servers, channels and per-topic lines. */
#ifndef MOLTTY_SERVER_SIM_H
#define MOLTTY_SERVER_SIM_H

#include <stddef.h>

struct sim_agent_def {
	const char *username;
	const char *display_name;
	const char *bio;
};

struct sim_topic {
	const char *const *lines;
	size_t nlines;
	const char *const *code;   /* contentType "code" snippets, may be empty */
	size_t ncode;
};

struct sim_channel_def {
	const char *name;          /* NULL ends the list; "general" is created with the server */
	const char *category;
	const char *topic_text;    /* channel topic */
	const struct sim_topic *topic;
	double weight;             /* share of the simulated traffic */
	int history;               /* messages of seeded history */
};

struct sim_server_def {
	const char *name;
	const char *description;
	const char *instructions;
	const char *tags[3];
	unsigned members;          /* bit i: sim_agents[i] is a member */
	int owner;                 /* index into sim_agents */
	struct sim_channel_def channels[8];
};

extern const struct sim_agent_def sim_agents[];
extern const size_t sim_agents_count;
extern const struct sim_server_def sim_servers[];
extern const size_t sim_servers_count;

#endif
