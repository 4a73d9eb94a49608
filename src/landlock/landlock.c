/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Landlock: filesystem grants with carve-outs, TCP ports, scoping.
 *
 * Landlock only grants: a rule on a directory gives its rights to the whole
 * tree beneath it.  A carve-out (deny, read_only) inside a granted tree is
 * therefore made by granting, instead of the tree, every entry beside the
 * carved path, level by level down to it; the directories on the way keep
 * only the rights the carve-out leaves (and READ_DIR, so they can still be
 * listed).  This happens when the sandbox starts and is a snapshot: an entry
 * created later directly in one of those split directories gets no rule, so
 * it is not accessible, and a carve-out that matches nothing at start
 * protects nothing created later (docs/landlock.md).
 *
 * Symlinks are never granted while splitting: Landlock checks the file a
 * path resolves to, wherever it is, so a link is governed by its target.
 * Carve-outs are resolved too (a denied ~/.aws that is a link denies the
 * target).
 *
 * The kernel ABI decides what can be enforced; stockade uses every right
 * the kernel has and reports, per layer, what is enforced and what is not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "plan/plan.h"

/* ---- the kernel ABI (include/uapi/linux/landlock.h), defined here because
 * the installed headers may predate it ---- */

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_EXECUTE
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0) /* ABI 7 */
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif
/* Rule types are an enum in the header, so they cannot be tested with #ifdef. */
#define SK_RULE_PATH_BENEATH 1
#define SK_RULE_NET_PORT 2 /* ABI 4 */

/* The ABI 6 ruleset attribute; older kernels read a prefix of it. */
struct sk_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct sk_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct sk_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define FS_V1                                                                                                  \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |           \
	 LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |        \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |            \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |         \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_V2 (FS_V1 | LANDLOCK_ACCESS_FS_REFER)
#define FS_V3 (FS_V2 | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_V5 (FS_V3 | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define NET_V4 (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define SCOPE_V6 (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)
#define LOG_V7                                                                                                 \
	(LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |                    \
	 LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)

/* What each ABI can enforce.  A newer kernel than the table knows is used
 * as the last row: stockade cannot ask for rights it does not know. */
static const struct abi_caps {
	int abi;
	const char *kernel;
	uint64_t fs, net, scope;
	uint32_t restrict_flags;
	size_t attr_size;
} abi_table[] = {
	{ 1, "5.13", FS_V1, 0, 0, 0, sizeof(uint64_t) },
	{ 2, "5.19", FS_V2, 0, 0, 0, sizeof(uint64_t) },
	{ 3, "6.2", FS_V3, 0, 0, 0, sizeof(uint64_t) },
	{ 4, "6.7", FS_V3, NET_V4, 0, 0, 2 * sizeof(uint64_t) },
	{ 5, "6.10", FS_V5, NET_V4, 0, 0, 2 * sizeof(uint64_t) },
	{ 6, "6.12", FS_V5, NET_V4, SCOPE_V6, 0, sizeof(struct sk_ruleset_attr) },
	{ 7, "6.15", FS_V5, NET_V4, SCOPE_V6, LOG_V7, sizeof(struct sk_ruleset_attr) },
};

static const struct abi_caps no_landlock = { 0 };

static const struct abi_caps *caps_of(int abi)
{
	if (abi <= 0)
		return &no_landlock;
	if (abi > abi_table[ARRAY_SIZE(abi_table) - 1].abi)
		return &abi_table[ARRAY_SIZE(abi_table) - 1];
	return &abi_table[abi - 1];
}

/* The first ABI that has every bit of `fs`/`net`/`scope`. */
static const struct abi_caps *first_with(uint64_t fs, uint64_t net, uint64_t scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(abi_table); i++)
		if ((abi_table[i].fs & fs) == fs && (abi_table[i].net & net) == net &&
		    (abi_table[i].scope & scope) == scope)
			return &abi_table[i];
	return &abi_table[ARRAY_SIZE(abi_table) - 1];
}

/* What stockade grants.  write and exec include read: a file written must
 * be read back, and the kernel opens a program for reading to run it. */
#define R_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define R_EXEC (R_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define R_WRITE                                                                                                \
	(R_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |    \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |            \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |               \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* Device nodes are never created (MAKE_CHAR and MAKE_BLOCK are handled,
 * never granted). */
#define R_ALL (R_EXEC | R_WRITE)
/* The rights a rule on a file (not a directory) may carry. */
#define R_FILE                                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |           \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

uint64_t sk_fs_access(enum sk_fs_kind kind)
{
	switch (kind) {
	case SK_FS_READ:
		return R_READ;
	case SK_FS_WRITE:
		return R_WRITE;
	case SK_FS_EXEC:
		return R_EXEC;
	case SK_FS_DENY:
		return R_ALL; /* what it takes away */
	case SK_FS_READ_ONLY:
		return R_WRITE & ~R_READ;
	case SK_FS_NKINDS:
		break;
	}
	return 0;
}

/* ---- detection ---- */

static int abi_override = -1;

void sk_landlock_set_abi_override(int abi)
{
	abi_override = abi;
}

int sk_landlock_kernel_abi(char *why, size_t size)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		return (int)abi;
	if (errno == ENOSYS)
		snprintf(why, size, "this kernel has no Landlock (built without CONFIG_SECURITY_LANDLOCK)");
	else if (errno == EOPNOTSUPP)
		snprintf(why, size, "Landlock is built into this kernel but not enabled (add landlock to the lsm= "
				    "boot parameter)");
	else
		snprintf(why, size, "landlock_create_ruleset: %s (a container's seccomp profile may block it)",
			 strerror(errno));
	return 0;
}

/* ---- grants and carve-outs ---- */

#define MAX_RULES 100000

/* openat2(2), Linux 5.6; defined here because the installed headers and
 * libc may predate it. */
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#define SK_RESOLVE_NO_SYMLINKS 0x04

struct sk_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

/* How many grants keep the descriptor their path was checked canonical
 * with until they are walked (the others open it again then), so that a
 * policy with thousands of paths cannot run out of descriptors. */
#define GRANT_FDS 64

struct grant {
	char *path; /* canonical */
	char **comps;
	size_t ncomps;
	uint64_t access;
	size_t layer;
	bool write;
	int fd;	  /* O_PATH, from the canonical check; -1: opened when walked */
	bool dir; /* fd was opened with O_DIRECTORY */
};

