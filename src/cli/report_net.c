/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy in the report: what stockade-proxy recorded (a memfd
 * it wrote one line per decision to, see src/proxy/proxy.c) read back
 * after the run.  Each refused host (or, under --audit, each host the
 * policy would refuse) becomes a JSON event and a line of the text report,
 * once per method, host and port; the hosts the proxy reached are what
 * `stockade learn` writes as network.allow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "report_net.h"

#define MAX_EVENTS 4096

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf)
		return -1;
	while ((r = pread(fd, buf + n, cap - n, (off_t)n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *b = realloc(buf, 2 * cap + 1);
			if (!b) {
				free(buf);
				return -1;
			}
			buf = b;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int proxy_events_read(int fd, struct proxy_event **out, size_t *n)
{
	char *buf, *line, *save = NULL;
	size_t len;

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return 0;
	if (read_all(fd, &buf, &len) < 0)
		return -1;
	struct proxy_event *v = calloc(MAX_EVENTS, sizeof(*v));
	if (!v) {
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line && *n < MAX_EVENTS; line = strtok_r(NULL, "\n", &save)) {
		char *f[7];
		size_t k = 0;
		for (char *p = line; k < 7; k++) {
			f[k] = p;
			p = strchr(p, '\t');
			if (!p) {
				k++;
				break;
			}
			*p++ = '\0';
		}
		if (k < 4)
			continue;
		struct proxy_event e = { 0 };
		snprintf(e.kind, sizeof(e.kind), "%s", f[0]);
		snprintf(e.method, sizeof(e.method), "%s", f[1]);
		snprintf(e.host, sizeof(e.host), "%s", f[2]);
		e.port = (unsigned)strtoul(f[3], NULL, 10);
		if (k > 4)
			snprintf(e.rule, sizeof(e.rule), "%s", f[4]);
		if (k > 5)
			snprintf(e.fix, sizeof(e.fix), "%s", f[5]);
		if (k > 6)
			e.client_port = (unsigned)strtoul(f[6], NULL, 10);
		/* once per kind, method, host and port */
		bool dup = false;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = v[i].port == e.port && !strcmp(v[i].kind, e.kind) && !strcmp(v[i].host, e.host) &&
			      !strcmp(v[i].method, e.method);
		if (dup) {
			for (size_t i = 0; i < *n; i++)
				if (v[i].port == e.port && !strcmp(v[i].kind, e.kind) && !strcmp(v[i].host, e.host) &&
				    !strcmp(v[i].method, e.method))
					v[i].count++;
			continue;
		}
		e.count = 1;
		v[(*n)++] = e;
	}
	free(buf);
	*out = v;
	return 0;
}

static void member(struct sk_json_writer *w, const char *key, const char *value)
{
	sk_jw_key(w, key);
	sk_jw_string(w, value);
}

void proxy_report(int fd, FILE *text, FILE *json, const struct sk_mediation *med)
{
	struct proxy_event *v;
	size_t n, shown = 0;

	if (fd < 0 || (!text && !json) || proxy_events_read(fd, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct proxy_event *e = &v[i];
		bool refused = !strcmp(e->kind, "refused");
		char comm[16] = "";
		pid_t pid = 0;
		bool who;

		if (!refused && strcmp(e->kind, "would"))
			continue;
		who = sk_tcp_mediation_who(med, (uint16_t)e->client_port, &pid, comm);
		if (json) {
			struct sk_json_writer w = { 0 };
			sk_jw_open(&w, '{');
			member(&w, "event", "network");
			member(&w, "method", e->method);
			member(&w, "host", e->host);
			sk_jw_key(&w, "port");
			sk_jw_int(&w, e->port);
			sk_jw_key(&w, "count");
			sk_jw_int(&w, e->count);
			if (who) {
				sk_jw_key(&w, "pid");
				sk_jw_int(&w, pid);
				member(&w, "comm", comm);
			}
			member(&w, "mode", refused ? "report" : "audit");
			sk_jw_key(&w, "enforced");
			sk_jw_bool(&w, refused);
			sk_jw_key(&w, "rule");
			sk_jw_open(&w, '{');
			member(&w, "kind", "proxy");
			member(&w, "description", e->rule);
			sk_jw_close(&w, '}');
			if (!strcmp(e->rule, "network.allow")) {
				char fix[300], *comma;
				snprintf(fix, sizeof(fix), "%s", e->fix);
				/* "--allow-host X, or network.allow: [X]" */
				if ((comma = strstr(fix, ", or ")))
					*comma = '\0';
				member(&w, "fix", fix);
				member(&w, "fix_policy", comma ? comma + 5 : e->fix);
			} else {
				member(&w, "reason", e->fix);
			}
			sk_jw_close(&w, '}');
			if (!w.buf.failed) {
				fwrite(w.buf.data, 1, w.buf.len, json);
				fputc('\n', json);
				fflush(json);
			}
			free(w.buf.data);
		}
		if (text) {
			if (shown++ == 0)
				fprintf(text, "stockade: the proxy %s:\n", refused ? "refused" : "would refuse");
			char by[64] = "";
			if (who) {
				for (char *c = comm; *c; c++)
					if (*c < 0x20 || *c == 0x7f)
						*c = '?';
				snprintf(by, sizeof(by), " by %s (pid %d)", comm, (int)pid);
			}
			fprintf(text, "  %s %s:%u (%u time%s%s): %s%s%s\n", e->method, e->host, e->port, e->count,
				e->count == 1 ? "" : "s", by, e->rule, *e->fix ? "; " : "", e->fix);
		}
	}
	free(v);
}
