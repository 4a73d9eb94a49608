/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade run --report / --report-json / --audit: run the command under
 * the supervisor (src/run/supervise.c) instead of exec'ing it in place,
 * then print what the policy denied and how to allow it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "cli.h"
#include "tables/tables.h"
#include "outfile.h"
#include "report.h"
#include "report_net.h"
#include "run/mediate_files.h"
#include "plan/fs_eval.h"
#include "supervised.h"

int run_report_opt_parse(struct run_report_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--report")) {
		o->report = 1;
		return 1;
	}
	if (!strcmp(a, "--no-report")) {
		o->report = 0;
		return 1;
	}
	if (!strcmp(a, "--audit")) {
		o->audit = true;
		return 1;
	}
	if (!strncmp(a, "--report-fd", 11) && (a[11] == '\0' || a[11] == '=')) {
		const char *v = a[11] == '=' ? a + 12 : *i + 1 < argc ? argv[++*i] : NULL;
		char *end;
		long n;

		errno = 0;
		n = v ? strtol(v, &end, 10) : -1;
		if (!v || !*v || *end || errno || n < 0 || n > INT_MAX) {
			usage_error(argv[0], "option --report-fd needs a descriptor number");
			return -1;
		}
		/* 0, 1 and 2 are the command's too: it could write into them. */
		if (n < 3) {
			usage_error(argv[0], "--report-fd %ld: the command shares descriptors 0-2; use a descriptor "
					     "above 2 (or --report-json - for standard output)",
				    n);
			return -1;
		}
		o->json_fd = (int)n;
		return 1;
	}
	if (!strncmp(a, "--report-json=", 14)) {
		o->json_path = a + 14;
	} else if (!strcmp(a, "--report-json")) {
		if (*i + 1 >= argc) {
			usage_error(argv[0], "option --report-json needs a value");
			return -1;
		}
		o->json_path = argv[++*i];
	} else {
		return 0;
	}
	if (!*o->json_path) {
		usage_error(argv[0], "option --report-json needs a file name");
		return -1;
	}
	return 1;
}

/* Exit the way the command did: its status, or its signal (no core). */
static int exit_like(int wstatus)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;
	int sig;

	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (!WIFSIGNALED(wstatus))
		return EXIT_STOCKADE;
	sig = WTERMSIG(wstatus);
	fflush(NULL);
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

/* A mediated call the policy refused (run/mediate.h): one line on stderr
 * for each distinct one (at most 32), whatever the report options, and a
 * JSON event for each when there is a JSON report. */
struct mediated_log {
	char seen[32][128];
	unsigned n;
	FILE *json;
	struct mreport *rep; /* for the text report and the exit record, or NULL */
};

static void mediated_json(const struct sk_mreq *r, FILE *json)
{
	struct sk_json_writer w = { 0 };
	const char *e = sk_errno_name(r->error);
	bool sock = !strcmp(r->name, "connect") && r->detail[0] == '/';

	sk_jw_open(&w, '{');
	sk_jw_key(&w, "event");
	sk_jw_string(&w, "mediated");
	sk_jw_key(&w, "syscall");
	sk_jw_string(&w, r->name);
	sk_jw_key(&w, "pid");
	sk_jw_int(&w, r->pid);
	sk_jw_key(&w, "target");
	sk_jw_string(&w, r->detail);
	sk_jw_key(&w, "errno");
	sk_jw_string(&w, e ? e : "?");
	sk_jw_key(&w, "enforced");
	sk_jw_bool(&w, !r->audited);
	sk_jw_key(&w, "rule");
	sk_jw_open(&w, '{');
	sk_jw_key(&w, "kind");
	sk_jw_string(&w, "supervisor");
	sk_jw_key(&w, "description");
	sk_jw_string(&w, r->rule ? r->rule : "policy");
	sk_jw_close(&w, '}');
	if (sock) {
		/* Only an absolute path is a policy entry as it stands. */
		char fix[400];

		snprintf(fix, sizeof(fix), "sockets: allow: [\"%.300s\"]", r->detail);
		sk_jw_key(&w, "fix_policy");
		sk_jw_string(&w, fix);
	}
	{
		char fix[400];

		if (mreport_fix(r->name, r->detail, fix, sizeof(fix))) {
			sk_jw_key(&w, "fix");
			sk_jw_string(&w, fix);
		}
	}
	sk_jw_close(&w, '}');
	if (!w.buf.failed) {
		fwrite(w.buf.data, 1, w.buf.len, json);
		fputc('\n', json);
		fflush(json);
	}
	free(w.buf.data);
}