struct carve {
	char *path; /* canonical directory + last component, which may be a pattern */
	char **comps;
	size_t ncomps;
	bool glob; /* the last component is a pattern */
	uint64_t removes;
	size_t layer;
};

/* Listing a directory that holds several carve-outs answers for all of them
 * whether they exist (most do not), where each would cost an openat2, and
 * the walk then splits the directory with the same listing instead of
 * reading it again: the carve-outs and the rules beside them come from one
 * snapshot.  plan_listings() decides which directories are worth it: the
 * nearest one above a carve-out with LIST_CARVES of them beneath, and the
 * directory of a pattern, which is listed anyway.  Bounded: at most
 * LIST_DIRS listings of LIST_BYTES in all; beyond that, each carve-out is
 * looked up alone. */
#define LIST_CARVES 3
#define LIST_CANDIDATES 32
#define LIST_DIRS 4
#define LIST_BYTES (256 * 1024)

struct listing {
	char *path;    /* as expanded; canonical if listed and there */
	size_t carves; /* carve-outs beneath it */
	bool planned;  /* worth listing */
	bool tried;    /* listed, or failed to: not tried again */
	bool listed;   /* buf holds every entry (none: the directory is absent) */
	char *buf;     /* getdents64 records, as read */
	size_t len;
};

struct walk {
	uint64_t handled;
	sk_fs_emit_fn emit;
	void *ctx;
	struct sk_fs_walk_stats *st;
	stockade_error **err;
	struct grant *g; /* being expanded */
	bool no_openat2; /* the kernel (or a seccomp filter) refused it once */
	struct listing dirs[LIST_CANDIDATES]; /* plan_listings() */
	size_t ndirs, nlisted, listed_bytes;
};

struct pending {
	const struct carve *c;
	size_t next; /* index of the component to match at this level */
};

/* Open `abs` (absolute, without "", "." or ".." components, as
 * sk_path_expand makes it) if no component of it is a symlink: abs is then
 * its own canonical form, which realpath() would confirm at the cost of a
 * readlink per component.  Without O_NOFOLLOW a link as the last component
 * fails too.  -1 with errno: ENOENT means realpath() would not find it
 * either; anything else (ELOOP for a link on the way, no openat2, EACCES)
 * means ask realpath(). */
static int open_canonical(struct walk *w, const char *abs, int flags)
{
	struct sk_open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = SK_RESOLVE_NO_SYMLINKS };
	long fd;

	if (w->no_openat2) {
		errno = ENOSYS;
		return -1;
	}
	fd = syscall(__NR_openat2, AT_FDCWD, abs, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL || errno == E2BIG))
		w->no_openat2 = true;
	return (int)fd;
}

/* A directory read with getdents64 directly: fdopendir() would cost an
 * fstat and two fcntl per directory, and the entry types come for free. */
struct sk_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define LIST_BUF 32768 /* what glibc's readdir uses */

struct lister {
	int fd;	   /* -1: buf holds the whole listing (struct listing) */
	char *buf; /* LIST_BUF bytes */
	size_t len, pos;
};

/* The next entry but "." and ".."; NULL at the end, or on an error (as
 * readdir: what could not be listed gets no rule). */
static const struct sk_dirent64 *next_entry(struct lister *l)
{
	for (;;) {
		const struct sk_dirent64 *de;

		if (l->pos >= l->len) {
			if (l->fd < 0)
				return NULL;
			long n = syscall(SYS_getdents64, l->fd, l->buf, LIST_BUF);
			if (n <= 0)
				return NULL;
			l->len = (size_t)n;
			l->pos = 0;
		}
		de = (const struct sk_dirent64 *)(const void *)(l->buf + l->pos);
		l->pos += de->d_reclen;
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return de;
	}
}

static bool has_pattern(const char *name)
{
	for (const char *s = name; *s; s++)
		if (sk_path_glob_char(*s))
			return true;
	return false;
}

/* Whether `path` is beneath the directory `dir` (len characters). */
static bool beneath(const char *dir, size_t len, const char *path)
{
	if (len == 1)
		return path[1] != '\0'; /* dir is / */
	return !strncmp(path, dir, len) && path[len] == '/';
}

/* Which directories to list for the carve-outs (struct listing): count the
 * carve-outs beneath each directory above them and mark the directories of
 * patterns (pass 0), then the nearest directory above each carve-out that
 * has LIST_CARVES beneath it (pass 1).  Past LIST_CANDIDATES directories
 * the others are not counted, so not listed. */
static int plan_listings(struct walk *w, const struct sk_plan_access *sb, char *const *expanded)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sb->npaths; i++) {
			const struct sk_fs_path *p = &sb->paths[i];
			const char *abs = expanded[i];
			struct listing *nearest = NULL;
			size_t last;

			if (p->kind != SK_FS_DENY && p->kind != SK_FS_READ_ONLY)
				continue;
			if (!abs || !abs[1])
				continue; /* no home directory; or /, with nothing above */
			last = (size_t)(strrchr(abs, '/') - abs);
			/* The directories above: /, then abs up to each slash. */
			for (size_t k = 0; k <= last; k++) {
				size_t len = k ? k : 1;
				struct listing *d = NULL;

				if (abs[k] != '/')
					continue;
				for (size_t j = 0; j < w->ndirs && !d; j++)
					if (strlen(w->dirs[j].path) == len && !strncmp(w->dirs[j].path, abs, len))
						d = &w->dirs[j];
				if (pass == 1) {
					if (d && d->carves >= LIST_CARVES)
						nearest = d;
					continue;
				}
				if (!d && w->ndirs < LIST_CANDIDATES) {
					d = &w->dirs[w->ndirs];
					if (!(d->path = strndup(abs, len)))
						return -ENOMEM;
					w->ndirs++;
				}
				if (!d)
					continue;
				d->carves++;
				d->planned |= k == last && has_pattern(abs + last + 1);
			}
			if (nearest)
				nearest->planned = true;
		}
	}
	return 0;
}

/* The planned listing of `dir` (as listed, or to be), if any. */
static struct listing *planned_listing(struct walk *w, const char *dir)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].planned && !strcmp(w->dirs[i].path, dir))
			return &w->dirs[i];
	return NULL;
}

/* List d (planned) the first time it is asked, while there is room; true
 * if it is listed.  A directory that is absent lists as empty: nothing
 * beneath it exists either.  One that cannot be read whole is not listed
 * (a part would take the entries it misses for absent): its carve-outs are
 * then looked up one by one. */
