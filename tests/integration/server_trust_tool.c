/* Test helper for server_trust.sh (no socat or netcat on the machine):
 *   server_trust_tool admin SOCKET JSON
 *       sends one command line to moltchatsd's admin socket and prints the answer line;
 *   server_trust_tool listen PORTFILE REQFILE STATUS REASON [DELAY_MS]
 *       listens on 127.0.0.1 (free port written to PORTFILE), accepts one HTTP request,
 *       saves it to REQFILE, waits DELAY_MS, answers "HTTP/1.1 STATUS REASON" and exits.
 * Both give up after 30 s so a broken daemon cannot hang the test. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int admin(const char *path, const char *json)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("admin connect");
		return 1;
	}
	size_t n = strlen(json);
	if (write(fd, json, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
		perror("admin write");
		return 1;
	}
	char c;
	while (read(fd, &c, 1) == 1) {
		putchar(c);
		if (c == '\n')
			break;
	}
	close(fd);
	return 0;
}

static int listen_once(const char *portfile, const char *reqfile, const char *status,
		       const char *reason, int delay_ms)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("listen");
		return 1;
	}
	char tmpname[4096];
	snprintf(tmpname, sizeof(tmpname), "%s.tmp", portfile);
	FILE *pf = fopen(tmpname, "w");
	if (!pf)
		return 1;
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	rename(tmpname, portfile); /* the port file appears complete */
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return 1;
	char req[65536];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(c, req + got, sizeof(req) - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
		req[got] = '\0';
		char *end = strstr(req, "\r\n\r\n");
		char *cl = strcasestr(req, "content-length:");
		if (end && (!cl || got >= (size_t)(end + 4 - req) + (size_t)atol(cl + 15)))
			break;
	}
	FILE *rf = fopen(reqfile, "w");
	if (rf) {
		fwrite(req, 1, got, rf);
		fclose(rf);
	}
	usleep((useconds_t)delay_ms * 1000);
	char resp[512];
	int n = snprintf(resp, sizeof(resp),
			 "HTTP/1.1 %s %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
			 reason);
	if (write(c, resp, (size_t)n) != n)
		perror("write");
	close(c);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(30);
	if (argc == 4 && strcmp(argv[1], "admin") == 0)
		return admin(argv[2], argv[3]);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "listen") == 0)
		return listen_once(argv[2], argv[3], argv[4], argv[5], argc == 7 ? atoi(argv[6]) : 0);
	fprintf(stderr, "usage: server_trust_tool admin SOCKET JSON | "
			"listen PORTFILE REQFILE STATUS REASON [DELAY_MS]\n");
	return 2;
}
