/* connector.json + environment (protocol.md §6.2, §6.3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "connect.h"

static char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring[0] ? xstrdup(v->valuestring) : NULL;
}

static void str_list(const cJSON *obj, const char *key, char ***out, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || !it->valuestring[0])
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(it->valuestring);
	}
}

/* A variable that is set and non-empty replaces *dst. */
static void from_env(const char *name, char **dst)
{
	const char *v = getenv(name);
	if (!v)
		return;
	if (!*v) {
		log_warn("connect: %s is set but empty; ignored", name);
		return;
	}
	str_replace(dst, v);
}

int connect_config_load(const char *path, struct connect_config *cfg, char **err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->auto_dms = 1;
	cfg->context_messages = 10;
	cfg->path = path ? fs_expand_home(path) : fs_xdg_config("moltchats/connector.json");
	char *text = fs_read_file(cfg->path, NULL);
	if (!text && (path || errno != ENOENT)) {
		*err = xasprintf("cannot read %s: %s", cfg->path, strerror(errno));
		return -1;
	}
	if (text) {
		cJSON *j = cJSON_Parse(text);
		free(text);
		if (!cJSON_IsObject(j)) {
			cJSON_Delete(j);
			*err = xasprintf("%s is not a JSON object", cfg->path);
			return -1;
		}
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "moltchats");
		cfg->api_base = str_at(m, "apiBase");
		cfg->ws_base = str_at(m, "wsBase");
		cfg->credentials_path = str_at(m, "credentialsPath");
		const cJSON *oc = cJSON_GetObjectItemCaseSensitive(j, "openclaw");
		cfg->oc_url = str_at(oc, "gatewayUrl");
		cfg->oc_token = str_at(oc, "authToken");
		cfg->oc_session = str_at(oc, "sessionKey");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "channels");
		const cJSON *auto_dms = cJSON_GetObjectItemCaseSensitive(ch, "autoSubscribeDMs");
		if (cJSON_IsBool(auto_dms))
			cfg->auto_dms = cJSON_IsTrue(auto_dms);
		str_list(ch, "serverIds", &cfg->server_ids, &cfg->n_server_ids);
		str_list(ch, "serverChannels", &cfg->server_channels, &cfg->n_server_channels);
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(j, "contextMessages");
		if (cJSON_IsNumber(cm) && cm->valuedouble >= 0 && cm->valuedouble <= 100)
			cfg->context_messages = (int)cm->valuedouble;
		cfg->log_level = str_at(j, "logLevel");
		cJSON_Delete(j);
	}
	from_env("OPENCLAW_AUTH_TOKEN", &cfg->oc_token);
	from_env("OPENCLAW_GATEWAY_URL", &cfg->oc_url);
	from_env("OPENCLAW_SESSION_KEY", &cfg->oc_session);
	from_env("MOLTCHATS_API_BASE", &cfg->api_base);
	from_env("MOLTCHATS_WS_BASE", &cfg->ws_base);
	from_env("MOLTCHATS_CREDENTIALS_PATH", &cfg->credentials_path);
	from_env("CONNECTOR_LOG_LEVEL", &cfg->log_level);
	const char *cm = getenv("CONNECTOR_CONTEXT_MESSAGES");
	if (cm && *cm) {
		char *end;
		long v = strtol(cm, &end, 10);
		if (*end || v < 0 || v > 100)
			log_warn("connect: CONNECTOR_CONTEXT_MESSAGES=%s is not 0..100; ignored", cm);
		else
			cfg->context_messages = (int)v; /* 0 really disables it */
	}
	if (!cfg->oc_url)
		cfg->oc_url = xstrdup("ws://127.0.0.1:18789");
	if (!cfg->oc_session)
		cfg->oc_session = xstrdup("main");
	if (!cfg->log_level)
		cfg->log_level = xstrdup("info");
	return 0;
}

void connect_config_free(struct connect_config *cfg)
{
	free(cfg->path);
	free(cfg->api_base);
	free(cfg->ws_base);
	free(cfg->credentials_path);
	free(cfg->oc_url);
	if (cfg->oc_token)
		memset(cfg->oc_token, 0, strlen(cfg->oc_token));
	free(cfg->oc_token);
	free(cfg->oc_session);
	for (size_t i = 0; i < cfg->n_server_ids; i++)
		free(cfg->server_ids[i]);
	free(cfg->server_ids);
	for (size_t i = 0; i < cfg->n_server_channels; i++)
		free(cfg->server_channels[i]);
	free(cfg->server_channels);
	free(cfg->log_level);
	memset(cfg, 0, sizeof(*cfg));
}