static bool list_dir(struct walk *w, struct listing *d)
{
	_cleanup_close_ int fd = -1;

	if (d->tried || w->nlisted >= LIST_DIRS)
		return d->listed;
	d->tried = true;
	fd = open_canonical(w, d->path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 && errno != ENOENT)
		return false; /* a link on the way, no openat2, not readable */
	while (fd >= 0) {
		char *nb = NULL;
		long n = -1;

		if (w->listed_bytes + d->len + LIST_BUF <= LIST_BYTES && (nb = realloc(d->buf, d->len + LIST_BUF))) {
			d->buf = nb;
			n = syscall(SYS_getdents64, fd, d->buf + d->len, LIST_BUF);
		}
		if (n == 0)
			break;
		if (n < 0) {
			free(d->buf);
			d->buf = NULL;
			return false;
		}
		d->len += (size_t)n;
	}
	w->listed_bytes += d->len + (d->buf ? LIST_BUF : 0);
	w->nlisted++;
	d->listed = true;
	return true;
}

enum lookup {
	LOOKUP_ASK,	  /* the listings cannot tell: open it */
	LOOKUP_ABSENT,	  /* it did not exist when listed */
	LOOKUP_CANONICAL, /* an entry of a listed directory, and not a link */
};

/* What the listing of the nearest planned directory above `abs` says of
 * it: the next component of abs is absent there, or it is the last one and
 * no link (the directory was opened with open_canonical, so abs is
 * canonical); anything else is asked: a link or an unknown type, or a path
 * deeper down (~/.config/gcloud with a ~/.config). */
static enum lookup look_up(struct walk *w, const char *abs)
{
	struct listing *d = NULL;
	const struct sk_dirent64 *de;
	const char *name;
	struct lister l;
	size_t dlen = 0, nlen;

	for (size_t i = 0; i < w->ndirs; i++) {
		struct listing *c = &w->dirs[i];
		size_t len = strlen(c->path);

		if (c->planned && (!c->tried || c->listed) && len > dlen && beneath(c->path, len, abs)) {
			d = c;
			dlen = len;
		}
	}
	if (!d || !list_dir(w, d))
		return LOOKUP_ASK;
	name = abs + (dlen == 1 ? 1 : dlen + 1);
	nlen = strcspn(name, "/");
	l = (struct lister){ .fd = -1, .buf = d->buf, .len = d->len };
	while ((de = next_entry(&l)) && (strncmp(de->d_name, name, nlen) || de->d_name[nlen]))
		;
	if (!de)
		return LOOKUP_ABSENT;
	if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN || name[nlen])
		return LOOKUP_ASK;
	return LOOKUP_CANONICAL;
}

static void free_listings(struct walk *w)
{
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		free(w->dirs[i].buf);
	}
}

/* The components of a path, as pointers into the same block, which holds
 * their text after them: one free() releases it all. */
static int split_path(const char *path, char ***out, size_t *n)
{
	size_t len = strlen(path), k = 0, i = 0;
	char **v;
	char *text;

	*out = NULL;
	*n = 0;
	for (const char *s = path; *s; s++)
		k += *s != '/' && (s == path || s[-1] == '/');
	v = malloc(k * sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	text = (char *)(v + k);
	memcpy(text, path, len + 1);
	for (char *save = NULL, *c = strtok_r(text, "/", &save); c; c = strtok_r(NULL, "/", &save))
		v[i++] = c;
	*out = v;
	*n = k;
	return 0;
}

/* Add item to a ", " list; false if it was there already. */
static bool append_list(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf), n = strlen(item);

	for (const char *at = buf; (at = strstr(at, item)); at += n)
		if ((at == buf || at[-1] == ' ') && (at[n] == ',' || at[n] == '\0'))
			return false;
	if (len + 1 >= size)
		return true;
	if (len + strlen(item) + 6 >= size) {
		if (!strstr(buf, ", ..."))
			snprintf(buf + len, size - len, ", ...");
		return true; /* counted, not shown */
	}
	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
	return true;
}

static int emit(struct walk *w, int fd, const char *path, uint64_t access, bool dir)
{
	access &= w->handled;
	if (!dir)
		access &= R_FILE;
	if (!access)
		return 0;
	if (++w->st->rules > MAX_RULES)
		return sk_error(w->err, E2BIG, "the filesystem rules expand to more than %d Landlock rules", MAX_RULES);
	return w->emit(w->ctx, fd, path, access);
}

static bool comp_match(const struct carve *c, size_t i, const char *name)
{
	if (c->glob && i == c->ncomps - 1)
		return fnmatch(c->comps[i], name, 0) == 0;
	return strcmp(c->comps[i], name) == 0;
}

static int expand(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p, size_t np,
		  int depth);

/* dir/name into out (PATH_MAX bytes); too long, cut short as snprintf()
 * would.  (These paths name what the report lists; what is granted is the
 * descriptor.)  By hand: it runs for every entry the walk splits. */
static void child_path(char *out, const char *dir, const char *name)
{
	size_t dlen = strcmp(dir, "/") ? strlen(dir) : 0, nlen = strlen(name);

	if (dlen + 1 + nlen >= PATH_MAX) {
		snprintf(out, PATH_MAX, "%s/%s", dlen ? dir : "", name);
		return;
	}
	memcpy(out, dir, dlen);
	out[dlen] = '/';
	memcpy(out + dlen + 1, name, nlen + 1);
}

/* In a directory that cannot be listed: the entries the carve-outs name
 * on their way down (not their last, carved, component). */
static int expand_by_name(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p,
			  size_t np, int depth)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < np; i++) {
		const char *name = p[i].c->comps[p[i].next];
		struct pending *sub;
		size_t nsub = 0;
		bool seen = false;
		struct stat st;
		char child[PATH_MAX];
		int fd;

		if (p[i].next + 1 == p[i].c->ncomps)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p[j].next + 1 < p[j].c->ncomps && !strcmp(p[j].c->comps[p[j].next], name);
		if (seen)
			continue;
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		sub = calloc(np, sizeof(*sub));
		if (!sub) {
			close(fd);
			return sk_error(w->err, ENOMEM, "out of memory");
		}
		for (size_t j = 0; j < np; j++)
			if (p[j].next + 1 < p[j].c->ncomps && !strcmp(p[j].c->comps[p[j].next], name))
				sub[nsub++] = (struct pending){ p[j].c, p[j].next + 1 };
		child_path(child, path, name);
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			ret = expand(w, fd, child, access, sub, nsub, depth + 1);
		free(sub);
		close(fd);
	}
	return ret;
}

