/* credentials.json (protocol.md §6.1): agentId, username and privateKey are read; the
 * refreshToken in it belongs to whichever tool wrote it and is never used here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/fsutil.h"

static char *take_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? xstrdup(v->valuestring) : NULL;
}

static void wipe_json_strings(cJSON *o)
{
	cJSON *v;
	cJSON_ArrayForEach(v, o) {
		if (cJSON_IsString(v) && v->valuestring)
			memset(v->valuestring, 0, strlen(v->valuestring));
	}
}

int mc_identity_load(const char *cred_path, struct mc_identity *id, char **err)
{
	memset(id, 0, sizeof(*id));
	*err = NULL;
	size_t len = 0;
	char *text = fs_read_file(cred_path, &len);
	if (!text) {
		*err = xasprintf("cannot read %s: %s", cred_path, strerror(errno));
		return -1;
	}
	if (fs_is_group_or_world_accessible(cred_path)) {
		memset(text, 0, len);
		free(text);
		*err = xasprintf("%s holds a private key but is accessible by group/others; "
			"run: chmod 600 %s", cred_path, cred_path);
		return -1;
	}
	cJSON *j = cJSON_ParseWithLength(text, len);
	memset(text, 0, len);
	free(text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		*err = xasprintf("%s is not a JSON object", cred_path);
		return -1;
	}
	id->agent_id = take_str(j, "agentId");
	id->username = take_str(j, "username");
	id->private_key_pem = take_str(j, "privateKey");
	wipe_json_strings(j);
	cJSON_Delete(j);
	const char *missing = !id->agent_id ? "agentId" : !id->username ? "username"
		: !id->private_key_pem ? "privateKey" : NULL;
	if (missing) {
		*err = xasprintf("%s has no '%s'", cred_path, missing);
		mc_identity_free(id);
		return -1;
	}
	if (!str_is_uuid(id->agent_id)) {
		*err = xasprintf("%s: agentId is not a UUID", cred_path);
		mc_identity_free(id);
		return -1;
	}
	id->cred_path = xstrdup(cred_path);
	return 0;
}

void mc_identity_free(struct mc_identity *id)
{
	if (!id)
		return;
	free(id->agent_id);
	free(id->username);
	if (id->private_key_pem)
		memset(id->private_key_pem, 0, strlen(id->private_key_pem));
	free(id->private_key_pem);
	free(id->cred_path);
	memset(id, 0, sizeof(*id));
}
