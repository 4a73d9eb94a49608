/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem lists of a plan as a decision procedure: given a path and
 * an access, is it allowed, which entry of which policy file decided, and
 * the narrowest option that would allow it.  Used by the file-denial report
 * (the supervisor observes path-taking calls) and `stockade explain --path`.
 *
 * It follows what the Landlock walk (src/landlock/walk.c) builds from the
 * same lists: rights add up over the grants that cover a path; a carve-out
 * (deny, read_only) takes rights away from the grants of its own layer and
 * below that contain it, only if it exists when the sandbox starts; the
 * directories on the way to a carve-out are "split" and keep only listing
 * and what the carve-out leaves, so nothing new can be created directly in
 * them.  Landlock itself decides; this only explains.
 */
#ifndef STOCKADE_PLAN_FS_EVAL_H
#define STOCKADE_PLAN_FS_EVAL_H

#include <limits.h>

#include "plan/plan.h"

/* What a filesystem access needs, as the report names it. */
enum sk_fs_op {
	SK_FS_OP_READ = 0, /* read a file or list a directory */
	SK_FS_OP_WRITE,	   /* change an existing file (write, truncate) */
	SK_FS_OP_CREATE,   /* a new entry (file, directory, link, fifo) in its parent */
	SK_FS_OP_REMOVE,   /* unlink, rmdir, the source of a rename */
	SK_FS_OP_EXEC,	   /* execve */
	SK_FS_OP_RENAME,   /* rename: the source removed, the target made; refused into a directory that grants more (EXDEV) */
	SK_FS_OP_LINK,	   /* a hard link: the target made; refused into a directory that grants more (EXDEV) */
	SK_FS_NOPS,
};

const char *sk_fs_op_name(enum sk_fs_op op);
/* -EINVAL for a name that is none of the above. */
int sk_fs_op_from_name(const char *name, enum sk_fs_op *out);

/* The plan's lists expanded for one environment and checked against the
 * filesystem once (which carve-outs exist, where links lead); the queries
 * are then pure string work.  Owns copies; the plan must outlive it. */
struct sk_fs_index;
int sk_fs_index_new(const stockade_plan *plan, const struct sk_path_env *env, struct sk_fs_index **out,
		    stockade_error **err);
/* The same for queries made right away (run's cache check, explain): a
 * carve-out pattern's directory is listed only when a query meets it, so
 * an index queried later could see a match the walk did not.  Not for
 * concurrent queries (it fills itself in). */
int sk_fs_index_new_lazy(const stockade_plan *plan, const struct sk_path_env *env, struct sk_fs_index **out,
			 stockade_error **err);
void sk_fs_index_free(struct sk_fs_index *ix);
/* The home directory the index expanded ~ with (NULL if none). */
const char *sk_fs_index_home(const struct sk_fs_index *ix);

enum sk_fs_why {
	SK_FS_WHY_UNRESTRICTED = 0, /* the plan does not restrict files */
	SK_FS_WHY_GRANTED,	    /* rule: the grant */
	SK_FS_WHY_CARVED,	    /* rule: the carve-out that covers the path */
	SK_FS_WHY_SPLIT,	    /* rule: the carve-out below the parent directory */
	SK_FS_WHY_NO_GRANT,	    /* rule: a grant of other rights that covers it, or NULL */
	SK_FS_WHY_GAINS,	    /* RENAME: the target grants rights the source does not */
};

struct sk_fs_verdict {
	bool allowed;
	enum sk_fs_why why;
	const struct sk_fs_path *rule; /* points into the plan; see sk_fs_why */
	char explain[3 * PATH_MAX];   /* one phrase: "not under any write root" */
	char fix[PATH_MAX + 128];      /* "--write ~/.cache/foo"; "" when allowed */
};

/*
 * What the plan does with `op` on `path`, an absolute path as the kernel
 * resolves it (canonical: no symlinks, no "." or ".."; for CREATE the new
 * entry, for RENAME and LINK the target, `from` its source; `from` is
 * ignored otherwise and may be NULL).
 */
void sk_fs_decide(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op, const char *from,
		  struct sk_fs_verdict *out);

/* Only sk_fs_decide()'s `allowed`, without its explanation (run's cache
 * check asks a dozen paths at each start). */
bool sk_fs_allows(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op);
/* sk_fs_allows(ix, path, SK_FS_OP_CREATE) with only the entries written
 * near path resolved (a directory above it, or beneath it): the others,
 * which a link would have to bring near, are taken as written.  For a hint
 * that Landlock then enforces anyway (the caches, run/caches.c): a few
 * lookups where the whole index costs ~50. */
bool sk_fs_may_create_near(const struct sk_fs_index *ix, const char *path);
/* Whether a write grant of the plan reaches `path` (links resolved), its
 * carve-outs not asked: a lazy index resolves the write grants only. */
bool sk_fs_write_granted(const struct sk_fs_index *ix, const char *path);

/*
 * Audit mode for files: the plan with read, write and execute of / granted
 * beneath every other entry (layer 0), so that Landlock refuses only what
 * the carve-outs (deny, read_only: the credentials) and the upper layers'
 * own grants say; the supervisor reports what the plan itself would
 * refuse.  A shallow copy: it shares everything with `plan` but the path
 * lists, and must not outlive it nor be given to stockade_plan_free().
 */
struct sk_audit_plan {
	stockade_plan plan, fallback;
	struct sk_fs_path *paths, *fallback_paths;
};
int sk_plan_audit_files(const stockade_plan *plan, struct sk_audit_plan *out, stockade_error **err);
void sk_audit_plan_free(struct sk_audit_plan *a);

/* `path` for people: the home directory as `~`. */
void sk_fs_show_path(const struct sk_fs_index *ix, const char *path, char *buf, size_t size);

#endif
