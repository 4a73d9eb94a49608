/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run: when the command itself cannot be executed (EACCES), say whether the
 * filesystem rules refused it and the option that allows it (a toolchain in
 * the home directory under strict, say). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "plan/fs_eval.h"

void cli_explain_exec_refusal(const stockade_plan *plan, const char *path)
{
	struct sk_fs_index *ix = NULL;
	struct sk_path_env env;
	struct sk_fs_verdict v;
	char canon[PATH_MAX], shown[PATH_MAX];

	/* Called after the failed execve, confined: best effort, quiet on
	 * any error of its own. */
	if (!plan->access.fs || !realpath(path, canon) || sk_path_env_current(&env, NULL) < 0)
		return;
	if (sk_fs_index_new_lazy(plan, &env, &ix, NULL) == 0) {
		sk_fs_decide(ix, canon, SK_FS_OP_EXEC, NULL, &v);
		sk_fs_show_path(ix, canon, shown, sizeof(shown));
		if (!v.allowed)
			fprintf(stderr, "stockade: exec %s refused: %s; fix: %s\n", shown, v.explain, v.fix);
		sk_fs_index_free(ix);
	}
	sk_path_env_free(&env);
}
