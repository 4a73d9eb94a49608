/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run: a credential variable that names the working directory, the
 * temporary directory or a directory above them (GNUPGHOME=., GNUPGHOME=/tmp)
 * moves the carve-out `$GNUPGHOME` onto the place the command works in, and
 * everything there is unreadable.  That fails closed, but the run breaks
 * without a word: say which variable did it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan/plan.h"

/* Whether dir is path or one of its parents. */
static bool holds(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (!path)
		return false;
	if (n == 1 && dir[0] == '/')
		return true;
	return !strncmp(dir, path, n) && (path[n] == '\0' || path[n] == '/');
}

void cli_warn_moved_carve_outs(const stockade_plan *plan)
{
	struct sk_path_env env;

	if (!plan->access.fs || sk_path_env_current(&env, NULL) < 0)
		return;
	for (size_t i = 0; i < plan->access.npaths; i++) {
		const struct sk_fs_path *p = &plan->access.paths[i];
		char *abs = NULL;

		/* A whole variable ($GNUPGHOME), not a file beneath one. */
		if (p->kind != SK_FS_DENY || p->path[0] != '$' || strchr(p->path, '/') ||
		    !strcmp(p->path, "$HOME") || !strcmp(p->path, "$CWD") || !strcmp(p->path, "$TMPDIR") ||
		    sk_path_expand(p->path, &env, &abs) < 0)
			continue;
		const char *where = holds(abs, env.cwd) ? "the working directory" :
				    holds(abs, env.tmpdir) ? "the temporary directory" : NULL;
		if (where)
			fprintf(stderr,
				"stockade: warning: %s names %s, which is or holds %s: the carve-out `%s` makes all of it "
				"unreadable; point the variable elsewhere\n",
				p->path + 1, abs, where, p->path);
		free(abs);
	}
	sk_path_env_free(&env);
}
