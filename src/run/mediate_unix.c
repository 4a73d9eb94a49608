/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connect() to AF_UNIX pathname sockets, decided by the supervisor.
 *
 * Without a mount namespace, every host daemon's socket the user can reach
 * is in the sandbox's filesystem view (tmux's in /tmp/tmux-UID: `tmux
 * new-window CMD` runs CMD outside the sandbox), and Landlock has no rule
 * for connecting to one.  So where the plan names sockets
 * (`sockets: allow: [...]`) or a host daemon's socket exists, connect() is
 * mediated (mediate_connect.c takes the socket and copies the address; this
 * file handles AF_UNIX) and a pathname address is allowed only to:
 *
 *  - a socket the policy names: the inode its path resolves to when the
 *    run starts (a later replacement of that path by the sandbox does not
 *    carry the permission over to whatever it points to);
 *  - a socket of the sandbox's own: one that a process of the sandbox's
 *    tree holds.  The listening (or bound datagram) socket is found by the
 *    inode of its file through sock_diag (UNIX_DIAG_VFS), and then looked
 *    for among the descriptors of the processes descending from the
 *    supervisor, each identified by a pidfd opened before its descriptors
 *    are read and checked alive after (so a recycled pid cannot stand in
 *    for it).  Not through SO_PEERCRED after connecting: by then another
 *    thread of the caller could already write to the connected socket.
 *
 * The path is resolved as the caller sees it (mediate.h, sk_mreq_open()),
 * opened O_PATH, and the supervisor connects the caller's socket to
 * /proc/self/fd/N of that descriptor: the inode it decided on, whatever
 * the path names by then.  The server therefore sees the supervisor as its
 * peer (SO_PEERCRED: the supervisor's pid, the same uid and gid).
 * Abstract addresses are connected as asked: Landlock's scope decides
 * those where the kernel has it (ABI 6), in the caller... but the connect
 * is ours, so where the plan scopes abstract sockets the same
 * sandbox-tree test applies to them (by name).  sendto()/sendmsg() with a
 * pathname address on datagram sockets are not mediated (docs/mediation.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "plan/fs_eval.h"
#include "policy/policy.h"
#include "run/isolate.h"
#include "run/mediate.h"

struct sock_id {
	dev_t dev;
	ino_t ino;
};

struct sk_unix_mediation {
	struct sock_id *allow;
	size_t nallow;
	bool scope_abstract;
};

static int force_present = -1;
static char force_where[256];
/* doctor: decide as a run with namespaces would (sk_isolated() there). */
static bool assume_isolated;

void sk_unix_mediation_assume_isolated(bool on)
{
	assume_isolated = on;
}

void sk_unix_mediation_force(int present)
{
	force_present = present > 0 ? SK_HOST_SOCKET_KNOWN : present;
	snprintf(force_where, sizeof(force_where), "%s", present > 0 ? "(forced by a test)" : "");
}

const char *sk_host_daemon_socket_where(void)
{
	return force_present > 0 && force_where[0] ? force_where : NULL;
}

void sk_host_daemon_socket_pin(int present, const char *where)
{
	force_present = present;
	snprintf(force_where, sizeof(force_where), "%s", present ? where : "");
}

/* ---- where host daemons keep their sockets ---- */

static bool is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A socket directly in dir, or (depth 2) one level below. */
static bool socket_in(const char *dir, int depth, char *where, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char path[512];

		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (e->d_type == DT_SOCK || (e->d_type == DT_UNKNOWN && is_socket(path))) {
			snprintf(where, size, "%s", path);
			found = true;
		} else if (depth > 1 && e->d_type == DT_DIR) {
			found = socket_in(path, depth - 1, where, size);
		}
	}
	closedir(d);
	return found;
}

/* The path of a /proc/net/unix line ("Num RefCount Protocol Flags Type St
 * Inode Path"): everything after the seventh field, spaces included; NULL
 * for an abstract or unnamed socket. */
char *sk_unix_list_path(char *line)
{
	char *p = line;

	for (int field = 0; field < 7; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return NULL;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	if (*p != ' ' || p[1] != '/')
		return NULL;
	p++;
	p[strcspn(p, "\n")] = '\0';
	return p;
}

/* A listening pathname socket this process could connect to, from the
 * kernel's list of this network namespace's unix sockets (one read, where
 * listing /tmp costs a getdents walk over everything in it): any of them,
 * not only the known daemons', is a host's (a `tmux -S /tmp/x` server, an
 * editor's, the harness's own).  SK_HOST_SOCKET_KNOWN for one under the
 * prefixes (tmux-*, ssh-*, screens/ of any user), else LISTED, else NONE.
 * Only sockets something still listens on or is bound to are there. */
static int listed_socket(const char *const *prefixes, size_t n, char *where, size_t size)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	int found = SK_HOST_SOCKET_NONE;
	int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return SK_HOST_SOCKET_NONE;
	}
	for (;;) {
		ssize_t got;

		if (len + 4096 > cap) {
			char *b = cap < (4u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!b)
				break; /* what was read is looked at */
			buf = b;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	for (char *line = buf, *next; line && *line && found != SK_HOST_SOCKET_KNOWN; line = next) {
		bool known = false;
		char *path;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		path = sk_unix_list_path(line);
		if (!path)
			continue;
		for (size_t i = 0; i < n && !known; i++)
			known = prefixes[i] && !strncmp(path, prefixes[i], strlen(prefixes[i]));
		if (!known && found)
			continue; /* one is enough, unless it is a known one */
		/* Listed is not reachable: a mount view (namespaces) may hide
		 * it, and connecting needs write permission on the socket. */
		if (!is_socket(path) || faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
			continue;
		snprintf(where, size, "%s", path);
		found = known ? SK_HOST_SOCKET_KNOWN : SK_HOST_SOCKET_LISTED;
	}
	free(buf);
	return found;
}

/* doctor (assume_isolated): whether a socket the kernel lists has another
 * name (st_nlink > 1), as the mount view would count it (mounts.c). */
static bool listed_socket_linked(void)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[PATH_MAX + 128];
	bool linked = false;

	while (f && !linked && fgets(line, sizeof(line), f)) {
		char *path = sk_unix_list_path(line);
		struct stat st;

		linked = path && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_nlink > 1;
	}
	if (f)
		fclose(f);
	return linked;
}

int sk_host_daemon_socket(char *where, size_t size)
{
	static const char *const files[] = {
		"/run/docker.sock",
		"/var/run/docker.sock",
		"/run/podman/podman.sock",
		"/run/containerd/containerd.sock",
		"/run/dbus/system_bus_socket",
		"/run/systemd/private",
		"/run/systemd/resolve/io.systemd.Resolve",
		"/run/nscd/socket",
		"/run/snapd.socket",
	};
	static const char *const dirs[] = { "/tmp/.X11-unix", "/run/screen", "/var/run/screen" };
	const char *sock = getenv("SSH_AUTH_SOCK");
	char path[512];
	unsigned uid = (unsigned)getuid();

	if (force_present >= 0) {
		snprintf(where, size, "%s", force_where);
		return force_present;
	}
	if (sock && *sock && is_socket(sock)) {
		snprintf(where, size, "%s", sock);
		return SK_HOST_SOCKET_KNOWN;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (is_socket(files[i])) {
			snprintf(where, size, "%s", files[i]);
			return SK_HOST_SOCKET_KNOWN;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (socket_in(dirs[i], 1, where, size))
			return SK_HOST_SOCKET_KNOWN;
	/* The user's runtime directory: the session bus, pulse, podman,
	 * gnupg, systemd --user, docker rootless. */
	snprintf(path, sizeof(path), "/run/user/%u", uid);
	if (socket_in(path, 2, where, size))
		return SK_HOST_SOCKET_KNOWN;
	/* tmux-UID/default, ssh-XXXX/agent.N, screens/S-USER/...: in /tmp,
	 * or where tmux ($TMUX_TMPDIR) and ssh-agent ($TMPDIR) put them.
	 * The caller's own tmux socket by name (it may live in another
	 * network namespace); every other one, of any user, and any other
	 * listening socket, from the kernel's list. */
	const char *tmps[] = { "/tmp", getenv("TMPDIR"), getenv("TMUX_TMPDIR") };
	char prefix[3][3][300];
	const char *prefixes[ARRAY_SIZE(tmps) * 3];
	size_t np = 0;

	for (size_t t = 0; t < ARRAY_SIZE(tmps); t++) {
		static const char *const names[] = { "tmux-", "ssh-", "screens/" };

		if (!tmps[t] || tmps[t][0] != '/' || (t > 0 && !strcmp(tmps[t], "/tmp")))
			continue;
		snprintf(path, sizeof(path), "%s/tmux-%u/default", tmps[t], uid);
		if (is_socket(path)) {
			snprintf(where, size, "%s", path);
			return SK_HOST_SOCKET_KNOWN;
		}
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			size_t l = strlen(tmps[t]);

			snprintf(prefix[t][k], sizeof(prefix[t][k]), "%.*s/%s", (int)(l && tmps[t][l - 1] == '/' ? l - 1 : l),
				 tmps[t], names[k]);
			prefixes[np++] = prefix[t][k];
		}
	}
	return listed_socket(prefixes, np, where, size);
}

/* ---- the sandbox's own sockets ---- */

/* The sockfs inode of the unix socket bound to the file (dev, ino), or to
 * the abstract name (name, nlen) when name is not NULL; 0 if none. */
static unsigned find_bound_socket(const struct sock_id *id, const char *name, size_t nlen)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u, .udiag_show = name ? UDIAG_SHOW_NAME : UDIAG_SHOW_VFS },
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	/* The kernel's dev_t, as sock_diag reports it. */
	uint32_t kdev = id ? (major(id->dev) << 20) | minor(id->dev) : 0;
	unsigned found = 0;
	bool done = false;
	char *buf;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return 0;
	buf = malloc(32768);
	if (!buf || sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0) {
		free(buf);
		close(fd);
		return 0;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, 32768, 0);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct unix_diag_msg *m = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (found)
				continue; /* read the dump to its end */
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (!name && a->rta_type == UNIX_DIAG_VFS &&
				    RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs)) {
					const struct unix_diag_vfs *v = RTA_DATA(a);

					if (v->udiag_vfs_ino == id->ino && v->udiag_vfs_dev == kdev)
						found = m->udiag_ino;
				} else if (name && a->rta_type == UNIX_DIAG_NAME && RTA_PAYLOAD(a) == nlen &&
					   !memcmp(RTA_DATA(a), name, nlen) && m->udiag_state == 10 /* TCP_LISTEN */) {
					found = m->udiag_ino;
				}
			}
		}
	}
	free(buf);
	close(fd);
	return found;
}

