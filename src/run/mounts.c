/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command's mount view, made by init in its new mount namespace before
 * anything of the command runs (Landlock forbids mount changes once
 * applied, and the command holds no capability to undo them):
 *
 *  1. every mount MS_SLAVE|MS_REC, so nothing done here (or by anything in
 *     the namespace) propagates to the host, while the host's later mounts
 *     still show;
 *  2. a /proc of the new pid namespace: outside processes are not there;
 *  3. a new devpts instance on /dev/pts (and /dev/ptmx): only the ptys the
 *     command opens itself; its own terminal (fds 0-2, /dev/tty) still
 *     works, being open already; and a tmpfs of its own on /dev/shm (POSIX
 *     shared memory and semaphores of processes outside are not there);
 *  4. vm.memfd_noexec=1 in the new pid namespace, as real root, when the
 *     policy denies executable memfds: a plain memfd is then made
 *     MFD_NOEXEC_SEAL, so it cannot be executed through /proc/self/fd
 *     (mapping it executable, as V8 and Wasmtime do, still works);
 *  5. host daemons' sockets unreachable: an empty tmpfs over the
 *     directories servers make their sockets in (the caller's tmux,
 *     screen, X11), so a server started later is not reachable either, and
 *     /dev/null bound over every other pathname socket bound in the
 *     network namespace (D-Bus, systemd, resolved, nscd, docker, podman,
 *     containerd, gpg-agent, a harness's own...); `sockets: allow` keeps
 *     those it names;
 *  6. the working tree's git dirs' hooks and config (and what points git
 *     elsewhere: commondir, config.worktree, submodules and linked
 *     worktrees, the repositories above it) read-only or pinned
 *     (mount_git.c), so nothing is planted there for the user's next git
 *     outside; git commit writes none of them;
 *  7. the working directory entered again, so that a cwd under something
 *     covered is what covers it.
 *
 * Before 2-6, when the policy restricts the filesystem: every mount
 * read-only but the write roots (mount_ro.c), so that the calls Landlock has
 * no right for (chmod, chown, utimensat, setxattr) fail with EROFS outside
 * them.  /proc and the devpts instance are mounted after it, read-write.
 *
 * Covering what the policy denies with empty mounts instead of Landlock
 * carve-outs (/sys/kernel, /etc/shadow, a fresh /dev) was measured and not
 * taken: docs/isolation.md, "What the mount view does not cover".
 *
 * Every mount goes through an O_PATH|O_NOFOLLOW descriptor of its target
 * (/proc/self/fd/N), so a symlink planted by another process cannot
 * redirect it.  A failed step fails the setup (fail closed): `auto` then
 * runs the command without namespaces, saying so.  (Mounting the new /proc
 * last, so that the setup's lookups go through the host's, was measured:
 * ~50 us of CPU a run more, not less.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/stat.h>

#include "run/isolate.h"
#include "run/mediate.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define MAX_ALLOWED 64
#define MAX_HIDDEN_DIRS 64

struct view {
	const stockade_plan *plan;
	char *allowed[MAX_ALLOWED]; /* sockets.allow, expanded and resolved */
	dev_t allowed_dev[MAX_ALLOWED]; /* and what they are: a socket bound */
	ino_t allowed_ino[MAX_ALLOWED]; /* through a symlinked path is the same */
	size_t nallowed;
	char *hidden_dirs[MAX_HIDDEN_DIRS]; /* tmpfs over them already */
	size_t nhidden_dirs;
	struct sk_mount_view *out;
	char *step;
	size_t step_size;
};

static int fail(struct view *v, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct view *v, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->step, v->step_size, fmt, ap);
	va_end(ap);
	return -errnum;
}

bool sk_isolation_wants_memfd_noexec(const stockade_plan *plan)
{
	const uint64_t args[SK_MAX_ARGS] = { 0, MFD_EXEC };
	struct sk_verdict verdict;

	if (!plan->seccomp_enabled)
		return false;
	sk_plan_decide(plan, "memfd_create", args, &verdict);
	return verdict.action.type != SK_ACT_ALLOW && verdict.action.type != SK_ACT_LOG;
}

static const char *fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* ---- sockets ---- */

static void expand_allowed(struct view *v)
{
	for (size_t i = 0; i < v->plan->access.nsockets && v->nallowed < MAX_ALLOWED; i++) {
		const char *p = v->plan->access.sockets[i].path, *rest = "", *base = NULL;
		char name[128], path[PATH_MAX], *real;

		if (p[0] == '$') {
			size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

			snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
			base = getenv(name);
			rest = p + 1 + n;
		} else if (p[0] == '~') {
			base = getenv("HOME");
			rest = p + 1;
		} else {
			base = "";
			rest = p;
		}
		if (!base || (!*base && p[0] != '/'))
			continue; /* $SSH_AUTH_SOCK unset: nothing to keep */
		if (snprintf(path, sizeof(path), "%s%s", base, rest) >= (int)sizeof(path))
			continue;
		real = realpath(path, NULL);
		if (real) {
			struct stat st;

			v->allowed_dev[v->nallowed] = stat(real, &st) == 0 ? st.st_dev : 0;
			v->allowed_ino[v->nallowed] = st.st_ino;
			v->allowed[v->nallowed++] = real;
		}
	}
}

static bool is_allowed(const struct view *v, const struct stat *st)
{
	for (size_t i = 0; i < v->nallowed; i++)
		if (v->allowed_dev[i] == st->st_dev && v->allowed_ino[i] == st->st_ino)
			return true;
	return false;
}

/* Some allowed socket lies under dir (so it must stay visible). */
static bool holds_allowed(const struct view *v, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i < v->nallowed; i++)
		if (!strncmp(v->allowed[i], dir, n) && v->allowed[i][n] == '/')
			return true;
	return false;
}

