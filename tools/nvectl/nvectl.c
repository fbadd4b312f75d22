/*
 * nvectl.c - main of nvectl, the one CLI of splitnve: options, the
 * control socket, exit status.
 *
 * One thread, blocking I/O: read the VM SPEC file when the command has
 * one, connect to the daemon's unix socket, send one request line, read
 * one reply line within the time-out, print it.  The command table, the
 * request builder and the output live in nvectl_cmd.c (pure, unit
 * tested).  Exit status: 0 success, 1 the daemon refused or could not be
 * reached, 2 usage error (also: the SPEC file cannot be read or is not a
 * SPEC).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "nvectl_cmd.h"

#define REPLY_MAX		(1024u * 1024 * 1024)
#define TIMEOUT_MAX		86400	/* -t: one day */
#define SPEC_MAX		(1024u * 1024)	/* octets of a SPEC file */

static void
usage(FILE *f)
{
	struct nvectl_buf b = { 0 };

	nvectl_usage(&b);
	if (b.p != NULL)
		fputs(b.p, f);
	nvectl_buf_free(&b);
}

static int
sock_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads up to the first newline into a fresh buffer (*len octets, the
 * newline excluded), giving up timeout_s seconds from now.  NULL with
 * errno set: ETIMEDOUT, ECONNRESET (closed before a full line),
 * EMSGSIZE, or the read error.
 */
static char *
recv_line(int fd, unsigned timeout_s, size_t *len)
{
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
	char *buf = NULL, *nl;
	size_t n = 0, cap = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left;
		ssize_t r;
		int pr;

		if (n == cap) {
			char *nb;

			if (cap >= REPLY_MAX) {
				errno = EMSGSIZE;
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		left = deadline - mono_ms();
		pr = left <= 0 ? 0 : poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			goto fail;
		if (pr == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		r = recv(fd, buf + n, cap - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0) {
			errno = ECONNRESET;
			goto fail;
		}
		if ((nl = memchr(buf + n, '\n', (size_t)r)) != NULL) {
			*len = (size_t)(nl - buf);
			return buf;
		}
		n += (size_t)r;
	}
fail:
	free(buf);
	return NULL;
}

/*
 * Reads the SPEC file of r ("-": standard input) into the request.
 * 0, or -1 after printing why (a usage error).
 */
static int
read_spec(struct nvectl_req *r)
{
	const char *path = r->spec_file;
	char *buf = NULL, err[512];
	size_t n = 0, cap = 0;
	FILE *f;
	int rc;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (f == NULL) {
		fprintf(stderr, "nvectl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap >= SPEC_MAX) {
				fprintf(stderr, "nvectl: %s: longer than %u "
				    "octets\n", path, SPEC_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "nvectl: %s: %s\n", path,
				    strerror(errno));
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "nvectl: %s: read error\n", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	rc = nvectl_req_set_spec(r, buf, n, err, sizeof(err));
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "nvectl: %s: %s\n",
		    strcmp(path, "-") == 0 ? "stdin" : path, err);
		return -1;
	}
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return -1;
}

static int
parse_timeout(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > TIMEOUT_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "daemon", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nvectl_req req;
	struct nvectl_buf out = { 0 };
	const struct nvectl_daemon *daemon = NULL;
	const char *sock = NULL;
	unsigned timeout = NVECTL_TIMEOUT_DEFAULT;
	char err[512], *text, *line;
	json_t *reply;
	json_error_t jerr;
	bool json = false;
	size_t len;
	int ch, fd, rc;

	while ((ch = getopt_long(argc, argv, "d:s:t:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			if ((daemon = nvectl_daemon_find(optarg)) == NULL) {
				fprintf(stderr, "nvectl: -d: unknown daemon "
				    "\"%s\" (valid: nnved, tnved, nvad)\n",
				    optarg);
				return 2;
			}
			break;
		case 't':
			if (parse_timeout(optarg, &timeout) < 0) {
				fprintf(stderr, "nvectl: -t: SECONDS must be a "
				    "number in 1..%d, not \"%s\"\n",
				    TIMEOUT_MAX, optarg);
				return 2;
			}
			break;
		case 's':
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (nvectl_parse(argc - optind, argv + optind, daemon, &req, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "nvectl: %s\n", err);
		usage(stderr);
		return 2;
	}
	if (req.spec_file != NULL && read_spec(&req) < 0) {
		nvectl_req_free(&req);
		return 2;
	}
	if (sock == NULL)
		sock = getenv("NVECTL_SOCKET");
	if (sock == NULL || *sock == '\0')
		sock = req.cmd->daemon->sock;

	if ((fd = sock_connect(sock)) < 0) {
		fprintf(stderr, "nvectl: cannot reach %s at %s: %s\n",
		    req.cmd->daemon->name, sock, strerror(errno));
		nvectl_req_free(&req);
		return 1;
	}
	text = json_dumps(req.request, JSON_COMPACT);
	if (text == NULL || send_all(fd, text, strlen(text)) < 0 ||
	    send_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "nvectl: sending to %s at %s: %s\n",
		    req.cmd->daemon->name, sock, strerror(text ? errno :
		    ENOMEM));
		free(text);
		close(fd);
		nvectl_req_free(&req);
		return 1;
	}
	free(text);
	line = recv_line(fd, timeout, &len);
	close(fd);
	if (line == NULL && errno == ETIMEDOUT) {
		fprintf(stderr, "nvectl: no reply from %s at %s within %u s "
		    "(-t)\n", req.cmd->daemon->name, sock, timeout);
		nvectl_req_free(&req);
		return 1;
	}
	if (line == NULL) {
		fprintf(stderr, "nvectl: no reply from %s at %s: %s\n",
		    req.cmd->daemon->name, sock, strerror(errno));
		nvectl_req_free(&req);
		return 1;
	}
	reply = json_loadb(line, len, 0, &jerr);
	free(line);
	if (reply == NULL) {
		fprintf(stderr, "nvectl: bad reply from %s: %s\n",
		    req.cmd->daemon->name, jerr.text);
		nvectl_req_free(&req);
		return 1;
	}
	rc = nvectl_render(&req, reply, json, &out, err, sizeof(err));
	json_decref(reply);
	nvectl_req_free(&req);
	if (rc == 0 && out.oom) {
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		rc = -ENOMEM;
	}
	if (rc < 0) {
		fprintf(stderr, "nvectl: %s\n", err);
		nvectl_buf_free(&out);
		return 1;
	}
	if (out.p != NULL)
		fputs(out.p, stdout);
	nvectl_buf_free(&out);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "nvectl: stdout: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
