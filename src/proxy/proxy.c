/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy: the egress proxy of network mode `proxy` (docs/network.md).
 *
 * stockade starts it for one run; it is a program of its own, because it
 * parses hostile input: the command's requests, with Debian's http-parser.
 * It confines itself before reading any (confine.c).  Names are resolved
 * by Debian's c-ares (resolve.c: /etc/hosts, then DNS over TCP, which is
 * all its seccomp filter lets it do).  Where the CLI is linked against
 * musl, so is the proxy, statically, with musl builds of both libraries
 * (scripts/musl-deps.sh): it starts on every run in mode proxy, and
 * glibc's start costs ~0.4 ms of CPU in a VM; otherwise it is linked
 * against glibc, dynamically (the Makefile).
 *
 *   STOCKADE_PROXY_TOKEN=TOKEN stockade-proxy [--audit] [--allow HOST[:PORT]]... [--pin NAME=ADDR]...
 *                                             [--private HOST]...
 *
 *   fd 3  the listening socket (stockade bound it on loopback)
 *   fd 4  a pidfd: the proxy exits when that process does (optional)
 *   fd 6  a pipe: 0 once the proxy is confined, or -errno, then closed
 *         (stockade starts nothing before)
 *   fd 7  a unix socket: more listening sockets arrive there (SCM_RIGHTS),
 *         made in the sandbox's network namespace (src/run/netns.c)
 *   fd 5  where to record events for stockade's report (optional): one
 *         line each, tab-separated, at most EVENTS_MAX:
 *           refused|would|reached METHOD HOST PORT RULE FIX CLIENT-PORT
 *         (the client's port lets stockade's supervisor name the process)
 *
 * HTTP/1.1 CONNECT host:port and absolute-form plain HTTP requests, with
 * `Proxy-Authorization: Basic base64(stockade:TOKEN)` (the token is in the
 * proxy URL stockade puts in HTTP_PROXY), so other local processes cannot
 * use the listener.  A host is let through when an --allow pattern names
 * it (exactly, or `*.domain` for the names below domain) and the port (80
 * and 443 unless the pattern gives one); it is resolved here, and an
 * address in a loopback, private, link-local, CGNAT, ULA, IPv4-mapped or
 * metadata range is refused unless the name is pinned (--pin), so an
 * allowed name cannot be pointed at 169.254.169.254 or the LAN.  The
 * connection goes to the address that was checked.  Everything else gets a
 * 403 whose body names the host and the fix, and one line on stderr:
 *
 *   stockade: proxy refused CONNECT evil.test:443: not in network.allow (--allow-host evil.test)
 *
 * --audit lets everything through that the policy would refuse and says
 * so on the same line ("would refuse").
 */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proxy/head.h"
#include "proxy/proxy.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define MAX_CLIENTS 512		 /* connections served at once; more get a 503 */
#define MAX_PENDING 128		 /* of those, without a credential yet; the oldest goes first */
#define NOFILE_WANTED (2 * MAX_CLIENTS + 64) /* a client and its upstream each, and some */
#define EVENTS_FD 5
#define READY_FD 6
#define CTL_FD 7
#define MAX_LISTENERS 4
#define EVENTS_MAX 4096

struct allow {
	char *pattern; /* "name" or "*.domain", lower case */
	unsigned port; /* 0: 80 and 443 */
};
struct pin {
	char *name;
	struct sockaddr_storage addr;
	socklen_t len;
};

static struct {
	struct allow *allow;
	size_t nallow;
	struct pin *pins;
	size_t npins;
	char **private_hosts; /* patterns whose private addresses are accepted */
	size_t nprivate;
	char *auth; /* "Basic base64(stockade:TOKEN)" */
	bool audit;
	pthread_mutex_t lock;
	/* The connections being served: the accept loop never waits for
	 * room (it keeps watching the run's pidfd) and drops the oldest
	 * connection that has not shown the credential yet when too many
	 * have not, so a local process without the token cannot fill the
	 * proxy.  A slot's fd is closed only after the slot is freed (under
	 * the lock), so shutdown() from the accept loop never hits a reused
	 * descriptor. */
	struct slot {
		int fd; /* -1: free */
		bool pending;
		unsigned long long seq; /* accept order */
	} slots[MAX_CLIENTS];
	unsigned clients, pending;
	unsigned long long seq;
	bool events;
	unsigned nevents;
} cfg = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* One line on stderr per decision that refuses (or would). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere to say it */
	}
}