static void mediated_event(const struct sk_mreq *r, void *data)
{
	struct mediated_log *l = data;

	if (!r->denied)
		return;
	/* Like the filter's denials: the first 100 of a kind in the JSON,
	 * the rest counted. */
	unsigned long nth = l->rep ? mreport_add(l->rep, r) : 1;

	if (l->json && nth <= 100)
		mediated_json(r, l->json);
	for (unsigned i = 0; i < l->n; i++)
		if (!strncmp(l->seen[i], r->detail, sizeof(l->seen[i]) - 1))
			return;
	if (l->n >= ARRAY_SIZE(l->seen))
		return;
	snprintf(l->seen[l->n++], sizeof(l->seen[0]), "%.127s", r->detail);
	/* One line, written at once: the command writes to the same stderr. */
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);

	if (!m)
		return;
	fprintf(m, "stockade: %s ", r->name);
	report_put_escaped(m, r->detail);
	fprintf(m, " %s (%s): %s\n", r->audited ? "would be refused (audit: let through)" : "refused",
		strerror(r->error), r->rule ? r->rule : "policy");
	if (fclose(m) == 0 && line)
		(void)!write(STDERR_FILENO, line, len);
	free(line);
}

/* What the supervisor decides, for the status's `supervisor` line (cli.h). */
char cli_supervision[512];

void cli_describe_supervision(const stockade_plan *plan, const struct sk_mediation *med, bool reporting,
			      bool end_leftovers)
{
	bool tcp_addrs = plan->access.ntcp_addrs > 0;

	size_t n = 0;
	const char *sep = "";
	const char *where = sk_host_daemon_socket_where();

#define PUT(...)                                                                                             \
	do {                                                                                                 \
		if (n < sizeof(cli_supervision))                                                             \
			n += (size_t)snprintf(cli_supervision + n, sizeof(cli_supervision) - n, __VA_ARGS__); \
	} while (0)
	cli_supervision[0] = '\0';
	if (med && med->n) {
		PUT("decides ");
		for (size_t i = 0; i < med->n; i++) {
			const char *s = med->m[i].syscall;

			if (!strcmp(s, "connect"))
				PUT("%sconnect() (%s%s%s%s)", sep, med->unix_state ? "unix pathname sockets" : "",
				    med->unix_state && where ? ": a host socket listens at " : "",
				    med->unix_state && where ? where : "",
				    tcp_addrs ? (med->unix_state ? "; TCP by address" : "TCP by address") : "");
			else if (!med->m[i].observe)
				PUT("%s%s()", sep, s);
			else
				continue;
			sep = ", ";
		}
	}
	if (reporting)
		PUT("%sreports the calls the policy refuses", n ? "; " : "");
	if (end_leftovers)
		PUT("%sends what the command leaves running when it exits (a terminal, no pid namespace)", n ? "; " : "");
#undef PUT
}

/* Plain enforcement with mediators: the supervisor runs the command and
 * only the mediated calls reach it.  Returns the exit status. */
