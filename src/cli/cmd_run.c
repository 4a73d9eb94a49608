/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade run: confine this process and exec the command in place, so no
 * stockade process lingers and the exit status is the command's own; with
 * namespaces (isolation), this process waits for it and relays its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timing.h"
#include "landlock/abi.h"
#include "landlock/landlock.h"
#include "run/exec.h"
#include "run/netns.h"
#include "run/isolate.h"
#include "run/mediate.h"
#include "cli.h"
#include "report.h"
#include "plan/plan.h"
#include "proxy_start.h"
#include "supervised.h"

/* Find the command before confinement so "not found" is reported by us,
 * with the right exit status, whatever the policy denies.  learn resolves
 * the same way, so both run the same file. */
int resolve_command(const char *cmd, char *out, size_t size)
{
	const char *path;
	int saw_eacces = 0;

	if (strchr(cmd, '/')) {
		if (snprintf(out, size, "%s", cmd) >= (int)size)
			return -ENAMETOOLONG;
		return access(out, X_OK) == 0 ? 0 : -errno;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = (int)(end - path);
		struct stat st;

		if (snprintf(out, size, "%.*s%s%s", n, path, n ? "/" : "", cmd) < (int)size &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			saw_eacces = 1;
		}
		path = *end ? end + 1 : end;
	}
	return saw_eacces ? -EACCES : -ENOENT;
}

struct run_ctx {
	const char *policy;
	const stockade_plan *plan;
	bool verbose;
};

/* Between confinement and exec: what is enforced, always when it is less
 * than the policy asks. */
static void applied(const struct sk_enforcement *rep, void *data)
{
	const struct run_ctx *r = data;

	if (sk_timing_on) {
		sk_timing("confinement");
		print_timings(stderr);
	}
	if (r->verbose)
		print_enforcement(stderr, r->policy, r->plan, rep);
	else
		print_enforcement_warnings(stderr, r->plan, rep);
}

/* A controlling terminal: /dev/tty opens (ENXIO without one). */
static bool has_controlling_terminal(void)
{
	int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno != ENXIO && errno != ENOENT; /* in doubt, yes */
	close(fd);
	return true;
}

/* The policy's environment rules; with --verbose, the names dropped
 * (never their values), those the value rule dropped with what it saw. */