/* The port the client connected from, for its events. */
static __thread unsigned client_port;

/* A line for stockade's report (fd 5); never blocks the client for long:
 * it is a file stockade reads after the run. */
static void record(const char *kind, const char *method, const char *host, unsigned port, const char *rule,
		   const char *fix)
{
	char line[768];
	int n;

	if (!cfg.events)
		return;
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%u\t%s\t%s\t%u\n", kind, method, host, port, rule ? rule : "",
		     fix ? fix : "", client_port);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	pthread_mutex_lock(&cfg.lock);
	if (cfg.nevents < EVENTS_MAX && write(EVENTS_FD, line, (size_t)n) == n)
		cfg.nevents++;
	pthread_mutex_unlock(&cfg.lock);
}

static void respond(int fd, int code, const char *reason, const char *extra, const char *body)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
			 code, reason, strlen(body), extra ? extra : "", body);
	if (n > 0)
		sk_proxy_write_all(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ---- policy ---- */

static bool name_matches(const char *pattern, const char *host)
{
	if (pattern[0] == '*' && pattern[1] == '.') {
		size_t pl = strlen(pattern + 1), hl = strlen(host);
		return hl > pl && !strcmp(host + hl - pl, pattern + 1);
	}
	return !strcmp(pattern, host);
}

static bool allowed(const char *host, unsigned port)
{
	for (size_t i = 0; i < cfg.nallow; i++) {
		const struct allow *a = &cfg.allow[i];
		bool port_ok = a->port ? a->port == port : port == 80 || port == 443;
		if (port_ok && name_matches(a->pattern, host))
			return true;
	}
	return false;
}

/* ---- upstream ---- */

/* Resolve and connect, checking every address before using it.  On
 * failure, *why says why (for the 403 or 502). */
static int reach(const char *host, unsigned port, char *why, size_t whylen, int *status)
{
	struct ares_addrinfo *res = NULL;
	char first_refused[INET6_ADDRSTRLEN] = "";
	int fd = -1, r;

	for (size_t i = 0; i < cfg.npins; i++)
		if (!strcmp(cfg.pins[i].name, host)) {
			struct sockaddr_storage ss = cfg.pins[i].addr;
			sk_proxy_set_port((struct sockaddr *)&ss, port);
			fd = sk_proxy_connect((struct sockaddr *)&ss, cfg.pins[i].len);
			if (fd < 0) {
				snprintf(why, whylen, "cannot connect to %s (pinned in network.hosts)", host);
				*status = 502;
			}
			return fd;
		}
	int e = 0;
	const char *unreadable = sk_proxy_unreadable_resolver_file(&e);
	if (unreadable) {
		snprintf(why, whylen, "cannot resolve %s: cannot read %s: %s", host, unreadable, strerror(e));
		*status = 502;
		return -1;
	}
	r = sk_proxy_resolve(host, &res);
	if (r != ARES_SUCCESS) {
		if (r == SK_PROXY_RESOLVE_DEADLINE)
			snprintf(why, whylen, "cannot resolve %s: no answer within %d s", host, SK_PROXY_RESOLVE_TIMEOUT_MS / 1000);
		else
			snprintf(why, whylen, "cannot resolve %s: %s", host, ares_strerror(r));
		*status = 502;
		return -1;
	}
	bool private_ok = false;
	for (size_t i = 0; i < cfg.nprivate && !private_ok; i++)
		private_ok = name_matches(cfg.private_hosts[i], host);
	for (struct ares_addrinfo_node *ai = res->nodes; ai && fd < 0; ai = ai->ai_next) {
		char text[INET6_ADDRSTRLEN];
		const char *range = private_ok ? NULL : sk_proxy_private_range(ai->ai_addr);
		if (range) {
			if (!first_refused[0] && sk_proxy_addr_text(ai->ai_addr, text, sizeof(text)) == 0)
				snprintf(first_refused, sizeof(first_refused), "%s", text);
			if (!cfg.audit) {
				snprintf(why, whylen,
					 "%s resolves to %s (%s), which the proxy does not reach unless the name is "
					 "pinned in network.hosts or listed in network.private",
					 host, first_refused, range);
				continue;
			}
			say("stockade: proxy would refuse %s:%u: it resolves to %s (%s)", host, port, text, range);
			record("would", "-", host, port, "address guard", range);
		}
		sk_proxy_set_port(ai->ai_addr, port);
		fd = sk_proxy_connect(ai->ai_addr, (socklen_t)ai->ai_addrlen);
		if (fd < 0)
			snprintf(why, whylen, "cannot connect to %s port %u", host, port);
	}
	ares_freeaddrinfo(res);
	*status = first_refused[0] && fd < 0 && !cfg.audit ? 403 : 502;
	return fd;
}

/* ---- one client ---- */

static void refuse(int fd, const char *method, const char *host, unsigned port, const char *why, const char *fix)
{
	char body[1024];

	say("stockade: proxy refused %s %s:%u: %s%s%s%s", method, host, port, why, fix ? " (" : "", fix ? fix : "",
	    fix ? ")" : "");
	record("refused", method, host, port, fix ? "network.allow" : "address guard", fix ? fix : why);
	snprintf(body, sizeof(body), "stockade: %s:%u is not reachable from this sandbox: %s.\n%s%s%s", host, port, why,
		 fix ? "To allow it: " : "", fix ? fix : "", fix ? "\n" : "");
	respond(fd, 403, "Forbidden", NULL, body);
}

/* The connection in slot i showed the credential: no longer one the
 * accept loop may drop to make room. */
static void authenticated(unsigned i)
{
	pthread_mutex_lock(&cfg.lock);
	if (cfg.slots[i].pending) {
		cfg.slots[i].pending = false;
		cfg.pending--;
	}
	pthread_mutex_unlock(&cfg.lock);
}

static void serve(int cfd, unsigned slot)
{
	struct head *h = calloc(1, sizeof(*h));
	struct http_parser_url u;
	http_parser parser;
	char host[256], why[512], fix[576];
	unsigned port;
	int ufd = -1, status = 0;
	bool is_connect;
	const char *method, *auth;
	size_t alen;

	if (!h)
		return;
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	client_port = 0;
	if (getpeername(cfd, (struct sockaddr *)&peer, &peerlen) == 0)
		client_port = peer.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
				: peer.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&peer)->sin6_port) : 0;
	int r = sk_proxy_read_head(cfd, h);
	if (r) {
		if (r > 0)
			respond(cfd, r, r == 408 ? "Request Timeout" : "Request Header Fields Too Large", NULL,
				"stockade proxy: incomplete or oversized request head\n");
		goto out;
	}
	http_parser_init(&parser, HTTP_REQUEST);
	parser.data = h;
	http_parser_execute(&parser, &sk_proxy_head_settings, h->buf, h->head_len);
	if (!h->complete || !h->url || h->too_many ||
	    (HTTP_PARSER_ERRNO(&parser) != HPE_OK && HTTP_PARSER_ERRNO(&parser) != HPE_CB_headers_complete)) {
		respond(cfd, 400, "Bad Request", NULL, "stockade proxy: not an HTTP/1.x proxy request\n");
		goto out;
	}
	/* Only the sandbox holds the token. */
	auth = sk_proxy_header(h, "Proxy-Authorization", &alen);
	if (!auth || !sk_proxy_token_equal(auth, alen, cfg.auth)) {
		respond(cfd, 407, "Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"stockade\"\r\n",
			"stockade proxy: use the proxy URL of HTTP_PROXY (it carries the run's credential)\n");
		goto out;
	}
	authenticated(slot);
	method = http_method_str((enum http_method)parser.method);
	is_connect = parser.method == HTTP_CONNECT;
	http_parser_url_init(&u);
	if (http_parser_parse_url(h->url, h->url_len, is_connect, &u) || !(u.field_set & (1 << UF_HOST)) ||
	    u.field_data[UF_HOST].len >= sizeof(host) ||
	    (!is_connect && (!(u.field_set & (1 << UF_SCHEMA)) || u.field_data[UF_SCHEMA].len != 4 ||
			     strncasecmp(h->url + u.field_data[UF_SCHEMA].off, "http", 4)))) {
		respond(cfd, 400, "Bad Request", NULL,
			"stockade proxy: CONNECT host:port, or a request for an absolute http:// URL\n");
		goto out;
	}
	memcpy(host, h->url + u.field_data[UF_HOST].off, u.field_data[UF_HOST].len);
	host[u.field_data[UF_HOST].len] = '\0';
	for (char *c = host; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	if (host[0] && host[strlen(host) - 1] == '.')
		host[strlen(host) - 1] = '\0';
	port = u.field_set & (1 << UF_PORT) ? u.port : 80;
	if (!host[0] || port == 0) {
		respond(cfd, 400, "Bad Request", NULL, "stockade proxy: no host or port\n");
		goto out;
	}

	if (!allowed(host, port)) {
		if (strchr(host, ':')) /* an IPv6 address: network.allow lists names */
			snprintf(fix, sizeof(fix), "a name for it: network.hosts: {NAME: \"%s\"} and --allow-host NAME:%u",
				 host, port);
		else if (port == 80 || port == 443)
			snprintf(fix, sizeof(fix), "--allow-host %s, or network.allow: [%s]", host, host);
		else
			snprintf(fix, sizeof(fix), "--allow-host %s:%u, or network.allow: [\"%s:%u\"]", host, port, host,
				 port);
		if (!cfg.audit) {
			refuse(cfd, method, host, port, "not in network.allow", fix);
			goto out;
		}
		say("stockade: proxy would refuse %s %s:%u: not in network.allow (%s)", method, host, port, fix);
		record("would", method, host, port, "network.allow", fix);
	}
	ufd = reach(host, port, why, sizeof(why), &status);
	if (ufd < 0) {
		if (status == 403)
			refuse(cfd, method, host, port, why, NULL);
		else
			respond(cfd, 502, "Bad Gateway", NULL, why);
		goto out;
	}
	record("reached", method, host, port, NULL, NULL);
	if (is_connect) {
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
		if (!sk_proxy_write_all(cfd, ok, sizeof(ok) - 1))
			goto out;
	} else {
		/* origin-form request line, the client's headers without the
		 * proxy's own, one request per connection */
		char *out = malloc(HEAD_MAX + 256), *o = out;
		const char *path = "/";
		size_t plen = 1;
		if (!out)
			goto out;
		if (u.field_set & (1 << UF_PATH)) {
			path = h->url + u.field_data[UF_PATH].off;
			plen = h->url_len - u.field_data[UF_PATH].off; /* path, query and fragment */
		}
		o += sprintf(o, "%s %.*s HTTP/1.1\r\n", method, (int)plen, path);
		/* The host that was decided on, not the client's Host header:
		 * a server behind the allowed name's address must not be asked
		 * for another site (domain fronting). */
		bool v6 = strchr(host, ':') != NULL; /* in brackets, as in the URL */
		if (u.field_set & (1 << UF_PORT))
			o += sprintf(o, "Host: %s%s%s:%u\r\n", v6 ? "[" : "", host, v6 ? "]" : "", port);
		else
			o += sprintf(o, "Host: %s%s%s\r\n", v6 ? "[" : "", host, v6 ? "]" : "");
		for (size_t i = 0; i < h->nh; i++) {
			const char *n = h->h[i].name;
			size_t nl = h->h[i].nlen;
#define IS(s) (nl == sizeof(s) - 1 && !strncasecmp(n, s, nl))
			if (IS("Proxy-Authorization") || IS("Proxy-Connection") || IS("Connection") || IS("Keep-Alive") ||
			    IS("Host"))
				continue;
#undef IS
			if ((size_t)(o - out) + nl + h->h[i].vlen + 4 > HEAD_MAX + 200)
				break;
			o += sprintf(o, "%.*s: %.*s\r\n", (int)nl, n, (int)h->h[i].vlen, h->h[i].value ? h->h[i].value : "");
		}
		o += sprintf(o, "Connection: close\r\n\r\n");
		bool sent = sk_proxy_write_all(ufd, out, (size_t)(o - out));
		free(out);
		if (!sent)
			goto out;
	}
	/* What the client sent after the head (a body, TLS's first bytes). */
	if (h->len > h->head_len && !sk_proxy_write_all(ufd, h->buf + h->head_len, h->len - h->head_len))
		goto out;
	free(h);
	h = NULL;
	sk_proxy_relay(cfd, ufd);
out:
	free(h);
	if (ufd >= 0)
		close(ufd);
}