static int run_mediated(const stockade_plan *plan, char **argv, struct sk_mediation *med, bool end_leftovers,
			void (*applied)(const struct sk_enforcement *rep, void *data), void *applied_data)
{
	struct mediated_log log = { .n = 0 };
	struct sk_supervise_opts sopts = { .mode = SK_NOTIFY_NONE, .mediation = med, .on_mediation = mediated_event,
					   .mediation_data = &log, .applied = applied, .applied_data = applied_data,
					   .exiting = true, .job_control_blocked = true, .end_leftovers = end_leftovers };
	struct sk_supervise_result res;
	stockade_error *err = NULL;
	int ret;

	cli_describe_supervision(plan, med, false, end_leftovers);
	ret = sk_supervise_exec(plan, argv, &sopts, &res, &err);

	sk_mediation_free(med);
	if (ret < 0 && res.phase == SK_SUP_SETUP_FAILED && err && err->status == EBUSY) {
		/* Inside another supervisor (an outer stockade): its filter
		 * and its mediators still hold; ours cannot be added. */
		fprintf(stderr, "stockade: another seccomp supervisor watches this process (an outer stockade?): "
				"unix socket connects are mediated by it, not by this policy's sockets: allow\n");
		stockade_error_free(err);
		return -1;
	}
	if (ret < 0) {
		print_error(err);
		stockade_error_free(err);
		if (res.phase == SK_SUP_SETUP_FAILED)
			return EXIT_STOCKADE;
		if (res.phase == SK_SUP_EXEC_FAILED && res.exec_errno == EACCES)
			cli_explain_exec_refusal(plan, argv[0]);
		return ret == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	if (res.killed_leftovers)
		fprintf(stderr,
			"stockade: %u of the command's processes were still running when it exited; killed, as a pid "
			"namespace's would be (without one, they would keep this terminal)\n",
			res.killed_leftovers);
	if (res.mediator_lost)
		fprintf(stderr, "stockade: warning: the process mediating the command's calls (stockade-linger) ended "
				"before it: its mediated calls failed from then on (none was let through)\n");
	return exit_like(res.wstatus);
}

int run_report_open(struct run_report_opts *o)
{
	char why[300];

	if (!o->json_path || !strcmp(o->json_path, "-") || o->json_fd >= 0 || o->json_file >= 0)
		return 0;
	o->json_file = outfile_open(o->json_path, why, sizeof(why));
	if (o->json_file < 0) {
		fprintf(stderr, "stockade: --report-json %s: %s\n", o->json_path, why);
		return -1;
	}
	return 0;
}

int run_supervised(const struct run_report_opts *o, const stockade_plan *plan, const char *policy, char **argv,
		   void (*applied)(const struct sk_enforcement *rep, void *data), void *applied_data)
{
	bool audit = o->audit || plan->audit;
	bool explicit = audit || o->report == 1 || o->json_path || o->json_fd >= 0;
	bool tty = isatty(STDERR_FILENO);
	/* The text report: asked for, or by default for a person or an audit.
	 * Unasked, it says nothing when nothing was denied. */
	bool text = o->report == 1 || (o->report < 0 && (tty || audit));
	bool quiet = o->report != 1 && !audit;
	struct sk_supervise_opts sopts = { .mode = audit ? SK_NOTIFY_DENY : SK_NOTIFY_ERRNO,
					   .job_control_blocked = true,
					   .end_leftovers = o->end_leftovers };
	struct sk_supervise_result res;
	stockade_error *err = NULL;
	struct report *r;
	FILE *json = NULL;
	int ret, status, json_fd = -1;
	bool json_file = false;

	struct sk_mediation med;
	struct mediated_log log = { .n = 0 };

	/* What the supervisor must decide itself (unix sockets of host
	 * daemons): then it runs even when nothing is reported (as plain
	 * enforcement: SK_NOTIFY_NONE). */
	bool reporting = explicit || (o->report < 0 && tty);
	if (sk_mediation_setup(plan, reporting ? sopts.mode : SK_NOTIFY_NONE, &med, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return EXIT_STOCKADE;
	}
	/* Default: on when a person reads stderr. */
	if (!explicit && !(o->report < 0 && tty)) {
		if (med.n)
			return run_mediated(plan, argv, &med, o->end_leftovers, applied, applied_data);
		if (!o->end_leftovers)
			return -1;
		/* A terminal on standard input or output, not on stderr:
		 * supervised for the leftovers, with no report to print. */
	}
	bool med_wanted = med.n > 0;
	/* Asked for: the files Landlock refuses too (run/mediate_files.h),
	 * at a cost per path-taking call that the default report does not pay. */
	if (explicit && sk_files_mediation_setup(plan, &med, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		sk_mediation_free(&med);
		return EXIT_STOCKADE;
	}

	sopts.mediation = &med;
	sopts.on_mediation = mediated_event;
	sopts.mediation_data = &log;
	if (!plan->seccomp_enabled) {
		sk_mediation_free(&med);
		if (explicit)
			fprintf(stderr, "stockade: policy %s has no seccomp filter: nothing to %s\n", policy,
				audit ? "audit" : "report");
		return -1;
	}
	if (o->json_path && o->json_fd >= 0) {
		fprintf(stderr, "stockade: --report-json and --report-fd: choose one\n");
		sk_mediation_free(&med);
		return EXIT_STOCKADE;
	}
	if (o->json_fd >= 0) {
		/* The caller's channel: ours only, never the command's. */
		int fl = fcntl(o->json_fd, F_GETFL);

		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
			fprintf(stderr, "stockade: --report-fd %d: %s\n", o->json_fd,
				fl < 0 ? strerror(errno) : "not open for writing");
			sk_mediation_free(&med);
			return EXIT_STOCKADE;
		}
		if (fcntl(o->json_fd, F_SETFD, FD_CLOEXEC) < 0 || !(json = fdopen(o->json_fd, "w"))) {
			fprintf(stderr, "stockade: --report-fd %d: %s\n", o->json_fd, strerror(errno));
			sk_mediation_free(&med);
			return EXIT_STOCKADE;
		}
	} else if (o->json_path && !strcmp(o->json_path, "-")) {
		/* Standard output, which the command shares. */
		int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

		if (fd < 0 || !(json = fdopen(fd, "w"))) {
			fprintf(stderr, "stockade: --report-json -: %s\n", strerror(errno));
			if (fd >= 0)
				close(fd);
			sk_mediation_free(&med);
			return EXIT_STOCKADE;
		}
	} else if (o->json_path) {
		char why[300];

		json_fd = o->json_file >= 0 ? o->json_file : outfile_open(o->json_path, why, sizeof(why));
		if (json_fd < 0) {
			fprintf(stderr, "stockade: --report-json %s: %s\n", o->json_path, why);
			sk_mediation_free(&med);
			return EXIT_STOCKADE;
		}
		if (!(json = fdopen(json_fd, "w"))) {
			fprintf(stderr, "stockade: --report-json %s: %s\n", o->json_path, strerror(errno));
			close(json_fd);
			sk_mediation_free(&med);
			return EXIT_STOCKADE;
		}
		json_file = true;
		outfile_warn_writable(plan, "--report-json", o->json_path);
	}
	r = report_new(plan, policy, sopts.mode, json);
	if (!r) {
		fprintf(stderr, "stockade: out of memory\n");
		if (json)
			fclose(json);
		sk_mediation_free(&med);
		return EXIT_STOCKADE;
	}
	/* A tool can tell that nothing is enforced. */
	if (audit)
		setenv("STOCKADE_MODE", "audit", 1);
	sopts.on_event = report_event;
	sopts.data = r;
	sopts.applied = applied;
	sopts.applied_data = applied_data;
	report_set_files(r, med.files_state);
	log.json = json;
	log.rep = calloc(1, sizeof(*log.rep));
	report_set_mediated(r, log.rep);
	bool med_files = med.files_state != NULL;
	/* Audit covers files too: Landlock keeps only the carve-outs
	 * (credentials) and the supervisor lists what the plan would refuse. */
	struct sk_audit_plan relaxed = { 0 };
	if (audit && med.files_state &&
	    (sk_plan_audit_files(plan, &relaxed, &err) < 0 ||
	     sk_files_mediation_enforced(med.files_state, &relaxed.plan, &err) < 0)) {
		sk_audit_plan_free(&relaxed);
		print_error(err);
		stockade_error_free(err);
		report_free(r);
		free(log.rep);
		if (json)
			fclose(json);
		sk_mediation_free(&med);
		return EXIT_STOCKADE;
	}
	cli_describe_supervision(plan, &med, text || json, o->end_leftovers);
	ret = sk_supervise_exec(relaxed.paths ? &relaxed.plan : plan, argv, &sopts, &res, &err);
	/* The events point into the plan the supervisor decided with:
	 * relaxed lives until the report is written. */
	if (ret < 0 && res.phase == SK_SUP_SETUP_FAILED) {
		sk_mediation_free(&med);
		sk_audit_plan_free(&relaxed);
		report_free(r);
		free(log.rep);
		if (json)
			fclose(json);
		if (!explicit && (!med_wanted || (err && err->status == EBUSY))) {
			if (med_wanted)
				fprintf(stderr, "stockade: another seccomp supervisor watches this process (an outer "
						"stockade?): unix socket connects are mediated by it, not by this policy's "
						"sockets: allow\n");
			/* The default report is a convenience: without it the
			 * policy is enforced all the same (not when something
			 * is mediated: that needs the supervisor). */
			stockade_error_free(err);
			unsetenv("STOCKADE_MODE");
			return -1;
		}
		if (err && err->status == EBUSY && !err->hint)
			sk_error_hint(&err, "another seccomp supervisor already watches this process (a container "
					    "runtime, or an outer `stockade run --report`); run without --report");
		print_error(err);
		stockade_error_free(err);
		return EXIT_STOCKADE;
	}
	proxy_report(o->proxy_events, text ? stderr : NULL, json, &med);
	report_finish(r, &res, text ? stderr : NULL, quiet);
	if (!text && res.killed_leftovers)
		fprintf(stderr,
			"stockade: %u of the command's processes were still running when it exited; killed, as a pid "
			"namespace's would be (without one, they would keep this terminal)\n",
			res.killed_leftovers);
	report_free(r);
	free(log.rep);
	sk_mediation_free(&med);
	sk_audit_plan_free(&relaxed);
	if (json_file)
		outfile_warn_replaced(json_fd, "--report-json", o->json_path);
	if (json)
		fclose(json);
	if (ret < 0) {
		print_error(err);
		stockade_error_free(err);
		/* With files observed, the report has listed the refusal. */
		if (!med_files && res.phase == SK_SUP_EXEC_FAILED && res.exec_errno == EACCES)
			cli_explain_exec_refusal(plan, argv[0]);
		return ret == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	status = exit_like(res.wstatus);
	return status;
}
