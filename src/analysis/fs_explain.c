/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explain --path: the filesystem lists' answer (plan/fs_eval.c) with what
 * the run's Landlock rules add to it, so that explain says what a run does:
 *
 *  - a directory is listed wherever a directory above it is readable: a
 *    grant split by a carve-out keeps READ_DIR at its top (landlock/walk.c),
 *    which every directory beneath inherits, the carved ones included
 *    (`ls /dev` under agent, whose `devices:` carve /dev out of `read: [/]`;
 *    docs/landlock.md, "Names stay visible"); their files stay refused;
 *  - a path through a link into the process's own /proc (/dev/stdin ->
 *    /proc/self/fd/0, /dev/fd/N) names, in this process, explain's own
 *    descriptors: a device is granted by its own name, never through a link
 *    (the walk grants no link), and what the command's descriptor is open
 *    on is checked as that file, so the link is answered as such rather
 *    than followed here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"

/* `p` names this process's own /proc entries. */
static bool is_self(const char *p)
{
	static const char *const selves[] = { "/proc/self", "/proc/thread-self" };

	for (size_t i = 0; i < ARRAY_SIZE(selves); i++) {
		size_t n = strlen(selves[i]);

		if (!strncmp(p, selves[i], n) && (p[n] == '\0' || p[n] == '/'))
			return true;
	}
	return false;
}

bool sk_explain_self_link(const char *path, char *link, size_t lsize, char *target, size_t tsize)
{
	char cur[PATH_MAX], next[PATH_MAX];
	int hops = 0;

	if (path[0] == '/') {
		if ((size_t)snprintf(cur, sizeof(cur), "%s", path) >= sizeof(cur))
			return false;
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) || (size_t)snprintf(cur, sizeof(cur), "%s/%s", cwd, path) >= sizeof(cur))
			return false;
	}
	/* Component by component, each link's target put in its place (40
	 * links at most, as the kernel follows). */
	for (char *end = cur + 1; hops < 40;) {
		char save, to[PATH_MAX];
		struct stat st;
		ssize_t n;

		end = strchrnul(end, '/');
		save = *end;
		*end = '\0';
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode)) {
			*end = save;
			if (!save)
				return false;
			end++;
			continue;
		}
		if ((n = readlink(cur, to, sizeof(to) - 1)) < 0)
			return false;
		to[n] = '\0';
		hops++;
		char *slash = strrchr(cur, '/');
		int len = to[0] == '/' ? snprintf(next, sizeof(next), "%s%s%s", to, save ? "/" : "", save ? end + 1 : "")
				       : snprintf(next, sizeof(next), "%.*s/%s%s%s", (int)(slash - cur), cur, to,
						  save ? "/" : "", save ? end + 1 : "");
		if (len < 0 || (size_t)len >= sizeof(next))
			return false;
		if (is_self(next)) {
			snprintf(link, lsize, "%s", cur);
			snprintf(target, tsize, "%s", to);
			return true;
		}
		memcpy(cur, next, (size_t)len + 1);
		end = cur + 1;
	}
	return false;
}

void sk_explain_fs(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op, const char *from,
		   struct sk_fs_verdict *out)
{
	struct sk_fs_verdict up;
	struct stat st;
	char dir[PATH_MAX], shown[PATH_MAX], refused[sizeof(out->explain)];

	sk_fs_decide(ix, path, op, from, out);
	if (out->allowed || op != SK_FS_OP_READ || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	/* The nearest directory above that is readable: its rule (or its
	 * grant's, above it) holds READ_DIR, inherited down to path. */
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return;
	for (char *slash; strcmp(dir, "/") && (slash = strrchr(dir, '/'));) {
		slash[slash == dir ? 1 : 0] = '\0';
		if (!sk_fs_allows(ix, dir, SK_FS_OP_READ))
			continue;
		sk_fs_decide(ix, dir, SK_FS_OP_READ, NULL, &up);
		sk_fs_show_path(ix, dir, shown, sizeof(shown));
		memcpy(refused, out->explain, sizeof(refused));
		out->allowed = true;
		out->why = SK_FS_WHY_GRANTED;
		out->rule = up.rule;
		out->fix[0] = '\0';
		/* (each part cut to fit the three of them) */
		snprintf(out->explain, sizeof(out->explain),
			 "listing only: every directory under %.*s can be listed (%.*s); what is in it stays refused "
			 "(%.*s)",
			 PATH_MAX - 200, shown, PATH_MAX - 200, up.explain, PATH_MAX - 200, refused);
		return;
	}
}