static bool pidfd_alive(int pfd)
{
	struct pollfd p = { .fd = pfd, .events = POLLIN };

	/* A pidfd polls readable once its process has exited. */
	return poll(&p, 1, 0) == 0;
}

/* Does pid hold socket:[ino] among its descriptors? */
static bool holds_socket(pid_t pid, unsigned ino)
{
	char dir[64], want[64], link[64];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%u]", ino);
	d = opendir(dir);
	if (!d)
		return false; /* not ours to look at (not dumpable): not counted */
	while (!found && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = !strcmp(link, want);
	}
	closedir(d);
	return found;
}

/* The children of pid (every thread's), into kids; their number. */
static size_t children_of(pid_t pid, pid_t *kids, size_t max)
{
	char dir[64], path[384], buf[4096];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		ssize_t len;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/children", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		for (char *p = buf, *end; *p && n < max; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			kids[n++] = (pid_t)v;
		}
	}
	closedir(d);
	return n;
}

static bool is_child(pid_t parent, pid_t pid)
{
	pid_t kids[512];
	size_t n = children_of(parent, kids, ARRAY_SIZE(kids));

	for (size_t i = 0; i < n; i++)
		if (kids[i] == pid)
			return true;
	return false;
}

#define TREE_MAX 4096

/*
 * Does a process descending from the supervisor hold socket:[ino]?  Each
 * process is pinned by a pidfd opened before its parentage is confirmed
 * (it is still in its parent's children list after the pidfd exists) and
 * its descriptors are read; it counts only if still alive afterwards, so a
 * pid that was recycled in between never stands in for it.
 */
