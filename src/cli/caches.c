/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run: point package managers at the sandbox's own caches (run/caches.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "run/caches.h"

int cli_caches_apply(const stockade_plan *plan, bool verbose)
{
	stockade_error *err = NULL;
	struct sk_path_env env;
	struct sk_caches c;

	if (sk_path_env_current(&env, &err) < 0 || sk_caches_prepare(plan, &env, &c, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		sk_path_env_free(&env);
		return -1;
	}
	for (size_t i = 0; i < c.n; i++)
		setenv(c.set[i].var, c.set[i].value, 1);
	if (verbose && c.root) {
		fprintf(stderr, "stockade: caches: %zu variable%s point package managers at the sandbox's own caches in %s",
			c.n, c.n == 1 ? "" : "s", c.root);
		for (size_t i = 0; i < c.nkept; i++)
			fprintf(stderr, "%s%s", i ? ", " : "; their own, writable: ", c.kept[i]);
		fprintf(stderr, " (docs/toolchains.md)\n");
	}
	sk_caches_free(&c);
	sk_path_env_free(&env);
	return 0;
}