/* Where servers make their sockets: a tmpfs over each hides them all,
 * those started later included.  Named, not found by listing /tmp (which
 * holds hundreds of entries on a busy machine, ~0.1-0.3 ms to read): the
 * live sockets of other directories (another user's tmux, an ssh-agent's
 * /tmp/ssh-XXXX) are in the kernel's list, hide_bound(). */
static int hide_dirs(struct view *v)
{
	static const char *const fixed[] = { "/tmp/.X11-unix", "/tmp/.ICE-unix", "/tmp/screens", "/run/screen", NULL };
	char tmux[64], opts[64];
	int ret = 0;

	snprintf(tmux, sizeof(tmux), "/tmp/tmux-%u", (unsigned)getuid());
	snprintf(opts, sizeof(opts), "mode=0700,size=64k,uid=%u,gid=%u", (unsigned)getuid(), (unsigned)getgid());
	for (int i = -1; ret == 0 && (i < 0 || fixed[i]); i++) {
		const char *path = i < 0 ? tmux : fixed[i];
		char t[32];
		int fd;

		if (holds_allowed(v, path))
			continue;
		fd = open(path, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* none there, or not a directory */
		if (mount("tmpfs", fd_path(fd, t), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
			ret = fail(v, errno, "hiding the sockets in %s (tmpfs)", path);
		else
			v->out->hidden++;
		if (ret == 0 && v->nhidden_dirs < MAX_HIDDEN_DIRS && (v->hidden_dirs[v->nhidden_dirs] = strdup(path)))
			v->nhidden_dirs++;
		close(fd);
	}
	return ret;
}

/* What a concurrent change of the path explains (it was renamed, swapped
 * for another type, removed): the socket is no longer where the list says,
 * which is skipped rather than failing the whole view (a process outside,
 * swapping in a loop, could otherwise make `auto` run without namespaces). */
static bool changed_meanwhile(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ELOOP || e == ESTALE || e == EISDIR;
}

/* A directory a rename could move, here: not a mount's root, in a
 * directory this process may write. */
static bool could_move(int fd)
{
	struct statx stx;

	return syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) &&
	       faccessat(fd, "..", W_OK, AT_EACCESS) == 0;
}

int sk_mount_pin_upward(char dir[PATH_MAX], unsigned max)
{
	int n = 0;

	for (;;) {
		char t[32], *slash;
		int fd;

		if (!dir[0] || !strcmp(dir, "/"))
			return n;
		if ((unsigned)n == max)
			return -E2BIG;
		fd = open(dir, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return n; /* gone meanwhile, or a link */
		if (!could_move(fd)) {
			close(fd);
			return n; /* a mount's root, or a directory that cannot be moved anyway */
		}
		if (mount(fd_path(fd, t), fd_path(fd, t), NULL, MS_BIND | MS_REC, NULL) < 0) {
			int e = errno;

			close(fd);
			return changed_meanwhile(e) ? n : -e;
		}
		close(fd);
		n++;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* The directories above a covered socket, up to the root of their mount,
 * each bound on itself: a mount point cannot be renamed, so the command
 * cannot move the socket's directory aside and bind a server of its own at
 * the old path for the host's next client (ssh-add, tmux) to talk to.
 * Outside the write roots they are read-only anyway; a directory that is a
 * mount root already (a write root, a pinned one) ends the walk. */
static int pin_parents(struct view *v, const char *path)
{
	/* The canonical directories: a link on the way (`lnk/s`, lnk -> real)
	 * is no directory to pin, its target is. */
	char *real = realpath(path, NULL), dir[PATH_MAX], *slash;
	int n;

	if (!real)
		return 0; /* gone meanwhile */
	if (snprintf(dir, sizeof(dir), "%s", real) >= (int)sizeof(dir) || !(slash = strrchr(dir, '/'))) {
		free(real);
		return 0;
	}
	free(real);
	if (slash == dir)
		return 0; /* directly in / */
	*slash = '\0';
	n = sk_mount_pin_upward(dir, UINT_MAX);
	if (n < 0)
		return fail(v, -n, "pinning the directories above %s (bind)", path);
	v->out->pinned += (unsigned)n;
	return 0;
}

static bool under_hidden(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->nhidden_dirs; i++) {
		size_t n = strlen(v->hidden_dirs[i]);

		if (!strncmp(v->hidden_dirs[i], path, n) && path[n] == '/')
			return true;
	}
	return false;
}

/* /dev/null over the path of every pathname socket bound in this network
 * namespace (the kernel's list, /proc/net/unix: the live ones, wherever
 * they are, at the cost of one line each rather than a walk of /tmp and
 * /run).  A socket bound after this is not covered: the directories above
 * are for servers that start later. */
/* /proc/self/net/unix as the outer process opened it, in the host's
 * network namespace (a /proc/net file answers for the namespace of the
 * process that opened it). */
static int host_sockets = -1, host_sockets_errno = ENOENT;

void sk_mount_host_sockets(bool open_it)
{
	if (host_sockets >= 0)
		close(host_sockets);
	host_sockets = open_it ? open("/proc/self/net/unix", O_RDONLY | O_CLOEXEC) : -1;
	host_sockets_errno = host_sockets < 0 && open_it ? errno : ENOENT;
}

static int hide_bound(struct view *v)
{
	int list = host_sockets >= 0 ? fcntl(host_sockets, F_DUPFD_CLOEXEC, 0) : -1;
	FILE *f = list >= 0 ? fdopen(list, "re") : NULL;
	char line[PATH_MAX + 128];
	int ret = 0;

	/* Never this process's own list: in a new network namespace it is
	 * empty, and every host socket would stay in view. */
	if (!f) {
		int e = host_sockets < 0 ? host_sockets_errno : errno;

		if (list >= 0)
			close(list);
		/* No /proc (a bare chroot): no list of sockets to hide, as before. */
		return e == ENOENT ? 0 : fail(v, e, "reading the host's /proc/self/net/unix");
	}
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		/* Num RefCount Protocol Flags Type St Inode Path */
		char *path = sk_unix_list_path(line);
		struct stat st;
		int fd;

		if (!path)
			continue; /* abstract, or unnamed */
		fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* not in this mount view, or gone */
		/* (A socket with open connections is listed once for each:
		 * once bound over, the path is /dev/null, no socket.) */
		if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
			close(fd);
			continue;
		}
		if (is_allowed(v, &st)) {
			v->out->allowed++;
			close(fd);
			continue;
		}
		/* Another name for it (a hard link an earlier run without
		 * namespaces could have made in a write root) is not covered
		 * here: the command's connects are mediated then (by inode). */
		if (st.st_nlink > 1)
			v->out->linked++;
		if (!under_hidden(v, path)) {
			char t[32];

			struct stat again;

			/* The directories first: bound on themselves, they take the
			 * socket's path along, which is then covered: the same
			 * socket, or nothing (it moved meanwhile). */
			if ((ret = pin_parents(v, path)) < 0) {
				close(fd);
				break;
			}
			close(fd);
			fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (fstat(fd, &again) < 0 || !S_ISSOCK(again.st_mode) || again.st_ino != st.st_ino ||
			    again.st_dev != st.st_dev) {
				close(fd);
				continue;
			}
			if (mount("/dev/null", fd_path(fd, t), NULL, MS_BIND, NULL) == 0)
				v->out->hidden++;
			else if (!changed_meanwhile(errno))
				ret = fail(v, errno, "hiding the socket %s", path);
		}
		close(fd);
	}
	fclose(f);
	return ret;
}

/* ---- the view ---- */

static int enter_cwd(struct view *v, const char *cwd)
{
	if (!cwd[0])
		return 0;
	if (chdir(cwd) < 0)
		return fail(v, errno, "the working directory, under a cover of the view: %s", cwd);
	return 0;
}

static int devpts(struct view *v, bool real_root)
{
	struct stat st;

	/* gid=5 (tty) exists only where the ids are not remapped. */
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  real_root ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620") < 0)
		return fail(v, errno, "mounting a new devpts instance on /dev/pts");
	/* /dev/ptmx opens the instance beside it (Linux 4.7+); a device node
	 * there is bound over with the instance's ptmx all the same, and a
	 * symlink to pts/ptmx already is one. */
	if (lstat("/dev/ptmx", &st) == 0 && !S_ISLNK(st.st_mode) &&
	    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0)
		return fail(v, errno, "binding /dev/pts/ptmx on /dev/ptmx");
	return 0;
}

/* A /dev/shm of the command's own (a tmpfs, as devpts is), so that POSIX
 * shared memory and semaphores of processes outside are not there. */
static int shm(struct view *v)
{
	struct stat st;

	if (lstat("/dev/shm", &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return fail(v, errno, "mounting a tmpfs on /dev/shm");
	v->out->shm = true;
	return 0;
}

/* The host's POSIX message queues, where it mounts their filesystem on
 * /dev/mqueue: a mount of the IPC namespace's own there (mq_open() is the
 * namespace's already; this is the view of them by path). */
#define MQUEUE_MAGIC 0x19800202 /* the kernel's, ipc/mqueue.c */

static int mqueue(struct view *v)
{
	struct statfs sf;

	if (statfs("/dev/mqueue", &sf) < 0 || sf.f_type != MQUEUE_MAGIC)
		return 0;
	if (mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail(v, errno, "mounting the IPC namespace's mqueue on /dev/mqueue");
	return 0;
}

static int memfd_noexec(struct view *v)
{
	int fd = open("/proc/sys/vm/memfd_noexec", O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return errno == ENOENT || errno == EACCES || errno == EPERM
			       ? 0
			       : fail(v, errno, "opening /proc/sys/vm/memfd_noexec");
	n = write(fd, "1", 1);
	e = n < 0 ? errno : EIO;
	close(fd);
	if (n < 0 && (e == EPERM || e == EACCES))
		return 0; /* not ours to raise (the status says so) */
	if (n != 1)
		return fail(v, e, "writing /proc/sys/vm/memfd_noexec");
	v->out->memfd_noexec = true;
	return 0;
}

int sk_mount_view(const stockade_plan *plan, bool real_root, bool audit, struct sk_mount_view *out, char *step,
		  size_t step_size)
{
	struct view v = { .plan = plan, .out = out, .step = step, .step_size = step_size };
	char cwd[PATH_MAX];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0'; /* removed, or out of this view: nothing to enter */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return fail(&v, errno, "making / a slave mount (MS_SLAVE|MS_REC)");
	/* Before the new mounts, which stay read-write. */
	if (!audit) {
		struct sk_mount_ro ro = { .plan = plan, .out = out, .step = step, .step_size = step_size };

		if ((ret = sk_mount_ro_view(&ro)) < 0)
			return ret;
	}
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail(&v, errno, "mounting a /proc for the pid namespace");
	if ((ret = devpts(&v, real_root)) < 0 || (ret = shm(&v)) < 0 || (ret = mqueue(&v)) < 0)
		return ret;
	if (real_root && sk_isolation_wants_memfd_noexec(plan) && (ret = memfd_noexec(&v)) < 0)
		return ret;
	expand_allowed(&v);
	ret = hide_dirs(&v);
	if (ret == 0)
		ret = hide_bound(&v);
	if (ret == 0)
		ret = sk_mount_git(out, step, step_size);
	/* Last: a working directory at or under a directory covered now
	 * (.git, .git/hooks, /tmp/tmux-UID) is still the one beneath; entered
	 * again by its path, it is what the command's view has there. */
	if (ret == 0)
		ret = enter_cwd(&v, cwd);
	for (size_t i = 0; i < v.nallowed; i++)
		free(v.allowed[i]);
	for (size_t i = 0; i < v.nhidden_dirs; i++)
		free(v.hidden_dirs[i]);
	return ret;
}