static void free_slot(unsigned i)
{
	pthread_mutex_lock(&cfg.lock);
	if (cfg.slots[i].pending)
		cfg.pending--;
	cfg.slots[i].fd = -1;
	cfg.slots[i].pending = false;
	cfg.clients--;
	pthread_mutex_unlock(&cfg.lock);
}

static void *client_thread(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	int fd = cfg.slots[i].fd; /* set before this thread was made */

	serve(fd, i);
	free_slot(i);
	close(fd);
	return NULL;
}

/* A slot for a new connection, or -1 (full: the caller answers 503).
 * Where too many connections have not shown the credential yet, or none
 * is free, the oldest of those is shut down (room for the next one). */
static int take_slot(int fd)
{
	int free_slot = -1, oldest = -1;

	pthread_mutex_lock(&cfg.lock);
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		if (cfg.slots[i].fd < 0) {
			if (free_slot < 0)
				free_slot = (int)i;
		} else if (cfg.slots[i].pending && (oldest < 0 || cfg.slots[i].seq < cfg.slots[oldest].seq)) {
			oldest = (int)i;
		}
	}
	if ((cfg.pending >= MAX_PENDING || free_slot < 0) && oldest >= 0) {
		/* its thread sees EOF and frees the slot; not chosen again */
		shutdown(cfg.slots[oldest].fd, SHUT_RDWR);
		cfg.slots[oldest].pending = false;
		cfg.pending--;
	}
	if (free_slot >= 0) {
		cfg.slots[free_slot] = (struct slot){ .fd = fd, .pending = true, .seq = ++cfg.seq };
		cfg.clients++;
		cfg.pending++;
	}
	pthread_mutex_unlock(&cfg.lock);
	return free_slot;
}

