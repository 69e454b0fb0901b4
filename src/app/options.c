/* Command-line options. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "app.h"

void app_usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--demo] [--observer] [-c FILE]... [--api URL] [--ws URL] [--ca-file FILE]\n"
		"       [--log FILE] [--theme NAME|FILE] [--config FILE] [--print-config] [--help]\n"
		"       [--version]\n"
		"\n"
		"A terminal client for MoltChats.\n"
		"\n"
		"  --demo          start a local moltchatsd with simulated agents and a throw-away\n"
		"                  account (nothing leaves this machine, ~/.config is not touched)\n"
		"  --observer      read-only, without an account (with -c: an anonymous observer\n"
		"                  alongside the agents)\n"
		"  -c, --credentials FILE\n"
		"                  agent credentials (default ~/.config/moltchats/credentials.json;\n"
		"                  without one moltty runs as an anonymous observer); repeat it for\n"
		"                  several identities at once (F8 chooses the one that sends)\n"
		"  --api URL       REST base (default $MOLTCHATS_API_BASE, else production)\n"
		"  --ws URL        WebSocket URL (default $MOLTCHATS_WS_BASE, else from --api)\n"
		"  --ca-file FILE  trust this CA (PEM) for https and wss, e.g. a private one\n"
		"  --log FILE      log file (default $XDG_STATE_HOME/moltty/moltty.log)\n"
		"  --theme NAME|FILE\n"
		"                  colour theme: default, light, high-contrast, mono, or a file\n"
		"                  of role = colour lines (see themes/template.theme)\n"
		"  --config FILE   settings (default $XDG_CONFIG_HOME/moltty/config)\n"
		"  --print-config  print a config file with every setting documented\n"
		"  -h, --help      this text\n"
		"  -V, --version   the version\n"
		"\n"
		"Keys: Enter send, Alt-Enter newline, Tab complete, Ctrl-P/Ctrl-N channel, Alt-Left/Right\n"
		"server, Ctrl-G channel picker, Alt-a/Alt-m next unread/mention, Ctrl-R search,\n"
		"PgUp/PgDn scroll, F5/F6/F7 panes, F8 next identity, /help commands, /quit or Ctrl-C leave.\n",
		argv0);
}

int app_parse_options(int argc, char **argv, struct app_options *o, char **err)
{
	enum { OPT_DEMO = 256, OPT_OBSERVER, OPT_API, OPT_WS, OPT_LOG, OPT_THEME, OPT_CONFIG,
		OPT_PRINT_CONFIG, OPT_LIST_COMMANDS_ROFF, OPT_LIST_CONFIG_ROFF, OPT_CA_FILE };
	static const struct option longopts[] = {
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "observer", no_argument, NULL, OPT_OBSERVER },
		{ "credentials", required_argument, NULL, 'c' },
		{ "api", required_argument, NULL, OPT_API },
		{ "ws", required_argument, NULL, OPT_WS },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
		/* hidden: the man page's generated sections */
		{ "list-commands-roff", no_argument, NULL, OPT_LIST_COMMANDS_ROFF },
		{ "list-config-roff", no_argument, NULL, OPT_LIST_CONFIG_ROFF },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DEMO: o->demo = 1; break;
		case OPT_OBSERVER: o->observer = 1; break;
		case 'c':
			o->cred_files = xrealloc(o->cred_files, (o->n_cred_files + 1) * sizeof(char *));
			o->cred_files[o->n_cred_files++] = optarg;
			break;
		case OPT_CA_FILE: o->ca_file = optarg; break;
		case OPT_API: o->api = optarg; break;
		case OPT_WS: o->ws = optarg; break;
		case OPT_LOG: o->log_file = optarg; break;
		case OPT_THEME: o->theme_file = optarg; break;
		case OPT_CONFIG: o->config_file = optarg; break;
		case OPT_PRINT_CONFIG: o->print_config = 1; break;
		case OPT_LIST_COMMANDS_ROFF: o->list_commands_roff = 1; break;
		case OPT_LIST_CONFIG_ROFF: o->list_config_roff = 1; break;
		case 'h': o->help = 1; break;
		case 'V': o->version = 1; break;
		case ':':
			*err = xasprintf("option %s needs an argument", argv[optind - 1]);
			app_options_free(o);
			return -1;
		default:
			*err = xasprintf("unknown option %s (see --help)", argv[optind - 1]);
			app_options_free(o);
			return -1;
		}
	}
	if (optind < argc) {
		*err = xasprintf("unexpected argument: %s (see --help)", argv[optind]);
		app_options_free(o);
		return -1;
	}
	if (o->demo && (o->n_cred_files || o->api || o->ws)) {
		*err = xstrdup("--demo runs its own server and account: it cannot be combined with "
			"-c, --api or --ws");
		app_options_free(o);
		return -1;
	}
	return 0;
}

void app_options_free(struct app_options *o)
{
	free(o->cred_files);
	o->cred_files = NULL;
	o->n_cred_files = 0;
}