/* Grant `access` on the tree at dirfd/path except what the pending
 * carve-outs take away beneath it. */
static int expand(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p, size_t np,
		  int depth)
{
	const struct listing *d = planned_listing(w, path);
	bool listed = d && d->listed;
	uint64_t passing = 0;
	struct lister l = { .fd = -1 };
	struct pending *sub;
	char *buf = NULL;
	int ret = 0;

	for (size_t i = 0; i < np; i++)
		passing |= p[i].c->removes;
	if (append_list(w->st->split_dirs, sizeof(w->st->split_dirs), path))
		w->st->split++;
	if (w->g->write && (passing & LANDLOCK_ACCESS_FS_MAKE_REG) &&
	    append_list(w->st->split_write_dirs, sizeof(w->st->split_write_dirs), path))
		w->st->split_write++;
	/* The directory itself: what no carve-out beneath takes away, plus
	 * listing it. */
	ret = emit(w, dirfd, path, (access & ~passing) | (access & LANDLOCK_ACCESS_FS_READ_DIR), true);
	if (ret < 0)
		return ret;
	if (depth > 64)
		return sk_error(w->err, ELOOP, "%s: carve-outs nested too deep", path);
	/* A directory listed for the carve-outs already is not read again.
	 * Its path is canonical, so dirfd is that directory, or one put in
	 * its place since: then what the old one had and it has not fails to
	 * open, and what it has besides gets no rule, as an entry created
	 * after the listing. */
	if (listed) {
		l = (struct lister){ .fd = -1, .buf = d->buf, .len = d->len };
	} else {
		/* dirfd is O_PATH: listing needs a descriptor of its own.
		 * (Opening the entry for reading in the first place would
		 * trigger an automount there, which O_PATH does not.) */
		l.fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.fd < 0) {
			/* Entries we cannot list get no rule (stricter, never
			 * looser), but the way to the carve-outs is known by
			 * name: a home directory under a /home that can be
			 * searched, not read. */
			w->st->missing++;
			if (!w->st->first_missing[0])
				snprintf(w->st->first_missing, sizeof(w->st->first_missing),
					 "%s (cannot list it: %s)", path, strerror(errno));
			return expand_by_name(w, dirfd, path, access, p, np, depth);
		}
		l.buf = buf = malloc(LIST_BUF);
	}
	sub = calloc(np, sizeof(*sub));
	if ((!listed && !buf) || !sub) {
		free(buf);
		free(sub);
		if (l.fd >= 0)
			close(l.fd);
		return sk_error(w->err, ENOMEM, "out of memory");
	}
	for (const struct sk_dirent64 *de; ret == 0 && (de = next_entry(&l));) {
		const char *name = de->d_name;
		uint64_t ea = access;
		size_t nsub = 0;
		struct stat st;
		char child[PATH_MAX];
		bool dir, known;
		int fd;

		for (size_t i = 0; i < np; i++) {
			if (!comp_match(p[i].c, p[i].next, name))
				continue;
			if (p[i].next + 1 == p[i].c->ncomps)
				ea &= ~p[i].c->removes;
			else
				sub[nsub++] = (struct pending){ p[i].c, p[i].next + 1 };
		}
		if (!(ea & w->handled) || de->d_type == DT_LNK)
			continue;
		/* The type the listing gives spares an fstat, except on the way
		 * to a carve-out or when it is unknown.  Should the entry change
		 * type before the open, its rule is no looser: file rights on a
		 * new directory, nothing through a link (Landlock checks the
		 * target), and a file gets file rights (add_path_rule). */
		dir = de->d_type == DT_DIR;
		known = de->d_type != DT_UNKNOWN && !nsub;
		if (known && !dir && !(ea & w->handled & R_FILE))
			continue; /* emit() would drop it */
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (!known) {
			if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
				close(fd);
				continue;
			}
			dir = S_ISDIR(st.st_mode);
		}
		child_path(child, path, name);
		if (nsub && dir)
			ret = expand(w, fd, child, ea, sub, nsub, depth + 1);
		else
			ret = emit(w, fd, child, ea, dir);
		close(fd);
	}
	free(sub);
	free(buf);
	if (l.fd >= 0)
		close(l.fd);
	return ret;
}

static void free_grants(struct grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].path);
		free(g[i].comps);
		if (g[i].fd >= 0)
			close(g[i].fd);
	}
	free(g);
}

static void free_carves(struct carve *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].comps);
	}
	free(c);
}

static void note_missing(struct sk_fs_walk_stats *st, const char *path, const char *why)
{
	st->missing++;
	if (!st->first_missing[0])
		snprintf(st->first_missing, sizeof(st->first_missing), "%s (%s)", path, why);
}

/* The grant of this layer on this canonical path, if any. */
static struct grant *find_grant(struct grant *g, size_t n, size_t layer, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (g[i].layer == layer && !strcmp(g[i].path, path))
			return &g[i];
	return NULL;
}

