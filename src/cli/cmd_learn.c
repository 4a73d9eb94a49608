/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade learn: run a command in audit mode on a base policy and write
 * the policy that allows what it needed on top of that base.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "cli.h"
#include "outfile.h"
#include "run/learn.h"
#include "run/learn_files.h"
#include "plan/fs_eval.h"
#include "run/mediate.h"
#include "policy/policy.h"
#include "proxy_start.h"
#include "report_net.h"
#include "supervised.h"

static bool is_file(const char *base)
{
	size_t n = strlen(base);

	return strchr(base, '/') || (n > 5 && !strcmp(base + n - 5, ".yaml")) || (n > 4 && !strcmp(base + n - 4, ".yml"));
}

static char *join_command(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (char **a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

/* Mode proxy: the hosts the run reached, as network.allow (80 and 443
 * as the bare name), appended to the learned text. */
static int learned_hosts(int events, char **text)
{
	struct proxy_event *v;
	size_t n;
	char *add = NULL, *out = NULL;
	size_t addlen = 0;
	FILE *f;

	if (proxy_events_read(events, &v, &n) < 0)
		return -1;
	f = open_memstream(&add, &addlen);
	if (!f) {
		free(v);
		return -1;
	}
	fputs("network:\n  mode: proxy # hosts through stockade's proxy, as the run reached them\n  allow:", f);
	size_t written = 0;
	for (size_t i = 0; i < n; i++) {
		char entry[300], *pattern = NULL;
		const char *msg;
		uint16_t port;
		bool dup = false;

		if (strcmp(v[i].kind, "reached"))
			continue;
		if (v[i].port == 80 || v[i].port == 443)
			snprintf(entry, sizeof(entry), "%s", v[i].host);
		else
			snprintf(entry, sizeof(entry), "%s:%u", v[i].host, v[i].port);
		for (size_t k = 0; k < i && !dup; k++)
			dup = !strcmp(v[k].kind, "reached") && !strcmp(v[k].host, v[i].host) &&
			      (v[k].port == v[i].port || ((v[k].port == 80 || v[k].port == 443) &&
							  (v[i].port == 80 || v[i].port == 443)));
		if (dup)
			continue;
		if (sk_host_pattern_parse(entry, &pattern, &port, &msg) < 0) {
			fprintf(f, "\n    # not a host name the policy can hold: %.200s", entry);
			continue;
		}
		free(pattern);
		fprintf(f, "\n    - \"%s\" # %s, %u request%s", entry, v[i].method, v[i].count, v[i].count == 1 ? "" : "s");
		written++;
	}
	fputs(written ? "\n" : " []\n", f);
	free(v);
	if (fclose(f) != 0) {
		free(add);
		return -1;
	}
	if (asprintf(&out, "%s%s", *text, add) < 0) {
		free(add);
		return -1;
	}
	free(add);
	free(*text);
	*text = out;
	return 0;
}

/* The learned text must build, and allow every call it was learned from. */
static int verify(const struct sk_learner *l, const struct sk_learned_files *lf, const char *text,
		  const char *out_name)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	const char *first;
	size_t denied;
	int ret;

	ret = stockade_policy_new(&p, &err);
	if (ret == 0)
		ret = stockade_policy_add_text(p, out_name, text, strlen(text), &err);
	if (ret == 0)
		ret = stockade_plan_build(p, &plan, &err);
	if (ret < 0) {
		fprintf(stderr, "stockade: learn: the learned policy does not load (a bug):\n");
		print_error(err);
		stockade_error_free(err);
		stockade_policy_free(p);
		return -1;
	}
	denied = sk_learner_check(l, plan, &first);
	if (!denied && lf && (denied = sk_learned_files_check(lf, plan, &first, &err)) && err) {
		print_error(err);
		stockade_error_free(err);
		stockade_plan_free(plan);
		stockade_policy_free(p);
		return -1;
	}
	stockade_plan_free(plan);
	stockade_policy_free(p);
	if (denied) {
		fprintf(stderr, "stockade: learn: the learned policy still denies %zu of the calls, %s first (a bug)\n",
			denied, first);
		return -1;
	}
	return 0;
}

int cmd_learn(int argc, char **argv)
{
	const char *out_path = NULL, *base = "strict", *name = "learned", *net = NULL;
	struct sk_proxy proxy = SK_PROXY_INIT;
	char base_abs[PATH_MAX], *command = NULL, *text = NULL;
	struct sk_supervise_opts sopts = { .mode = SK_NOTIFY_DENY, .job_control_blocked = true };
	struct sk_mediation med = { .n = 0 };
	struct sk_audit_plan relaxed = { 0 };
	struct sk_learned_files lf = { 0 };
	struct sk_supervise_result res;
	struct sk_learner *l = NULL;
	stockade_policy *policy = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	bool all = false;
	const char *isolation = NULL;
	char path[PATH_MAX], why[300];
	int i, ret, status = EXIT_STOCKADE, saved_stdout = -1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (cli_is_help(a))
			return cli_help(argv[0]);
		if (!strcmp(a, "--all")) {
			all = true;
			continue;
		}
		if (!strcmp(a, "--isolation")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				usage_error(argv[0], "option %s needs a value", a);
				return EXIT_STOCKADE;
			}
			isolation = argv[++i];
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--base") || !strcmp(a, "--name") ||
		    !strcmp(a, "--net")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				usage_error(argv[0], "option %s needs a value", a);
				return EXIT_STOCKADE;
			}
			if (!strcmp(a, "--net"))
				net = argv[++i];
			else if (a[1] == 'o' || a[2] == 'o')
				out_path = argv[++i];
			else if (a[2] == 'b')
				base = argv[++i];
			else
				name = argv[++i];
			continue;
		}
		unknown_option(argv[0], a);
		return EXIT_STOCKADE;
	}
	if (i >= argc) {
		usage_error(argv[0], "no command given");
		return EXIT_STOCKADE;
	}
	if (is_file(base)) {
		if (!realpath(base, base_abs)) {
			fprintf(stderr, "stockade: learn: --base %s: %s\n", base, strerror(errno));
			return EXIT_STOCKADE;
		}
		base = base_abs;
	}
	ret = stockade_policy_new(&policy, &err);
	if (ret == 0)
		ret = is_file(base) ? stockade_policy_add_file(policy, base, &err)
				    : stockade_policy_add_preset(policy, base, &err);
	if (ret == 0 && net)
		ret = stockade_policy_set_network(policy, net, &err);
	if (ret == 0 && isolation)
		ret = stockade_policy_set_isolation(policy, isolation, &err);
	if (ret < 0) {
		print_error(err);
		goto out;
	}
	/* As `run`: only 0, 1, 2 (and a make jobserver's) reach the command. */
	if ((ret = keep_only_inherited_fds(0, getenv("MAKEFLAGS"))) < 0) {
		fprintf(stderr, "stockade: cannot close inherited descriptors: %s\n", strerror(-ret));
		goto out;
	}
	/* Mode proxy: the proxy lets every host through and records them. */
	if (proxy_prepare(policy, &proxy) < 0)
		goto out;
	ret = stockade_plan_build(policy, &plan, &err);
	if (ret < 0) {
		print_error(err);
		goto out;
	}
	if (!plan->seccomp_enabled) {
		fprintf(stderr, "stockade: learn: the base %s has no seccomp filter: there is nothing to learn on top of it\n",
			base);
		goto out;
	}
	/* As run does: the same file, found before confinement. */
	ret = resolve_command(argv[i], path, sizeof(path));
	if (ret < 0) {
		fprintf(stderr, "stockade: %s: %s\n", argv[i], ret == -ENOENT ? "command not found" : strerror(-ret));
		status = ret == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
		goto out;
	}
	argv[i] = path;
	/* Fail before the run, not after it; the file itself is written
	 * whole at the end and renamed into place (outfile_replace), so
	 * nothing the command does to the path meanwhile is written through. */
	if (out_path) {
		_cleanup_free_ char *dir = strdup(out_path);
		char *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if (outfile_check(out_path, why, sizeof(why)) < 0) {
			fprintf(stderr, "stockade: learn: -o %s: %s\n", out_path, why);
			goto out;
		}
		if (!dir || access(slash ? dir : ".", W_OK) < 0) {
			fprintf(stderr, "stockade: learn: cannot write %s: %s\n", out_path, strerror(dir ? errno : ENOMEM));
			goto out;
		}
		outfile_warn_writable(plan, "learn -o", out_path);
	} else if (!isatty(STDOUT_FILENO)) {
		/* The policy goes to stdout: the command's output must not
		 * land in it.  The command writes to our stderr instead,
		 * unless that is the same file. */
		struct stat o, e;

		if (fstat(STDOUT_FILENO, &o) == 0 && fstat(STDERR_FILENO, &e) == 0 && o.st_dev == e.st_dev &&
		    o.st_ino == e.st_ino) {
			fprintf(stderr, "stockade: learn: standard output and standard error are the same file, so the "
					"command's output would mix into the policy; use -o FILE\n");
			goto out;
		}
		saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (saved_stdout < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			fprintf(stderr, "stockade: learn: %s\n", strerror(errno));
			goto out;
		}
	}
	command = join_command(&argv[i]);
	if (sk_learner_new(plan, &l) < 0 || !command) {
		fprintf(stderr, "stockade: out of memory\n");
		goto out;
	}
	/* As `run`: package managers fill the sandbox's caches. */
	if (cli_caches_apply(plan, false) < 0)
		goto out;
	setenv("STOCKADE", "1", 1);
	setenv("STOCKADE_POLICY", stockade_policy_name(policy), 1);
	setenv("STOCKADE_MODE", "learn", 1);
	if (proxy_start(&proxy, plan, true) < 0)
		goto out;
	sopts.mode = all ? SK_NOTIFY_ALL : SK_NOTIFY_DENY;
	sopts.on_event = sk_learner_event;
	sopts.answer_probes = true;
	sopts.data = l;
	/* The base's mediators decide (and let the call run): a connect they
	 * would refuse is learned as the narrowest entry. */
	if (sk_mediation_setup(plan, sopts.mode, &med, &err) < 0) {
		print_error(err);
		goto out;
	}
	/* Files: the supervisor observes the path-taking calls while
	 * Landlock keeps only the base's carve-outs (as --audit): what the
	 * base would refuse runs, and is learned as the narrowest grant. */
	if (sk_files_mediation_setup(plan, &med, &err) < 0 ||
	    (med.files_state && (sk_plan_audit_files(plan, &relaxed, &err) < 0 ||
				 sk_files_mediation_enforced(med.files_state, &relaxed.plan, &err) < 0))) {
		print_error(err);
		goto out;
	}
	sopts.mediation = &med;
	sopts.on_mediation = sk_learner_mediated;
	sopts.mediation_data = l;
	ret = sk_supervise_exec(relaxed.paths ? &relaxed.plan : plan, &argv[i], &sopts, &res, &err);
	if (saved_stdout >= 0) {
		fflush(stdout);
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
		saved_stdout = -1;
	}
	if (ret < 0) {
		print_error(err);
		status = res.phase == SK_SUP_EXEC_FAILED ? (res.exec_errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC)
							 : EXIT_STOCKADE;
		goto out;
	}
	{
		struct sk_learn_meta meta = { .extends = base, .name = name, .command = command, .list_all = all };

		ret = sk_learn_files(med.files_state, plan, path, &lf, &err);
		if (ret == 0) {
			sk_learner_set_files(l, &lf);
			ret = sk_learner_yaml(l, &meta, &text, &err);
		}
	}
	if (ret == 0 && proxy.events >= 0 && learned_hosts(proxy.events, &text) < 0)
		ret = sk_error(&err, ENOMEM, "out of memory");
	if (ret < 0) {
		print_error(err);
		goto out;
	}
	if (verify(l, &lf, text, out_path ? out_path : "<learned>") < 0)
		goto out;
	if (out_path) {
		if (outfile_replace(out_path, text, why, sizeof(why)) < 0) {
			fprintf(stderr, "stockade: learn: cannot write %s: %s\n", out_path, why);
			goto out;
		}
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	fprintf(stderr, "stockade: learn: %zu entr%s beyond %s, from %lu call%s %s%s%s\n", sk_learner_entries(l),
		sk_learner_entries(l) == 1 ? "y" : "ies", base, sk_learner_calls(l), sk_learner_calls(l) == 1 ? "" : "s",
		all ? "in all" : "the base would deny", out_path ? "; wrote " : "", out_path ? out_path : "");
	if (med.files_state && med.files_state->refused)
		fprintf(stderr, "stockade: learn: %zu filesystem grant%s from %lu file access%s %s would refuse%s\n", lf.n,
			lf.n == 1 ? "" : "s", med.files_state->refused, med.files_state->refused == 1 ? "" : "es", base,
			lf.nnotes ? "; what was not learned is in the policy's comments" : "");
	if (sk_learner_wanted_network(l))
		fprintf(stderr, "stockade: learn: the run opened network sockets %s refuses; the policy does not "
				"grant them (learn never writes network: full): add the hosts or ports it needs\n",
			base);
	if (res.killed_leftovers)
		fprintf(stderr, "stockade: learn: %u process%s outlived the command and %s killed; what %s did after "
				"the command exited is not in the policy\n",
			res.killed_leftovers, res.killed_leftovers == 1 ? "" : "es",
			res.killed_leftovers == 1 ? "was" : "were", res.killed_leftovers == 1 ? "it" : "they");
	if (res.lingering)
		fprintf(stderr, "stockade: learn: some processes outlived the command; calls they make from now on "
				"are not in the policy\n");
	if (WIFEXITED(res.wstatus) && WEXITSTATUS(res.wstatus))
		fprintf(stderr, "stockade: learn: the command exited with status %d; the policy covers only what it "
				"did before\n",
			WEXITSTATUS(res.wstatus));
	else if (WIFSIGNALED(res.wstatus))
		fprintf(stderr, "stockade: learn: the command was killed by signal %d; the policy covers only what "
				"it did before\n",
			WTERMSIG(res.wstatus));
	status = WIFEXITED(res.wstatus) ? WEXITSTATUS(res.wstatus) : 128 + WTERMSIG(res.wstatus);
out:
	if (saved_stdout >= 0) {
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
	}
	stockade_error_free(err);
	free(text);
	free(command);
	sk_learner_free(l);
	sk_learned_files_free(&lf);
	sk_mediation_free(&med);
	sk_audit_plan_free(&relaxed);
	stockade_plan_free(plan);
	stockade_policy_free(policy);
	proxy_run_close(&proxy);
	return status;
}