static bool tree_holds(const struct sk_mreq *r, unsigned ino)
{
	pid_t supervisor = r->supervisor;
	pid_t *queue = malloc(TREE_MAX * sizeof(*queue)), *parent = malloc(TREE_MAX * sizeof(*parent));
	size_t head = 0, tail = 0;
	bool found = false;

	if (!queue || !parent)
		goto out;
	{
		pid_t kids[512];
		size_t n = children_of(supervisor, kids, ARRAY_SIZE(kids));

		for (size_t i = 0; i < n && tail < TREE_MAX; i++) {
			parent[tail] = supervisor;
			queue[tail++] = kids[i];
		}
	}
	while (head < tail && !found) {
		pid_t pid = queue[head], ppid = parent[head];
		int pfd;

		head++;
		pfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pfd < 0)
			continue;
		if (!is_child(ppid, pid)) {
			close(pfd);
			continue;
		}
		found = holds_socket(pid, ino) && pidfd_alive(pfd);
		if (!found) {
			pid_t kids[512];
			size_t n = children_of(pid, kids, ARRAY_SIZE(kids));

			for (size_t i = 0; i < n && tail < TREE_MAX; i++) {
				parent[tail] = pid;
				queue[tail++] = kids[i];
			}
		}
		close(pfd);
	}
	/* A supervisor other than the caller of this (the linger process
	 * mediating from the start): still the same process at the end, so
	 * its children read above were its own, not a recycled pid's. */
	if (found && r->supervisor_pidfd >= 0 && !pidfd_alive(r->supervisor_pidfd))
		found = false;
