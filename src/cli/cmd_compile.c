/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade compile: the policy as a file for another consumer, a raw BPF
 * filter for bubblewrap, OCI JSON for runc, crun, Docker, Podman and
 * Kubernetes, an OCI config fragment for runc and crun, or a listing of the
 * BPF filter for review.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "policy/policy.h"

void print_oci_notes(const stockade_policy *policy)
{
	for (size_t i = 0; policy && i < policy->nlayers; i++) {
		const struct sk_layer *l = policy->layers[i];
		if (l->name && !strncmp(l->name, "oci:", 4) && l->description)
			fprintf(stderr, "stockade: note: %s\n", l->description);
	}
}

int cmd_compile(int argc, char **argv)
{
	struct policy_opts o = { 0 };
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	enum stockade_format format = STOCKADE_FORMAT_BPF;
	const char *out = NULL, *format_name = NULL;
	char *data = NULL, **dropped = NULL;
	size_t len = 0;
	bool lossy = false;
	int ret = EXIT_STOCKADE, fd = -1, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			ret = cli_help(argv[0]);
			goto done;
		}
		if (!strcmp(a, "--lossy")) {
			lossy = true;
			continue;
		}
		if (!strcmp(a, "--format") || !strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc) {
				usage_error(argv[0], "option %s needs a value", a);
				goto done;
			}
			if (!strcmp(a, "--format"))
				format_name = argv[++i];
			else
				out = argv[++i];
			continue;
		}
		if (!strncmp(a, "--format=", 9)) {
			format_name = a + 9;
			continue;
		}
		if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
			continue;
		}
		r = policy_opt_parse(&o, argc, argv, &i);
		if (r < 0)
			goto done;
		if (r == 0) {
			unknown_option(argv[0], a);
			goto done;
		}
	}
	if (!format_name) {
		usage_error(argv[0], "which format? --format bpf, oci, oci-config or listing");
		goto done;
	}
	if (stockade_format_from_name(format_name, &format) < 0) {
		usage_error(argv[0], "unknown format `%s` (bpf, oci, oci-config, listing)", format_name);
		goto done;
	}
	if (format == STOCKADE_FORMAT_BPF && !out && isatty(STDOUT_FILENO)) {
		usage_error(argv[0], "a BPF filter is binary; write it to a file with -o FILE or redirect stdout");
		goto done;
	}
	plan = policy_opts_plan(&o);
	if (!plan)
		goto done;
	print_oci_notes(o.policy);
	if (stockade_plan_export(plan, o.arch ? o.arch : seccomp_arch_native(), format,
				 lossy ? STOCKADE_EXPORT_LOSSY : 0, &data, &len, &dropped, &err) < 0) {
		print_error(err);
		goto done;
	}
	for (size_t k = 0; dropped && dropped[k]; k++) {
		if (!strncmp(dropped[k], "note: ", 6))
			fprintf(stderr, "stockade: %s\n", dropped[k]);
		else
			fprintf(stderr, "stockade: --lossy: not exported: %s\n", dropped[k]);
	}
	if (out && strcmp(out, "-") != 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "stockade: cannot write %s: %s\n", out, strerror(errno));
			goto done;
		}
	}
	r = sk_write_all(fd >= 0 ? fd : STDOUT_FILENO, data, len);
	if (r == 0 && fd >= 0 && close(fd) < 0)
		r = -errno;
	fd = -1;
	if (r < 0) {
		fprintf(stderr, "stockade: cannot write %s: %s\n", out ? out : "to stdout", strerror(-r));
		goto done;
	}
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	free(data);
	stockade_strv_free(dropped);
	stockade_error_free(err);
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret;
}