static int add_carve(struct carve **v, size_t *n, const char *path, bool glob, const struct sk_fs_path *p)
{
	struct carve *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	struct carve *c;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	c = &nv[*n];
	*c = (struct carve){ .glob = glob, .removes = sk_fs_access(p->kind), .layer = p->layer };
	if (!(c->path = strdup(path)) || split_path(path, &c->comps, &c->ncomps) < 0) {
		free(c->path);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/* A carve-out as the kernel will see it: the canonical directory and the
 * last component; for links, their targets too.  Most carve-outs name
 * nothing (no ~/.aws here): the listing of a directory above several of
 * them finds that out for all of them (look_up), otherwise one openat2
 * each, which also finds out that the path is canonical already;
 * realpath() is for paths with a link on the way. */
static int resolve_carve(struct walk *w, const struct sk_fs_path *p, const char *abs, struct carve **v, size_t *n)
{
	const char *slash = strrchr(abs, '/');
	const char *last = slash + 1;
	_cleanup_free_ char *dir = strndup(abs, slash == abs ? 1 : (size_t)(slash - abs));
	_cleanup_free_ char *cdir = NULL;
	struct lister l = { .fd = -1 };
	bool glob = has_pattern(last), any = false;
	struct listing *listed;
	char *buf = NULL;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	switch (look_up(w, glob ? dir : abs)) {
	case LOOKUP_ABSENT:
		return 0; /* nothing there to protect */
	case LOOKUP_CANONICAL:
		if (!glob)
			return add_carve(v, n, abs, false, p);
		break;
	case LOOKUP_ASK:
		break;
	}
	if (!glob || !*last) {
		int fd = open_canonical(w, abs, O_PATH);
		char *real;

		if (fd >= 0) {
			close(fd);
			return add_carve(v, n, abs, false, p);
		}
		if (errno == ENOENT)
			return 0; /* nothing there to protect */
		real = realpath(abs, NULL);
		if (!real)
			return 0;
		ret = add_carve(v, n, real, false, p);
		free(real);
		return ret;
	}
	/* A pattern's directory is planned for listing (and is then split
	 * with the same listing); otherwise, or if that fails, it is read
	 * here. */
	listed = planned_listing(w, dir);
	if (listed && list_dir(w, listed)) {
		l = (struct lister){ .fd = -1, .buf = listed->buf, .len = listed->len };
		cdir = dir; /* listed with open_canonical */
		dir = NULL;
	} else if ((l.fd = open_canonical(w, dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		cdir = dir;
		dir = NULL;
	} else if (errno == ENOENT) {
		return 0;
	} else {
		cdir = realpath(dir, NULL);
		if (!cdir)
			return 0;
		l.fd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.fd < 0) {
			/* The names the pattern would match are unknown: carve
			 * out the whole directory (stricter, never looser). */
			note_missing(w->st, cdir, "cannot list it for a carve-out, so all of it is carved out");
			return add_carve(v, n, cdir, false, p);
		}
	}
	if (l.fd >= 0 && !(l.buf = buf = malloc(LIST_BUF))) {
		close(l.fd);
		return -ENOMEM;
	}
	for (const struct sk_dirent64 *de; ret == 0 && (de = next_entry(&l));) {
		char full[PATH_MAX];
		struct stat sb;

		if (fnmatch(last, de->d_name, 0) != 0)
			continue;
		any = true;
		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		snprintf(full, sizeof(full), "%s%s%s", cdir, strcmp(cdir, "/") ? "/" : "", de->d_name);
		if (de->d_type == DT_LNK || (lstat(full, &sb) == 0 && S_ISLNK(sb.st_mode))) {
			char *real = realpath(full, NULL);
			if (real) {
				ret = add_carve(v, n, real, false, p);
				free(real);
			}
		}
	}
	free(buf);
	if (l.fd >= 0)
		close(l.fd);
	if (ret == 0 && any) {
		_cleanup_free_ char *pat = NULL;
		if (asprintf(&pat, "%s%s%s", cdir, strcmp(cdir, "/") ? "/" : "", last) < 0)
			return -ENOMEM;
		ret = add_carve(v, n, pat, true, p);
	}
	return ret;
}

int sk_fs_walk(const struct sk_plan_access *sb, const struct sk_path_env *env, uint64_t handled, sk_fs_emit_fn fn,
	       void *ctx, struct sk_fs_walk_stats *st, stockade_error **err)
{
	struct grant *grants = NULL;
	struct carve *carves = NULL;
	size_t ngrants = 0, ncarves = 0;
	struct walk w = { .handled = handled, .emit = fn, .ctx = ctx, .st = st, .err = err };
	size_t nheld = 0;
	/* Each path expanded once: NULL where it needs a home directory and
	 * there is none. */
	char **expanded = calloc(sb->npaths ? sb->npaths : 1, sizeof(*expanded));
	int ret = expanded ? 0 : -ENOMEM;

	*st = (struct sk_fs_walk_stats){ 0 };
	for (size_t i = 0; ret == 0 && i < sb->npaths; i++)
		if (sk_path_expand(sb->paths[i].path, env, &expanded[i]) == -ENOMEM)
			ret = -ENOMEM;
	if (ret == 0)
		ret = plan_listings(&w, sb, expanded);
	for (size_t i = 0; ret == 0 && i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];
		_cleanup_free_ char *abs = steal_pointer(&expanded[i]);
		_cleanup_close_ int fd = -1;

		if (!abs) {
			note_missing(st, p->path, "no home directory");
			continue;
		}
		if (p->kind == SK_FS_DENY || p->kind == SK_FS_READ_ONLY) {
			ret = resolve_carve(&w, p, abs, &carves, &ncarves);
			continue;
		}
		/* read: [/] and exec: [/] of one layer: one walk.  A path that
		 * is a grant's canonical path already needs no lookup ($TMPDIR
		 * and /tmp).  Otherwise checking that it is canonical opens it,
		 * a directory in one call, anything else in two (O_DIRECTORY
		 * fails with ENOTDIR first), and the first GRANT_FDS grants
		 * keep that descriptor for the walk. */
		struct grant *same = find_grant(grants, ngrants, p->layer, abs);
		bool dir = false;
		char *real = NULL;

		if (!same) {
			fd = open_canonical(&w, abs, O_PATH | O_DIRECTORY);
			dir = fd >= 0;
			if (fd < 0 && errno == ENOTDIR)
				fd = open_canonical(&w, abs, O_PATH);
			if (fd >= 0) {
				real = abs;
				abs = NULL;
			} else if (errno == ENOENT) {
				note_missing(st, abs, strerror(errno));
				continue;
			} else {
				real = realpath(abs, NULL);
				if (!real) {
					note_missing(st, abs, strerror(errno));
					continue;
				}
				same = find_grant(grants, ngrants, p->layer, real);
			}
		}
		if (same) {
			/* (Nothing is held by then: fd is open only for a new
			 * canonical path.) */
			same->access |= sk_fs_access(p->kind);
			same->write |= p->kind == SK_FS_WRITE;
			free(real);
			continue;
		}
		struct grant *ng = realloc(grants, (ngrants + 1) * sizeof(*ng));
		if (!ng) {
			free(real);
			ret = -ENOMEM;
			break;
		}
		grants = ng;
		ng[ngrants] = (struct grant){ .path = real, .access = sk_fs_access(p->kind), .layer = p->layer,
					      .write = p->kind == SK_FS_WRITE, .fd = -1 };
		if (split_path(real, &ng[ngrants].comps, &ng[ngrants].ncomps) < 0) {
			free(real);
			ret = -ENOMEM;
			break;
		}
		if (fd >= 0 && nheld < GRANT_FDS) {
			ng[ngrants].fd = fd;
			ng[ngrants].dir = dir;
			fd = -1;
			nheld++;
		}
		ngrants++;
	}
	if (ret == -ENOMEM)
		ret = sk_error(err, ENOMEM, "out of memory");

	for (size_t gi = 0; ret == 0 && gi < ngrants; gi++) {
		struct grant *g = &grants[gi];
		struct pending *inside = calloc(ncarves ? ncarves : 1, sizeof(*inside));
		uint64_t access = g->access;
		size_t nin = 0;

		if (!inside) {
			ret = sk_error(err, ENOMEM, "out of memory");
			break;
		}
		/* Carve-outs of this layer or above that take something away. */
		for (size_t ci = 0; ci < ncarves; ci++) {
			const struct carve *c = &carves[ci];
			size_t m = c->ncomps < g->ncomps ? c->ncomps : g->ncomps;
			bool prefix = true;

			if (c->layer < g->layer || !(c->removes & access))
				continue;
			for (size_t i = 0; i < m && prefix; i++)
				prefix = comp_match(c, i, g->comps[i]);
			if (!prefix)
				continue;
			if (c->ncomps <= g->ncomps)
				access &= ~c->removes; /* the grant is inside the carve-out */
			else
				inside[nin++] = (struct pending){ c, g->ncomps };
		}
		if (access & handled) {
			/* A descriptor opened with O_DIRECTORY is a directory.
			 * One opened without was none when checked, but may be
			 * one put in its place since: where carve-outs reach
			 * inside, fstat says (a directory taken for a file would
			 * keep them), elsewhere it gets a file's rights, fewer
			 * than the grant's.  A grant that holds none is opened
			 * again, and asked. */
			bool ask = g->fd < 0 || (nin && !g->dir);
			struct stat sbuf;

			if (g->fd < 0)
				g->fd = open(g->path, O_PATH | O_CLOEXEC);
			if (g->fd < 0 || (ask && fstat(g->fd, &sbuf) < 0)) {
				note_missing(st, g->path, strerror(errno));
			} else {
				bool dir = ask ? S_ISDIR(sbuf.st_mode) : g->dir;

				w.g = g;
				/* Only the carve-outs that reach into this tree split it. */
				if (nin && dir)
					ret = expand(&w, g->fd, g->path, access, inside, nin, 0);
				else
					ret = emit(&w, g->fd, g->path, access, dir);
			}
		}
		if (g->fd >= 0) {
			close(g->fd);
			g->fd = -1;
		}
		free(inside);
	}
	for (size_t i = 0; expanded && i < sb->npaths; i++)
		free(expanded[i]);
	free(expanded);
	free_grants(grants, ngrants);
	free_carves(carves, ncarves);
	free_listings(&w);
	return ret;
}

/* ---- enforcement ---- */

struct rules_ctx {
	int ruleset;
	stockade_error **err;
	size_t skipped;
	char first_skipped[256];
};

static int add_path_rule(void *ctx, int fd, const char *path, uint64_t access)
{
	struct rules_ctx *r = ctx;
	struct sk_path_beneath_attr attr = { .allowed_access = access, .parent_fd = fd };

	if (syscall(__NR_landlock_add_rule, r->ruleset, SK_RULE_PATH_BENEATH, &attr, 0) == 0)
		return 0;
	/* A directory (by the listing's d_type) replaced by a file since: a
	 * file's rights only, as the walk would have given it. */
	struct stat st;
	if (errno == EINVAL && (access & ~R_FILE) && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		attr.allowed_access = access & R_FILE;
		if (!attr.allowed_access ||
		    syscall(__NR_landlock_add_rule, r->ruleset, SK_RULE_PATH_BENEATH, &attr, 0) == 0)
			return 0;
	}
	/* Some pseudo-filesystems take no rule: that entry stays closed. */
	if (errno == EBADFD || errno == EBADF) {
		if (!r->skipped++)
			snprintf(r->first_skipped, sizeof(r->first_skipped), "%s", path);
		return 0;
	}
	return sk_error(r->err, errno, "landlock_add_rule %s: %s", path, strerror(errno));
}

const char *sk_level_name(enum sk_level level)
{
	switch (level) {
	case SK_LEVEL_OFF:
		return "off";
	case SK_LEVEL_FULL:
		return "enforced";
	case SK_LEVEL_PARTIAL:
		return "partly enforced";
	case SK_LEVEL_NONE:
		return "NOT enforced";
	}
	return "?";
}

static void set_item(struct sk_enforcement_item *it, enum sk_level level, bool weaker, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_item(struct sk_enforcement_item *it, enum sk_level level, bool weaker, const char *fmt, ...)
{
	va_list ap;

	it->level = level;
	it->weaker = weaker;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

static void append(struct sk_enforcement_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(struct sk_enforcement_item *it, const char *fmt, ...)
{
	size_t len = strlen(it->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->text + len, sizeof(it->text) - len, fmt, ap);
	va_end(ap);
}

static void note(struct sk_enforcement *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct sk_enforcement *rep, const char *fmt, ...)
{
	va_list ap;

	if (rep->nnotes >= SK_ENFORCEMENT_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(rep->notes[rep->nnotes++], sizeof(rep->notes[0]), fmt, ap);
	va_end(ap);
}

static void ports_text(char *buf, size_t size, const uint16_t *ports, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (!n) {
		snprintf(buf, size, "no port");
		return;
	}
	used = (size_t)snprintf(buf, size, "port%s ", n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used + 16 < size; i++) {
		if (i == 12) {
			snprintf(buf + used, size - used, ", ... (%zu ports)", n);
			return;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%u", i ? ", " : "", ports[i]);
	}
}

/* Why an ABI is missing something: "needs Landlock ABI 4 (Linux 6.7)". */
static const char *needs(uint64_t fs, uint64_t net, uint64_t scope, char *buf, size_t size)
{
	const struct abi_caps *c = first_with(fs, net, scope);

	snprintf(buf, size, "needs Landlock ABI %d, Linux %s", c->abi, c->kernel);
	return buf;
}

static void report_fs(const struct sk_plan_access *sb, const struct abi_caps *caps, uint64_t handled,
		      const char *why, struct sk_enforcement *rep)
{
	uint64_t missing = R_ALL & ~caps->fs;
	char nb[64];

	if (!sb->fs) {
		set_item(&rep->fs, SK_LEVEL_OFF, false, "not restricted by the policy");
		return;
	}
	if (!handled) {
		set_item(&rep->fs, SK_LEVEL_NONE, true, "every path is open as far as Unix permissions allow: %s",
			 why);
		return;
	}
	if (!missing) {
		set_item(&rep->fs, SK_LEVEL_FULL, false, "read, write and execute limited to the listed paths");
		return;
	}
	set_item(&rep->fs, SK_LEVEL_PARTIAL, (missing & ~LANDLOCK_ACCESS_FS_REFER) != 0,
		 "read, write and execute limited to the listed paths, except:");
	if (missing & LANDLOCK_ACCESS_FS_REFER)
		append(&rep->fs, " renames and hard links between directories fail with EXDEV (%s);",
		       needs(LANDLOCK_ACCESS_FS_REFER, 0, 0, nb, sizeof(nb)));
	if (missing & LANDLOCK_ACCESS_FS_TRUNCATE)
		append(&rep->fs, " truncate(2) works on any file (%s);",
		       needs(LANDLOCK_ACCESS_FS_TRUNCATE, 0, 0, nb, sizeof(nb)));
	if (missing & LANDLOCK_ACCESS_FS_IOCTL_DEV)
		append(&rep->fs, " ioctl(2) works on any device file (%s);",
		       needs(LANDLOCK_ACCESS_FS_IOCTL_DEV, 0, 0, nb, sizeof(nb)));
	rep->fs.text[strlen(rep->fs.text) - 1] = '\0';
}

static void report_net(const stockade_plan *plan, const struct abi_caps *caps, uint64_t handled, const char *why,
		       struct sk_enforcement *rep)
{
	const struct sk_plan_access *sb = &plan->access;
	bool want = sb->tcp_handled[SK_TCP_CONNECT] || sb->tcp_handled[SK_TCP_BIND];
	char cp[128], bp[128], nb[64];

	ports_text(cp, sizeof(cp), sb->tcp[SK_TCP_CONNECT], sb->ntcp[SK_TCP_CONNECT]);
	ports_text(bp, sizeof(bp), sb->tcp[SK_TCP_BIND], sb->ntcp[SK_TCP_BIND]);
	if (sb->net == SK_NET_FULL && !want) {
		set_item(&rep->net, SK_LEVEL_OFF, false, "not restricted (mode full)");
		return;
	}
	if (sb->net == SK_NET_FULL) {
		if (handled)
			set_item(&rep->net, SK_LEVEL_FULL, false, "mode full; TCP connect: %s; TCP bind: %s (Landlock)",
				 sb->tcp_handled[SK_TCP_CONNECT] ? cp : "any port",
				 sb->tcp_handled[SK_TCP_BIND] ? bp : "any port");
		else
			set_item(&rep->net, SK_LEVEL_NONE, true, "mode full; the TCP port lists are not enforced: %s",
				 caps->abi ? needs(0, NET_V4, 0, nb, sizeof(nb)) : why);
		return;
	}
	const char *families = sb->net == SK_NET_NONE ? "sockets other than AF_UNIX fail with EACCES (seccomp)"
						      : "sockets other than AF_UNIX and netlink route fail with "
							"EACCES (seccomp)";
	if (handled) {
		if (!sb->ntcp[SK_TCP_CONNECT] && !sb->ntcp[SK_TCP_BIND])
			set_item(&rep->net, SK_LEVEL_FULL, false, "mode %s: %s; TCP bind and connect denied (Landlock)",
				 sb->net == SK_NET_NONE ? "none" : "unix", families);
		else if (sb->tcp_sockets)
			set_item(&rep->net, SK_LEVEL_FULL, false,
				 "mode %s: %s, except TCP; TCP connect to %s, bind to %s (Landlock)",
				 sb->net == SK_NET_NONE ? "none" : "unix", families, cp, bp);
		else
			set_item(&rep->net, SK_LEVEL_PARTIAL, false,
				 "mode %s: %s; the listed TCP ports cannot be used: the seccomp policy denies TCP "
				 "sockets",
				 sb->net == SK_NET_NONE ? "none" : "unix", families);
		return;
	}
	if (sb->tcp_sockets)
		set_item(&rep->net, SK_LEVEL_PARTIAL, false,
			 "mode %s: %s, TCP included: the listed TCP ports cannot be limited (%s), so no TCP socket "
			 "can be opened",
			 sb->net == SK_NET_NONE ? "none" : "unix", families, caps->abi ? needs(0, NET_V4, 0, nb, sizeof(nb)) : why);
	else
		set_item(&rep->net, SK_LEVEL_FULL, false, "mode %s: %s", sb->net == SK_NET_NONE ? "none" : "unix",
			 families);
}

static void report_scope(const struct sk_plan_access *sb, const struct abi_caps *caps, uint64_t want,
			 uint64_t scoped, const char *why, struct sk_enforcement *rep)
{
	char nb[64];
	const char *what = want == SCOPE_V6			? "signals and abstract unix sockets"
			   : want == LANDLOCK_SCOPE_SIGNAL ? "signals"
							   : "abstract unix sockets";

	if (!want)
		set_item(&rep->scope, SK_LEVEL_OFF, false, "not asked by the policy");
	else if (scoped == want)
		set_item(&rep->scope, SK_LEVEL_FULL, false, "%s limited to processes inside the sandbox", what);
	else
		set_item(&rep->scope, SK_LEVEL_NONE, true, "%s reach processes outside the sandbox: %s", what,
			 caps->abi ? needs(0, 0, want, nb, sizeof(nb)) : why);
}

static int refuse(const struct sk_plan_access *sb, const struct sk_enforcement *rep, stockade_error **err)
{
	char what[1536] = "", where[300] = "";
	const struct sk_enforcement_item *items[] = { &rep->fs, &rep->net, &rep->scope };
	const char *names[] = { "filesystem", "network", "scope" };

	for (size_t i = 0; i < ARRAY_SIZE(items); i++)
		if (items[i]->level == SK_LEVEL_PARTIAL || items[i]->level == SK_LEVEL_NONE) {
			size_t len = strlen(what);
			snprintf(what + len, sizeof(what) - len, "%s  %s: %s", len ? "\n" : "", names[i],
				 items[i]->text);
		}
	if (sb->landlock_at.line)
		snprintf(where, sizeof(where), " (%s:%d:%d)", sb->landlock_at.file, sb->landlock_at.line,
			 sb->landlock_at.column);
	sk_error(err, EOPNOTSUPP,
		 "landlock: required%s, but this kernel's Landlock cannot enforce everything the policy asks "
		 "(%s%d%s):\n%s",
		 where, rep->abi ? "ABI " : "", rep->abi, rep->abi_lowered ? ", lowered by STOCKADE_TEST_LANDLOCK_ABI" : "",
		 what);
	sk_error_hint(err, "run on a newer kernel, or set `landlock: best_effort` to run with what this kernel "
			   "enforces (stockade then says on stderr what is missing)");
	return -EOPNOTSUPP;
}

int sk_landlock_build(const stockade_plan *plan, struct sk_enforcement *rep, int *ruleset, stockade_error **err)
{
	const struct sk_plan_access *sb = &plan->access;
	const struct abi_caps *caps;
	struct sk_ruleset_attr attr = { 0 };
	uint64_t want_scope = (sb->scope_signals ? LANDLOCK_SCOPE_SIGNAL : 0) |
			      (sb->scope_abstract ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET : 0);
	char why[256] = "";
	int ret = 0;

	*ruleset = -1;
	rep->mode = sb->landlock;
	rep->kernel_abi = sk_landlock_kernel_abi(why, sizeof(why));
	rep->abi = rep->kernel_abi;
	if (abi_override >= 0 && abi_override < rep->abi) {
		rep->abi = abi_override;
		rep->abi_lowered = true;
		if (!rep->abi)
			snprintf(why, sizeof(why), "Landlock hidden by STOCKADE_TEST_LANDLOCK_ABI=0");
	}
	caps = caps_of(rep->abi);
	if (sb->landlock == SK_LANDLOCK_OFF) {
		caps = &no_landlock;
		snprintf(why, sizeof(why), "the policy sets `landlock: off`");
	}
	const char *mode = sb->landlock == SK_LANDLOCK_REQUIRED ? "required"
			   : sb->landlock == SK_LANDLOCK_OFF	? "off"
								: "best_effort";
	if (rep->abi_lowered)
		snprintf(rep->landlock, sizeof(rep->landlock),
			 "ABI %d, LOWERED from the kernel's ABI %d by STOCKADE_TEST_LANDLOCK_ABI (a testing knob); %s",
			 rep->abi, rep->kernel_abi, mode);
	else if (rep->abi)
		snprintf(rep->landlock, sizeof(rep->landlock), "ABI %d; %s", rep->abi, mode);
	else
		snprintf(rep->landlock, sizeof(rep->landlock), "not available: %s; %s", why, mode);

	attr.handled_access_fs = sb->fs ? caps->fs : 0;
	attr.handled_access_net = ((sb->tcp_handled[SK_TCP_CONNECT] ? LANDLOCK_ACCESS_NET_CONNECT_TCP : 0) |
				   (sb->tcp_handled[SK_TCP_BIND] ? LANDLOCK_ACCESS_NET_BIND_TCP : 0)) &
				  caps->net;
	attr.scoped = want_scope & caps->scope;
	/* Under full, a direction is handled only when its list is given. */
	report_fs(sb, caps, attr.handled_access_fs, why, rep);
	report_net(plan, caps, attr.handled_access_net, why, rep);
	report_scope(sb, caps, want_scope, attr.scoped, why, rep);
	if (sb->landlock == SK_LANDLOCK_REQUIRED &&
	    (rep->fs.level >= SK_LEVEL_PARTIAL || rep->net.level >= SK_LEVEL_PARTIAL || rep->scope.level >= SK_LEVEL_PARTIAL))
		return refuse(sb, rep, err);
	if (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)
		return 0;

	_cleanup_close_ int rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, caps->attr_size, 0);
	if (rfd < 0)
		return sk_error(err, errno, "landlock_create_ruleset: %s", strerror(errno));

	if (attr.handled_access_fs) {
		struct rules_ctx rc = { .ruleset = rfd, .err = err };
		struct sk_fs_walk_stats st;
		struct sk_path_env env;

		if ((ret = sk_path_env_current(&env, err)) < 0)
			return ret;
		ret = sk_fs_walk(sb, &env, attr.handled_access_fs, add_path_rule, &rc, &st, err);
		if (ret == 0) {
			append(&rep->fs, "; %zu rules", st.rules - rc.skipped);
			if (st.split)
				note(rep, "carve-outs split %zu director%s (%s): entries created there later get no access",
				     st.split, st.split == 1 ? "y" : "ies", st.split_dirs);
			if (st.split_write)
				note(rep, "no new file can be created directly in %s: a write root split by carve-outs",
				     st.split_write_dirs);
			if (st.missing)
				note(rep, "%zu listed path%s not granted, first %s", st.missing,
				     st.missing == 1 ? " is" : "s are", st.first_missing);
			if (rc.skipped)
				note(rep, "%zu entr%s take no Landlock rule and stay closed, first %s", rc.skipped,
				     rc.skipped == 1 ? "y" : "ies", rc.first_skipped);
			if (env.home && env.cwd && (!strcmp(env.cwd, "/") || !strcmp(env.cwd, env.home)))
				note(rep, "the working directory is %s: $CWD grants cover all of it", env.cwd);
		}
		sk_path_env_free(&env);
		if (ret < 0)
			return ret;
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++) {
		uint64_t right = d == SK_TCP_CONNECT ? LANDLOCK_ACCESS_NET_CONNECT_TCP : LANDLOCK_ACCESS_NET_BIND_TCP;
		if (!(attr.handled_access_net & right))
			continue;
		for (size_t i = 0; i < sb->ntcp[d]; i++) {
			struct sk_net_port_attr pa = { .allowed_access = right, .port = sb->tcp[d][i] };
			if (syscall(__NR_landlock_add_rule, rfd, SK_RULE_NET_PORT, &pa, 0) < 0)
				return sk_error(err, errno, "landlock_add_rule port %u: %s", sb->tcp[d][i],
						strerror(errno));
		}
	}
	*ruleset = rfd;
	rfd = -1;
	return 0;
}

int sk_landlock_restrict(int ruleset, stockade_error **err)
{
	/* Denials of the confined program go to the audit log, where the
	 * kernel logs Landlock at all, with the kernel's default flags. */
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return sk_error(err, errno, "landlock_restrict_self: %s", strerror(errno));
	return 0;
}

int sk_landlock_apply(const stockade_plan *plan, bool dry_run, struct sk_enforcement *rep, stockade_error **err)
{
	int rfd, ret = sk_landlock_build(plan, rep, &rfd, err);

	if (ret == 0 && rfd >= 0 && !dry_run)
		ret = sk_landlock_restrict(rfd, err);
	if (rfd >= 0)
		close(rfd);
	return ret;
}