out:
	free(queue);
	free(parent);
	return found;
}

/* ---- the handler ---- */

static void unix_connect(struct sk_mreq *r, int sock, int domain, int type, const struct sockaddr_storage *ss,
			 socklen_t len, void *data)
{
	const struct sk_unix_mediation *u = data;
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	size_t plen = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	char path[sizeof(sun->sun_path) + 1];
	struct sockaddr_un via = { .sun_family = AF_UNIX };
	struct stat st;
	unsigned ino;
	int o;

	(void)domain;
	(void)type;
	/* As unix_validate_addr(): never copy more than a sun_path holds. */
	if (len > sizeof(struct sockaddr_un)) {
		sk_mreq_fail(r, EINVAL);
		return;
	}
	/* No path: AF_UNSPEC (a datagram socket's disconnect), a bad
	 * family or length: the kernel answers those itself. */
	if (plen == 0 || ss->ss_family != AF_UNIX) {
		sk_connect_perform(r, sock, (const struct sockaddr *)ss, len);
		return;
	}
	if (sun->sun_path[0] == '\0') {
		/* Abstract: Landlock's scope in the caller would refuse a
		 * server outside the sandbox; our connect is not scoped. */
		if (u->scope_abstract) {
			ino = find_bound_socket(NULL, sun->sun_path, plen);
			if (!ino || !tree_holds(r, ino)) {
				sk_mreq_deny(r, EPERM, "an abstract socket outside the sandbox (scope: abstract_unix_sockets)",
					     "@%.*s", (int)(plen - 1), sun->sun_path + 1);
				return;
			}
		}
		sk_connect_perform(r, sock, (const struct sockaddr *)ss, len);
		return;
	}
	memcpy(path, sun->sun_path, plen);
	path[plen] = '\0'; /* the kernel stops at the first NUL too */
	o = sk_mreq_open(r, path, O_PATH, 0);
	if (o == -EPERM) {
		sk_mreq_deny(r, EACCES, "the supervisor cannot resolve the caller's path (it is not dumpable)", "%s",
			     path);
		return;
	}
	if (o < 0) {
		sk_mreq_fail(r, -o); /* ENOENT, ENOTDIR, ELOOP, EACCES: the caller's own */
		return;
	}
	if (fstat(o, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		close(o);
		sk_mreq_fail(r, ECONNREFUSED); /* as the kernel says of a file that is no socket */
		return;
	}
	bool ok = false;
	for (size_t i = 0; i < u->nallow && !ok; i++)
		ok = u->allow[i].dev == st.st_dev && u->allow[i].ino == st.st_ino;
	if (!ok) {
		struct sock_id id = { st.st_dev, st.st_ino };

		ino = find_bound_socket(&id, NULL, 0);
		ok = ino && tree_holds(r, ino);
	}
	if (!ok) {
		close(o);
		sk_mreq_deny(r, EACCES, "a host socket the policy does not name (sockets: allow)", "%s", path);
		return;
	}
	snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", o);
	sk_connect_perform(r, sock, (const struct sockaddr *)&via, sizeof(via));
	close(o);
}

/* A `sockets: allow` entry as a path: ~, $CWD, $TMPDIR and the other
 * variables filesystem paths know, or any other variable of the caller's
 * environment ($SSH_AUTH_SOCK); false if unset or empty. */
static bool expand_socket_path(const char *in, const struct sk_path_env *env, char **out)
{
	const char *v;
	size_t n;
	char name[128];

	*out = NULL;
	if (sk_path_expand(in, env, out) == 0 && *out)
		return true;
	free(*out);
	*out = NULL;
	if (in[0] != '$')
		return false;
	n = strcspn(in + 1, "/");
	if (n == 0 || n >= sizeof(name))
		return false;
	memcpy(name, in + 1, n);
	name[n] = '\0';
	v = getenv(name);
	if (!v || !*v)
		return false;
	return asprintf(out, "%s%s", v, in + 1 + n) >= 0;
}

/* Whether `path` goes through a link the sandbox could have made (its
 * directory lets the plan create entries): an earlier sandboxed run could
 * have planted it, to aim a `sockets: allow` entry at a host daemon.  Such
 * an entry allows nothing, as for --read/--write/--exec grants
 * (landlock/roots.c). */
static bool planted_link(const struct sk_fs_index *ix, const char *path)
{
	char prefix[PATH_MAX];
	size_t n = strlen(path);

	if (path[0] != '/' || n >= sizeof(prefix))
		return true; /* not judged: not allowed */
	for (size_t i = 1; i <= n; i++) {
		struct stat st;

		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		if (lstat(prefix, &st) < 0)
			return false; /* not there: nothing to allow */
		if (S_ISLNK(st.st_mode) && sk_fs_allows(ix, prefix, SK_FS_OP_CREATE))
			return true;
	}
	return false;
}

int sk_unix_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err)
{
	struct sk_unix_mediation *u;
	struct sk_connect_family fam = { .domain = AF_UNIX, .fn = unix_connect };
	char where[256];
	int ret;

	/* A policy that leaves the filesystem open (minimal, none) leaves the
	 * host open anyway (~/.bashrc): its host sockets are not guarded
	 * unless it names sockets itself. */
	/* With namespaces, the mount view hid every socket bound when the
	 * run started: mediated only where the host runs the daemons that
	 * bind theirs again later (the known places), not for any listener. */
	int host = plan->access.fs ? sk_host_daemon_socket(where, sizeof(where)) : SK_HOST_SOCKET_NONE;

	/* (And where one the view hid has another name, which it did not
	 * cover: a hard link planted by an earlier run without namespaces.) */
	bool in_view = sk_isolated() || assume_isolated;

	if (!plan->access.nsockets &&
	    !(host == SK_HOST_SOCKET_KNOWN ||
	      (host == SK_HOST_SOCKET_LISTED &&
	       (!in_view || sk_isolation_linked_sockets() > 0 || (assume_isolated && listed_socket_linked())))))
		return 0;
	u = calloc(1, sizeof(*u));
	if (!u || !(u->allow = calloc(plan->access.nsockets + 1, sizeof(*u->allow)))) {
		free(u);
		return sk_error(err, ENOMEM, "out of memory");
	}
	struct sk_path_env env = { 0 };
	struct sk_fs_index *ix = NULL;
	bool have_env = plan->access.nsockets && sk_path_env_current(&env, NULL) == 0;

	if (have_env && plan->access.fs)
		sk_fs_index_new_lazy(plan, &env, &ix, NULL);
	for (size_t i = 0; have_env && i < plan->access.nsockets; i++) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		/* Expanded as filesystem paths are ($CWD, $TMPDIR, ~).  What is
		 * not there when the run starts is not allowed, nor what is
		 * reached through a link the sandbox could have planted. */
		if (!expand_socket_path(plan->access.sockets[i].path, &env, &path) ||
		    (plan->access.fs && (!ix || planted_link(ix, path))) || stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		u->allow[u->nallow++] = (struct sock_id){ st.st_dev, st.st_ino };
	}
	sk_fs_index_free(ix);
	if (have_env)
		sk_path_env_free(&env);
	u->scope_abstract = plan->access.scope_abstract;
	fam.data = u;
	m->unix_state = u;
	ret = sk_connect_family_add(m, &fam);
	if (ret < 0)
		return sk_error(err, -ret, "cannot mediate unix sockets: %s", strerror(-ret));
	return 0;
}

void sk_unix_mediation_free(struct sk_unix_mediation *u)
{
	if (!u)
		return;
	free(u->allow);
	free(u);
}
