/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The carve-outs the walk (walk.c) skips because they protect nothing:
 * this process could not reach the file anyway (moot).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "landlock/landlock.h"
#include "landlock/walk.h"

/* A carve-out of another user's file that this process cannot read, write
 * or search anyway protects nothing (/etc/shadow, ssh host keys, consoles,
 * raw disks for anyone but root): with no_new_privs the command can never
 * gain the access, nor change the mode of a file it does not own.
 * Skipping it keeps the directory above whole: no split /etc or /dev, whose
 * entries created later would get no rule (docs/landlock.md). */
/* Whether this process is in group `gid` (effective or supplementary);
 * the list is read once.  In doubt, yes (the caller then asks the kernel). */
static bool in_group(gid_t gid)
{
	static gid_t groups[256];
	static int n = -2;

	if (gid == getegid())
		return true;
	if (n == -2)
		n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	if (n < 0)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* This process holds a capability that passes file permission checks
 * (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: a container user
 * given them, ambient ones): the mode bits then decide nothing. */
static bool passes_permissions(void)
{
	static int holds = -1;

	if (holds < 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
		struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };
		const uint32_t dac = CAP_TO_MASK(CAP_DAC_OVERRIDE) | CAP_TO_MASK(CAP_DAC_READ_SEARCH) |
				     CAP_TO_MASK(CAP_FOWNER);

		holds = syscall(SYS_capget, &h, d) < 0 || ((d[0].permitted | d[0].effective) & dac);
	}
	return holds;
}

static bool moot_here(uid_t uid, const char *path)
{
	static int restrict_dmesg = -1;
	struct stat sb;

	if (passes_permissions())
		return false;

	/* The kernel log needs CAP_SYSLOG under kernel.dmesg_restrict = 1
	 * (Debian's default), which no one else can gain. */
	if (!strcmp(path, "/dev/kmsg")) {
		if (restrict_dmesg < 0) {
			char c = '0';
			int fd = open("/proc/sys/kernel/dmesg_restrict", O_RDONLY | O_CLOEXEC);

			restrict_dmesg = fd >= 0 && read(fd, &c, 1) == 1 && c == '1';
			if (fd >= 0)
				close(fd);
		}
		if (restrict_dmesg)
			return true;
	}
	if (lstat(path, &sb) < 0 || S_ISLNK(sb.st_mode) || sb.st_uid == uid || (sb.st_mode & 07))
		return false;
	/* No bits for the group class (the ACL mask, if there is an ACL): no
	 * one but the owner gets in, and one stat said so (64 consoles). */
	if (!(sb.st_mode & 070))
		return true;
	/* Group bits of a group this process is not in, and no ACL (whose
	 * named entries could let it in): no one but the owner and the group
	 * gets in (/etc/shadow, root:shadow 0640), and two calls said so. */
	if (!in_group(sb.st_gid) && lgetxattr(path, "system.posix_acl_access", NULL, 0) < 0 &&
	    (errno == ENODATA || errno == ENOTSUP))
		return true;
	return faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) < 0 && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0 &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0;
}

/* What sk_fs_note_moot() found moot with this process's real ownership
 * (canonical paths), for a walk in a user namespace that cannot tell. */
#define MAX_OUTSIDE 256
static char *outside[MAX_OUTSIDE];
static size_t noutside;

static bool moot_outside(const char *path)
{
	for (size_t i = 0; i < noutside; i++)
		if (!strcmp(outside[i], path))
			return true;
	return false;
}

bool sk_fs_moot(uid_t uid, const char *path)
{
	/* Root reads everything (its capabilities are dropped after this). */
	if (uid == 0)
		return false;
	if (noutside && moot_outside(path))
		return true;
	return moot_here(uid, path);
}

static void note(const char *path)
{
	if (noutside < MAX_OUTSIDE && (outside[noutside] = strdup(path)))
		noutside++;
}

void sk_fs_note_moot(const struct sk_plan_access *sb)
{
	uid_t uid = geteuid();
	size_t *pat = NULL, *dlen = NULL, npat = 0;

	for (size_t i = 0; i < noutside; i++)
		free(outside[i]);
	noutside = 0;
	if (!sb || uid == 0 || !sb->npaths)
		return;
	pat = calloc(sb->npaths, sizeof(*pat));
	dlen = calloc(sb->npaths, sizeof(*dlen));
	if (!pat || !dlen)
		goto out; /* none noted: the walk keeps the carve-outs */
	/* Written as absolute paths: the system's (~ and $VAR name the
	 * user's own, which a user namespace shows as they are). */
	for (size_t i = 0; i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];
		const char *slash = strrchr(p->path, '/');
		bool dir_pattern = false;

		if ((p->kind != SK_FS_DENY && p->kind != SK_FS_READ_ONLY) || p->path[0] != '/' || !slash)
			continue;
		if (!sk_has_pattern(slash + 1)) {
			if (moot_here(uid, p->path))
				note(p->path);
			continue;
		}
		for (const char *c = p->path; c < slash; c++)
			dir_pattern |= sk_path_glob_char(*c);
		if (!dir_pattern) {
			pat[npat] = i;
			dlen[npat++] = slash == p->path ? 1 : (size_t)(slash - p->path);
		}
	}
	/* Each directory with patterns listed once, for all of them (agent
	 * has ~25 in /dev). */
	for (size_t a = 0; a < npat; a++) {
		const char *path = sb->paths[pat[a]].path;
		char dir[PATH_MAX], full[PATH_MAX];
		bool seen = false;
		DIR *d;

		for (size_t b = 0; b < a && !seen; b++)
			seen = dlen[b] == dlen[a] && !strncmp(sb->paths[pat[b]].path, path, dlen[a]);
		if (seen || dlen[a] >= PATH_MAX)
			continue;
		memcpy(dir, path, dlen[a]);
		dir[dlen[a]] = '\0';
		if (!(d = opendir(dir)))
			continue;
		for (struct dirent *de; (de = readdir(d));) {
			const char *name = de->d_name;

			if (de->d_type == DT_LNK || (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))))
				continue;
			for (size_t b = a; b < npat; b++) {
				const char *other = sb->paths[pat[b]].path;

				if (dlen[b] != dlen[a] || strncmp(other, path, dlen[a]) ||
				    fnmatch(strrchr(other, '/') + 1, name, 0) != 0)
					continue;
				if (snprintf(full, sizeof(full), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) <
					    (int)sizeof(full) &&
				    moot_here(uid, full))
					note(full);
				break;
			}
		}
		closedir(d);
	}
out:
	free(pat);
	free(dlen);
}