int apply_environment(const stockade_plan *plan, bool verbose)
{
	stockade_error *err = NULL;
	char **dropped = NULL;
	const char **whys = NULL;

	if (sk_apply_environment(plan, verbose ? &dropped : NULL, verbose ? &whys : NULL, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return -1;
	}
	for (int by_value = 0; dropped && by_value < 2; by_value++) {
		size_t n = 0;

		for (size_t k = 0; dropped[k]; k++) {
			if (!whys[k] != !by_value)
				continue;
			fputs(n++ ? ", " : "stockade: environment: dropped ", stderr);
			/* Names are the caller's, escaped all the same. */
			report_put_escaped(stderr, dropped[k]);
			if (by_value)
				fprintf(stderr, " (its value is %s)", whys[k]);
		}
		if (n)
			fprintf(stderr, " (%s; --keep-env NAME passes one on)\n",
				by_value ? "environment.drop_values: credentials" : "environment.drop");
	}
	/* What the value rule spares, said: git's GIT_CONFIG_* (env.c). */
	for (char **e = environ; verbose && sk_env_drop_values(plan) && e && *e; e++) {
		const char *eq = strchr(*e, '='), *why;

		if (!eq || strncasecmp(*e, "GIT_CONFIG_", 11) || !(why = sk_env_credential_value(eq + 1)))
			continue;
		char *name = strndup(*e, (size_t)(eq - *e));

		fputs("stockade: environment: kept ", stderr);
		report_put_escaped(stderr, name ? name : "GIT_CONFIG_*");
		free(name);
		fprintf(stderr, " although its value is %s: git fails without it; leave it out of the caller's "
				"environment\n",
			why);
	}
	stockade_strv_free(dropped);
	free(whys);
	return 0;
}

/* After the run (namespaces): a file git reads that the command made in a
 * git dir where it was absent, moved aside so that git outside ignores it. */
static void git_planted(const struct sk_git_planted *p)
{
	if (!p->moved && !p->errnum)
		fprintf(stderr, "stockade: warning: the command left a rebase in progress (%s): git status says so "
				"outside, and git rebase --continue would run its todo list, exec lines included: read "
				"it first, or git rebase --abort\n",
			p->path);
	else if (p->errnum)
		fprintf(stderr, "stockade: warning: the command made %s, which git outside would read; moving it aside "
				"failed (%s): look at it before running git here\n",
			p->path, strerror(p->errnum));
	else if (!strcmp(p->aside, "(removed)"))
		fprintf(stderr, "stockade: warning: the command made %s, which git outside would read, and kept it from "
				"being moved aside: removed (docs/isolation.md, \"Limits\")\n",
			p->path);
	else
		fprintf(stderr, "stockade: warning: the command made %s, which git outside would read: moved aside to %s "
				"(docs/isolation.md, \"Limits\")\n",
			p->path, p->aside);
}

/* The plan is built to run here: where Landlock limits TCP ports, the
 * filter that denies TCP without them is not built (~0.2 ms for a policy
 * with ports or a proxy; run/exec.c refuses to run should Landlock not
 * enforce after all). */
static void tcp_fallback_here(stockade_policy *policy)
{
	enum stockade_landlock_reason why;
	int errnum, abi = sk_landlock_kernel_abi(&why, &errnum), lower = sk_landlock_abi_override();

	if (lower >= 0 && lower < abi)
		abi = lower;
	policy->tcp_fallback_unneeded = abi >= 4;
}

int cmd_run(int argc, char **argv)
{
	struct policy_opts o = { 0 };
	struct run_report_opts rep = RUN_REPORT_OPTS_INIT;
	stockade_plan *plan;
	stockade_error *err = NULL;
	char path[PATH_MAX];
	bool verbose = false;
	unsigned long preserve = 0;
	int i, ret;

	/* --timings counts from here, wherever it comes among the options. */
	uint64_t started = sk_timing_now();

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			verbose = true;
			continue;
		}
		if (strcmp(argv[i], "--timings") == 0) {
			sk_timing_start(started);
			continue;
		}
		if (strcmp(argv[i], "--preserve-fds") == 0 || strncmp(argv[i], "--preserve-fds=", 15) == 0) {
			const char *v = argv[i][14] == '=' ? argv[i] + 15 : i + 1 < argc ? argv[++i] : NULL;
			char *end;

			errno = 0;
			preserve = v ? strtoul(v, &end, 10) : 0;
			if (!v || !*v || *end || errno || preserve > 65000) {
				usage_error(argv[0], "--preserve-fds takes a number of descriptors, 0 to 65000");
				policy_opts_free(&o);
				return EXIT_STOCKADE;
			}
			continue;
		}
		if (cli_is_help(argv[i])) {
			policy_opts_free(&o);
			return cli_help(argv[0]);
		}
		ret = run_report_opt_parse(&rep, argc, argv, &i);
		if (ret < 0) {
			policy_opts_free(&o);
			return EXIT_STOCKADE;
		}
		if (ret > 0)
			continue;
		ret = policy_opt_parse(&o, argc, argv, &i);
		if (ret < 0)
			return EXIT_STOCKADE;
		if (ret == 0) {
			unknown_option(argv[0], argv[i]);
			policy_opts_free(&o);
			return EXIT_STOCKADE;
		}
	}
	if (rep.json_fd >= 0 && (unsigned long)rep.json_fd < 3 + preserve) {
		usage_error(argv[0], "--report-fd %d is among the descriptors --preserve-fds passes to the command",
			    rep.json_fd);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	if (i >= argc) {
		usage_error(argv[0], "no command given");
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	sk_timing("options");
	if (landlock_override_from_env() < 0) {
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	/* Only 0, 1, 2 (and what --preserve-fds and a jobserver name) reach
	 * the command; the policy files were read while parsing the options. */
	ret = keep_only_inherited_fds((unsigned)preserve, getenv("MAKEFLAGS"));
	if (ret < 0) {
		fprintf(stderr, "stockade: cannot close inherited descriptors: %s\n", strerror(-ret));
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	/* Network mode proxy: its port must be in the plan (proxy_start.c). */
	struct sk_proxy proxy = SK_PROXY_INIT;
	if (policy_opts_finish(&o) < 0 || proxy_prepare(o.policy, &proxy) < 0) {
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	/* Its network namespace, made meanwhile (run/netns.c). */
	struct sk_netns_proxy netns;
	sk_netns_early(&netns, o.policy, (uint16_t)proxy.port);
	tcp_fallback_here(o.policy);
	sk_timing("policy");
	plan = policy_opts_plan(&o);
	if (!plan) {
		proxy_run_free(&proxy);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	sk_timing("plan");
	ret = resolve_command(argv[i], path, sizeof(path));
	if (ret < 0) {
		fprintf(stderr, "stockade: %s: %s\n", argv[i], ret == -ENOENT ? "command not found" : strerror(-ret));
		proxy_run_free(&proxy);
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return ret == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	sk_timing("command lookup");
	if (verbose)
		fprintf(stderr, "stockade: running %s under policy %s\n", path, stockade_policy_name(o.policy));
	if (apply_environment(plan, verbose) < 0) {
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	sk_timing("environment");
	sk_environment_applied(plan);
	/* $HOME, $CWD, the passwd home and the .git search as the command will
	 * have them: looked up once for the caches, the rules and the
	 * supervisor. */
	if (sk_path_env_pin(&err) < 0) {
		print_error(err);
		stockade_error_free(err);
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	/* (With the paths pinned: a policy file's run asks for them once.
	 * The variables the environment rules dropped, AWS_* say, are
	 * remembered there: sk_path_env_dropped.) */
	warn_missing_write_paths(plan);
	cli_warn_moved_carve_outs(plan);
	warn_writable_policy_files(&o, plan);
	sk_timing("paths ($HOME, $CWD, .git)");
	/* Package managers fill caches of their own (docs/toolchains.md). */
	if (cli_caches_apply(plan, verbose) < 0) {
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	sk_timing("caches");
	/* Tools can tell they are confined, and by what. */
	setenv("STOCKADE", "1", 1);
	setenv("STOCKADE_POLICY", stockade_policy_name(o.policy), 1);
	setenv("STOCKADE_NETWORK", sk_net_mode_name(plan->access.net), 1);
	argv[i] = path;
	/* Started now; the process that execs the command waits for its word
	 * before it confines itself (run/proxy_run.h): its start overlaps ours. */
	/* (The report file in this view: the command's is read-only outside
	 * its write roots.) */
	if (run_report_open(&rep) < 0) {
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	if (proxy_spawn(&proxy, plan, rep.audit || plan->audit) < 0) {
		proxy_run_free(&proxy);
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	sk_proxy_defer(&proxy);
	/* (Its pid is waited for only to say it.) */
	if (verbose && proxy.port && sk_proxy_pid(&proxy, NULL) == 0)
		fprintf(stderr, "stockade: proxy pid %d on 127.0.0.1:%u\n", proxy.pid, proxy.port);
	sk_timing("report, proxy start");
	rep.proxy_events = proxy.events;
	struct run_ctx rc = { .policy = stockade_policy_name(o.policy), .plan = plan, .verbose = verbose };
	/* Namespaces where the policy asks and the kernel allows: this
	 * process stays to relay signals and the exit status, and the rest
	 * of this function runs in init's child (docs/isolation.md).  First,
	 * so that host sockets are out of the mount view before the
	 * supervisor decides whether connects need mediating: with
	 * namespaces, only those sockets.allow names do. */
	/* Network modes none and proxy: an empty network namespace too, with
	 * only the proxy's listener in it (run/netns.c, docs/network.md). */
	/* The mount view hides the host daemons' sockets bound now; one bound
	 * later (a daemon restarted, a new tmux server) would be in view.
	 * Where such daemons run, their connects are mediated inside the
	 * namespaces too, as without them (docs/mediation.md).  Looked for
	 * here, in the host's view. */
	{
		char where[256];

		if (plan->access.fs)
			sk_host_daemon_socket_pin(sk_host_daemon_socket(where, sizeof(where)), where);
	}
	sk_timing("host sockets");
	bool wanted = sk_netns_wanted(plan, (uint16_t)proxy.port);
	netns.ctl = proxy.ctl;
	bool joined = sk_netns_use(&netns, wanted && plan->access.isolation != SK_ISOLATION_OFF);
	struct sk_isolate_opts iso = { .extra_flags = joined ? 0 : CLONE_NEWNET,
				       .joined_flags = joined ? CLONE_NEWNET : 0,
				       .inside = sk_netns_inside,
				       .data = &netns,
				       .audit = rep.audit,
				       .planted = git_planted,
				       .inherited = 3 + (unsigned)preserve };
	struct sk_isolate_opts iso_plain = { .audit = rep.audit,
					     .planted = git_planted,
					     .inherited = 3 + (unsigned)preserve };
	ret = sk_isolate(plan, wanted ? &iso : &iso_plain, &err);
	sk_netns_close(&netns);
	if (ret < 0)
		goto out;
	sk_timing("namespaces");
	/* --report, --audit, mediated calls: a supervisor runs the command
	 * instead (inside the namespaces, as init's child). */
	/* Without a pid namespace what the command leaves running outlives
	 * it, in the caller's session: where there is a terminal (on the
	 * standard streams, or a controlling one, which /dev/tty opens
	 * whatever the streams are), it could read what is typed at the
	 * prompt next.  A supervisor ends it with the command. */
	rep.end_leftovers = plan->seccomp_enabled && !sk_isolated() &&
			    (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO) ||
			     has_controlling_terminal());
	ret = run_supervised(&rep, plan, rc.policy, &argv[i], applied, &rc);
	if (ret >= 0) {
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return ret;
	}
	sk_timing("supervisor");
	ret = sk_exec_report(plan, &argv[i], applied, &rc, &err);
out:
	print_error(err);
	stockade_error_free(err);
	if (ret == -EACCES)
		cli_explain_exec_refusal(plan, argv[i]);
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret == -ENOENT ? EXIT_NOT_FOUND : ret == -EACCES || ret == -ENOEXEC ? EXIT_CANNOT_EXEC : EXIT_STOCKADE;
}
