/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state of the filesystem walk (walk.c) and the directory listings it
 * shares among carve-outs (listing.c).  Private to src/landlock.
 */
#ifndef STOCKADE_LANDLOCK_WALK_H
#define STOCKADE_LANDLOCK_WALK_H

#include "landlock/landlock.h"

struct grant; /* walk.c */

/* Listing a directory that holds several carve-outs answers for all of them
 * whether they exist (most do not), where each would cost an openat2, and
 * the walk then splits the directory with the same listing instead of
 * reading it again: the carve-outs and the rules beside them come from one
 * snapshot.  sk_plan_listings() decides which directories are worth it: the
 * nearest one above a carve-out with LIST_CARVES of them beneath (for
 * anyone but root, one of the user's own), and the directory of a pattern,
 * which is listed anyway.  Bounded: at most
 * LIST_DIRS listings of LIST_BYTES in all; beyond that, each carve-out is
 * looked up alone. */
#define LIST_CARVES 3
#define LIST_CANDIDATES 32
#define LIST_DIRS 8 /* home, its .ssh and .config, /etc, /etc/ssh, /dev, /sys, /run */
#define LIST_BYTES (256 * 1024)

struct listing {
	char *path;    /* as expanded; canonical if listed and there */
	size_t plen;   /* strlen(path) */
	size_t carves; /* carve-outs beneath it */
	bool planned;  /* worth listing */
	bool tried;    /* listed, or failed to: not tried again */
	bool listed;   /* buf holds every entry (none: the directory is absent) */
	bool owner_known, mine; /* whether this user owns it (sk_plan_listings) */
	char *buf;     /* getdents64 records, as read */
	size_t len;
	size_t cap;    /* bytes allocated at buf */
};

struct walk {
	uint64_t handled;
	uid_t euid; /* asked once: moot() wants it for every carve-out */
	sk_fs_emit_fn emit;
	void *ctx;
	struct sk_fs_walk_stats *st;
	stockade_error **err;
	struct grant *g; /* being expanded */
	bool no_openat2; /* the kernel (or a seccomp filter) refused it once */
	char *real_home; /* $HOME's canonical path (walk.c real_home()), once asked */
	bool real_home_asked;
	struct listing dirs[LIST_CANDIDATES]; /* sk_plan_listings() */
	size_t ndirs, nlisted, listed_bytes;
};

/* A directory read with getdents64 directly: fdopendir() would cost an
 * fstat and two fcntl per directory, and the entry types come for free. */
struct sk_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A read of getdents64: ~250 entries (/etc, /dev, a home directory in one
 * call), and what a listing grows by.  Not glibc readdir's 32 KiB: a
 * preset run lists or splits ~8 directories, and at 32 KiB each they fill
 * the musl CLI's 256 KiB arena (src/musl/arena.c), after which every
 * allocation costs mimalloc's page set-up and its faults. */
#define LIST_BUF 8192

struct lister {
	int fd;	   /* -1: buf holds the whole listing (struct listing) */
	char *buf; /* LIST_BUF bytes */
	size_t len, pos;
};

enum lookup {
	LOOKUP_ASK,	  /* the listings cannot tell: open it */
	LOOKUP_ABSENT,	  /* it did not exist when listed */
	LOOKUP_CANONICAL, /* an entry of a listed directory, and not a link */
};

/* A carve-out of `path` (canonical) protects nothing: this process (euid
 * uid) could not read, write or search the file anyway, nor change its
 * mode (moot.c). */
bool sk_fs_moot(uid_t uid, const char *path);

/* Open `abs` if no component of it is a symlink (openat2), so that abs is
 * its own canonical form; -1 with errno otherwise (listing.c). */
int sk_open_canonical(struct walk *w, const char *abs, int flags);
/* The next entry of a listing but "." and ".."; NULL at the end. */
const struct sk_dirent64 *sk_next_entry(struct lister *l);
/* Whether a path component is a pattern. */
bool sk_has_pattern(const char *name);
/* Which directories to list for the carve-outs (struct listing). */
int sk_plan_listings(struct walk *w, const struct sk_plan_access *sb, char *const *expanded);
/* The planned listing of `dir` (as listed, or to be), if any. */
struct listing *sk_planned_listing(struct walk *w, const char *dir);
/* List d (planned) the first time it is asked; true if it is listed. */
bool sk_list_dir(struct walk *w, struct listing *d);
/* What the listing of the nearest planned directory above `abs` says of it. */
enum lookup sk_look_up(struct walk *w, const char *abs);
void sk_free_listings(struct walk *w);

/* A carve-out: what a deny or read_only path takes away, resolved
 * (carves.c); the walk splits the grants it reaches into (walk.c). */
struct carve {
	char *path; /* canonical directory + last component, which may be a pattern */
	char **comps;
	size_t ncomps;
	bool glob; /* the last component is a pattern */
	uint64_t removes;
	size_t layer;
	bool read_only; /* read_only: gives way to a grant of its layer beneath it */
};


/* The names in another user's home (as root), listed once: a carve-out
 * whose first name below the home is not there names nothing (most of
 * them: no ~/.aws in a service account's home).  Unlisted, each is looked
 * up. */
struct home_names {
	char *home;
	char **v;
	size_t n;
	bool listed;
};

/* carves.c */
/* The components of a path, as pointers into one block that holds their
 * text after them: one free() releases it all. */
int sk_split_path(const char *path, char ***out, size_t *n);
/* A listed path that got no rule: counted, and the first one kept. */
void sk_walk_missing(struct sk_fs_walk_stats *st, const char *path, enum sk_missing_why why, int errnum);
void sk_free_carves(struct carve *c, size_t n);
/* The carve-out p, expanded to abs, as the kernel will see it: appended
 * to *v (none if it names nothing, or nothing this process could reach). */
int sk_resolve_carve(struct walk *w, const struct sk_fs_path *p, const char *abs, struct carve **v, size_t *n);
/* The names of another user's home, listed once (hn->listed), or not. */
int sk_list_home(char *home, struct home_names *hn);
void sk_home_names_free(struct home_names *hn);
/* The carve-out p (expanded to abs for $HOME) under another home; hn: that
 * home's names, or NULL. */
int sk_carve_under(struct walk *w, const struct sk_fs_path *p, const char *abs, const struct sk_path_env *env,
		   char *home, const struct home_names *hn, struct carve **carves, size_t *ncarves);
/* The listings the carve-outs under another home need (sk_plan_listings). */
int sk_plan_home_listings(struct walk *w, const struct sk_plan_access *sb, const struct sk_path_env *env, char *home);
/* The carve-out p with toolchain or credential variable t standing for
 * value instead. */
int sk_carve_with_tool(struct walk *w, const struct sk_fs_path *p, const char *abs, const struct sk_path_env *env,
		       size_t t, char *value, struct carve **carves, size_t *ncarves);

/* roots.c: a write root (canonical) that is /, a system directory or the
 * home directory; a grant named through a link (`named`, as expanded)
 * that sits inside one of the write roots (canonical).  -EPERM with the
 * policy line, the reason and a hint; 0 when it is fine. */
int sk_check_write_root(const struct sk_fs_path *p, const char *canon, const struct sk_path_env *env,
			const char *real_home, stockade_error **err);
int sk_check_link_grant(const char *named, const struct sk_fs_path *p, const char *const *roots, size_t nroots,
			stockade_error **err);

#endif
