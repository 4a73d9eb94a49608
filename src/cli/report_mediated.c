/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls the supervisor's mediators refused (run/mediate.h: a connect()
 * to a unix socket the policy does not name, a TCP port it does not list),
 * for the text report and the JSON exit record, like the filter's denials:
 * what, why, which process, how many times, and the fix.  In audit and
 * learn the mediators decide but let the call run (r->audited): these are
 * the refusals the policy would make.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "run/mediate.h"
#include "tables/tables.h"

unsigned long mreport_add(struct mreport *m, const struct sk_mreq *r)
{
	struct mgroup *g = NULL;

	if (!r->denied)
		return 0;
	m->calls++;
	for (size_t i = 0; i < m->n && !g; i++)
		if (!strcmp(m->g[i].name, r->name) && m->g[i].rule == r->rule && m->g[i].error == r->error &&
		    !strcmp(m->g[i].target, r->detail))
			g = &m->g[i];
	if (!g) {
		if (m->n >= MREPORT_MAX) {
			m->over++;
			return 1;
		}
		g = &m->g[m->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", r->name);
		g->rule = r->rule;
		g->error = r->error;
		snprintf(g->target, sizeof(g->target), "%s", r->detail);
		g->pid = r->pid;
		sk_read_comm(r->pid, g->comm);
	}
	g->count++;
	if (g->pid != r->pid)
		g->many_pids = true;
	return g->count;
}

/* The fix as a policy entry or an option, or NULL. */
const char *mreport_fix(const char *name, const char *target, char *buf, size_t size)
{
	if (strcmp(name, "connect"))
		return NULL;
	if (target[0] == '/' && !strpbrk(target, "\"\\\n\r\t"))
		snprintf(buf, size, "sockets: allow: [\"%s\"]", target);
	else if (!strncmp(target, "TCP ", 4) && strchr(target + 4, ':'))
		snprintf(buf, size, "--tcp-connect %s", target + 4);
	else
		return NULL;
	return buf;
}

void mreport_text(const struct mreport *m, FILE *out, bool audit)
{
	if (!m || !m->calls)
		return;
	fprintf(out, "stockade: %s %lu call%s (%zu distinct):\n",
		audit ? "audit: the supervisor would have refused" : "the supervisor refused", m->calls,
		m->calls == 1 ? "" : "s", m->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct mgroup *g = &m->g[i];
		char fix[400];

		fprintf(out, "stockade:   %s ", g->name);
		report_put_escaped(out, g->target);
		fprintf(out, " x%lu by ", g->count);
		report_put_escaped(out, g->comm);
		fprintf(out, " (pid %d%s): %s: %s", (int)g->pid, g->many_pids ? " and others" : "",
			sk_errno_name(g->error) ? sk_errno_name(g->error) : "?", g->rule ? g->rule : "policy");
		if (mreport_fix(g->name, g->target, fix, sizeof(fix))) {
			fputs("; fix: ", out);
			report_put_escaped(out, fix);
		}
		fputc('\n', out);
	}
	if (m->over)
		fprintf(out, "stockade:   and %lu more calls of kinds past the first %d: counted, not listed\n", m->over,
			MREPORT_MAX);
}