/* ---- setup ---- */

/* stockade waits on descriptor 6 (a pipe) for 0, confined, or -errno;
 * nothing of the run starts before. */
static void tell_stockade(int code)
{
	struct stat st;

	if (fstat(READY_FD, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	if (write(READY_FD, &code, sizeof(code)) < 0) {
		/* stockade is gone: the pidfd ends this process */
	}
	close(READY_FD);
}

static void usage(void)
{
	fprintf(stderr, "usage: STOCKADE_PROXY_TOKEN=TOKEN stockade-proxy [--audit] [--allow HOST[:PORT]]... [--pin NAME=ADDR]...\n"
			"  (started by `stockade run` in network mode proxy: fd 3 listens, fd 4 is a pidfd)\n");
	exit(2);
}

static void add_allow(const char *s)
{
	const char *colon = strrchr(s, ':');
	struct allow *n = realloc(cfg.allow, (cfg.nallow + 1) * sizeof(*n));

	if (!n)
		exit(1);
	cfg.allow = n;
	n[cfg.nallow].port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	n[cfg.nallow].pattern = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
	if (!n[cfg.nallow].pattern)
		exit(1);
	cfg.nallow++;
}

static void add_pin(const char *s)
{
	const char *eq = strchr(s, '=');
	struct pin *n = realloc(cfg.pins, (cfg.npins + 1) * sizeof(*n));

	if (!eq || !n)
		usage();
	cfg.pins = n;
	n = &n[cfg.npins];
	memset(n, 0, sizeof(*n));
	n->name = strndup(s, (size_t)(eq - s));
	if (!n->name || sk_proxy_parse_addr(eq + 1, &n->addr, &n->len) < 0)
		usage();
	cfg.npins++;
}

int main(int argc, char **argv)
{
	char *token = getenv("STOCKADE_PROXY_TOKEN");
	const char *step = NULL;
	pthread_attr_t attr;

	/* Nobody else reads this process's memory, environment included. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return 1;
	/* stockade starts it with every signal blocked (run/vmchild.h). */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* stockade started it directly (a cheap spawn, no copy of its own
	 * memory): it leaves that child at once, so the command, which may be
	 * stockade's process after exec, never has the proxy among its
	 * children; its pid goes first on the ready pipe. */
	if (argc > 1 && !strcmp(argv[1], "--detach")) {
		pid_t pid = fork();

		/* Failed: no pid on the pipe, which stockade reads as the
		 * proxy not starting. */
		if (pid < 0)
			return 1;
		if (pid > 0)
			_exit(0);
		pid = getpid();
		if (write(READY_FD, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
			return 1;
		/* Only the descriptors it was given (3 to 7), whatever else
		 * stockade's caller left open. */
		syscall(SYS_close_range, 8, ~0U, 0);
		argv[1] = argv[0];
		argv++;
		argc--;
	}

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--audit"))
			cfg.audit = true;
		else if (!strcmp(argv[i], "--allow") && i + 1 < argc)
			add_allow(argv[++i]);
		else if (!strcmp(argv[i], "--pin") && i + 1 < argc)
			add_pin(argv[++i]);
		else if (!strcmp(argv[i], "--private") && i + 1 < argc) {
			char **n = realloc(cfg.private_hosts, (cfg.nprivate + 1) * sizeof(*n));
			if (!n)
				return 1;
			cfg.private_hosts = n;
			n[cfg.nprivate++] = argv[++i];
		}
		else
			usage();
	}
	if (!token || strlen(token) < 16 || !(cfg.auth = sk_proxy_basic_auth("stockade", token)))
		usage();
	/* Out of the environment's memory too (/proc/PID/environ shows
	 * it, unsetenv() does not touch it). */
	explicit_bzero(token, strlen(token));
	unsetenv("STOCKADE_PROXY_TOKEN");
	/* Once, before any thread (c-ares asks it). */
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	cfg.events = fcntl(EVENTS_FD, F_GETFD) >= 0;
	/* The ports it may connect to: the patterns', and DNS over TCP. */
	unsigned *ports = calloc(2 * cfg.nallow + 3, sizeof(*ports));
	size_t nports = 0;
	if (!ports)
		return 1;
	ports[nports++] = 53;
	if (cfg.audit) {
		nports = 0; /* audit lets any port through */
	} else {
		for (size_t i = 0; i < cfg.nallow; i++) {
			if (cfg.allow[i].port) {
				ports[nports++] = cfg.allow[i].port;
			} else {
				ports[nports++] = 80;
				ports[nports++] = 443;
			}
		}
	}
	/* Descriptors for every client and its upstream. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < NOFILE_WANTED) {
		nofile.rlim_cur = nofile.rlim_max < NOFILE_WANTED ? nofile.rlim_max : NOFILE_WANTED;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0) {
			/* the limit stays; accept() backs off when it is reached */
		}
	}
	/* Fail closed: unconfined, it does not serve (the run's connections
	 * to it are refused). */
	if (sk_proxy_lockdown(ports, nports, cfg.audit, &step) < 0) {
		int e = -errno;
		say("stockade: proxy: %s: %s; it does not serve", step, strerror(errno));
		tell_stockade(e);
		return 1;
	}
	tell_stockade(0);
	free(ports);

	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		cfg.slots[i].fd = -1;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int listeners[MAX_LISTENERS] = { SK_PROXY_LISTEN_FD }, nlisteners = 1;
	int ctl = fcntl(CTL_FD, F_GETFD) < 0 ? -1 : CTL_FD;
	bool backoff = false; /* out of descriptors: the listeners wait a moment */
	for (;;) {
		struct pollfd p[2 + MAX_LISTENERS] = {
			{ .fd = fcntl(SK_PROXY_PIDFD, F_GETFD) < 0 ? -1 : SK_PROXY_PIDFD, .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
		};
		int ready = -1;
		for (int k = 0; k < nlisteners; k++)
			p[2 + k] = (struct pollfd){ .fd = backoff ? -1 : listeners[k], .events = POLLIN };
		int r = poll(p, (nfds_t)(2 + nlisteners), backoff ? 100 : -1);
		backoff = false;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents)
			_exit(0); /* the run is over: every tunnel with it */
		if (p[1].revents) {
			int fd = sk_proxy_recv_listener(ctl);
			if (fd == -2)
				ctl = -1; /* stockade closed it */
			else if (fd >= 0 && nlisteners < MAX_LISTENERS)
				listeners[nlisteners++] = fd;
			else if (fd >= 0)
				close(fd);
		}
		for (int k = 0; k < nlisteners && ready < 0; k++) {
			if (p[2 + k].revents & (POLLNVAL | POLLERR | POLLHUP)) {
				if (k == 0)
					return 1;
				close(listeners[k]);
				listeners[k] = listeners[--nlisteners];
				break;
			}
			if (p[2 + k].revents & POLLIN)
				ready = listeners[k];
		}
		if (ready < 0)
			continue;
		int fd = accept4(ready, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* not a busy loop while the connection stays queued */
			backoff = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
			continue;
		}
		int one = 1, slot = take_slot(fd);
		pthread_t t;
		if (slot < 0) {
			/* Full: say so without waiting for the client. */
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
						   "Connection: close\r\n\r\n";
			if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
				/* gone already */
			}
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, client_thread, (void *)(uintptr_t)slot) != 0) {
			free_slot((unsigned)slot);
			close(fd);
		}
	}
}
