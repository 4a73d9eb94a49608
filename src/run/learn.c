/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Learning a policy from a run.  The supervisor runs the command in audit
 * mode on the base policy: every call the base would deny notifies and then
 * runs.  Each such call becomes the smallest entry that allows it
 * (sk_fix_for: `allow: [name]`, or a rule with the exact argument values
 * the base's rules test), grouped, with the processes that needed it.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/learn.h"
#include "run/learn_files.h"
#include "run/mediate.h"

#define MAX_USERS 3
/* Entries a run can make the learner hold; past it, calls are counted. */
#define MAX_ITEMS 4096

struct learned {
	char *name;
	struct sk_fix fix;
	uint64_t args[SK_MAX_ARGS]; /* one sample, for sk_learner_check */
	unsigned long count;
	size_t nusers;
	pid_t pid[MAX_USERS];
	char comm[MAX_USERS][16];
	bool more_users;
};

struct seen {
	char *name;
	unsigned long count;
};

/* A connect the mediators would refuse: a unix socket path or a TCP
 * ADDR:PORT (learn_mediated()). */
#define MAX_CONNECTS 64
struct learned_connect {
	char target[256]; /* "/PATH" or "ADDR:PORT" */
	bool tcp, daemon; /* daemon: a host daemon's socket, never learned */
	unsigned long count;
	pid_t pid;
	char comm[16];
};

struct sk_learner {
	const stockade_plan *base;
	struct learned *items;
	size_t n;
	struct seen *seen;
	size_t nseen;
	unsigned long calls, unnamed, fallbacks, over_cap;
	bool compat;
	pid_t compat_pid;
	char compat_comm[16];
	enum sk_net_mode net; /* the network mode the run needs, SK_NET_UNSET: the base's */
	pid_t net_pid;
	char net_comm[16];
	struct learned_connect connects[MAX_CONNECTS];
	size_t nconnects;
	unsigned long connects_over;
	const struct sk_learned_files *files;
	bool oom;
};

int sk_learner_new(const stockade_plan *base, struct sk_learner **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->base = base;
	return 0;
}

void sk_learner_free(struct sk_learner *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	for (size_t i = 0; i < l->nseen; i++)
		free(l->seen[i].name);
	free(l->items);
	free(l->seen);
	free(l);
}

static bool same_fix(const struct learned *it, const char *name, const struct sk_fix *f)
{
	if (strcmp(it->name, name) || it->fix.kind != f->kind || it->fix.nconds != f->nconds)
		return false;
	for (size_t i = 0; i < f->nconds; i++)
		if (it->fix.conds[i].arg != f->conds[i].arg || it->fix.conds[i].op != f->conds[i].op ||
		    it->fix.conds[i].mask != f->conds[i].mask || it->fix.conds[i].value != f->conds[i].value)
			return false;
	return true;
}

static void count_seen(struct sk_learner *l, const char *name)
{
	struct seen *n;

	for (size_t i = 0; i < l->nseen; i++)
		if (strcmp(l->seen[i].name, name) == 0) {
			l->seen[i].count++;
			return;
		}
	n = realloc(l->seen, (l->nseen + 1) * sizeof(*n));
	if (!n || !(n[l->nseen].name = strdup(name))) {
		if (n)
			l->seen = n;
		l->oom = true;
		return;
	}
	l->seen = n;
	n[l->nseen++].count = 1;
}

static void add_user(struct learned *it, pid_t pid, const char *comm)
{
	for (size_t i = 0; i < it->nusers; i++)
		if (it->pid[i] == pid)
			return;
	if (it->nusers == MAX_USERS) {
		it->more_users = true;
		return;
	}
	it->pid[it->nusers] = pid;
	snprintf(it->comm[it->nusers], sizeof(it->comm[0]), "%s", comm);
	it->nusers++;
}

void sk_learner_event(const struct sk_event *ev, void *data)
{
	struct sk_learner *l = data;
	struct sk_fix fix;
	struct learned *it = NULL;

	l->calls++;
	/* Answered as the base does (clone3's ENOSYS, an io_uring probe):
	 * the program did without, and the policy must not grant it. */
	if (ev->fallback || sk_verdict_is_fallback(ev->name, &ev->verdict)) {
		l->fallbacks++;
		return;
	}
	if (!ev->name) {
		l->unnamed++;
		return;
	}
	count_seen(l, ev->name);
	sk_fix_for(l->base, ev->name, ev->args, &ev->verdict, ev->compat_refused, &fix);
	if (fix.compat && !l->compat) {
		l->compat = true;
		l->compat_pid = ev->pid;
		snprintf(l->compat_comm, sizeof(l->compat_comm), "%s", ev->comm);
	}
	/* full > unix > the base's own; under mode proxy the network is
	 * learned as the hosts the proxy reached (cmd_learn), not a mode. */
	if (l->base->access.net == SK_NET_PROXY)
		fix.net = SK_NET_UNSET;
	if ((fix.net == SK_NET_FULL && l->net != SK_NET_FULL) || (fix.net == SK_NET_UNIX && l->net == SK_NET_UNSET)) {
		l->net = fix.net;
		l->net_pid = ev->pid;
		snprintf(l->net_comm, sizeof(l->net_comm), "%s", ev->comm);
	}
	/* A call that needs the whole network is not learned (see
	 * sk_learner_yaml): its entry would be dead, or a half. */
	if (fix.kind == SK_FIX_NONE || fix.net == SK_NET_FULL)
		return;
	for (size_t i = 0; i < l->n && !it; i++)
		if (same_fix(&l->items[i], ev->name, &fix))
			it = &l->items[i];
	if (!it && l->n >= MAX_ITEMS) {
		l->over_cap++; /* the command picks how many kinds */
		return;
	}
	if (!it) {
		struct learned *n = realloc(l->items, (l->n + 1) * sizeof(*n));

		if (!n) {
			l->oom = true;
			return;
		}
		l->items = n;
		it = &n[l->n];
		memset(it, 0, sizeof(*it));
		it->name = strdup(ev->name);
		if (!it->name) {
			l->oom = true;
			return;
		}
		it->fix = fix;
		memcpy(it->args, ev->args, sizeof(it->args));
		l->n++;
	}
	it->count++;
	add_user(it, ev->pid, ev->comm);
}

static size_t count_connects(const struct sk_learner *l, bool tcp);

size_t sk_learner_entries(const struct sk_learner *l)
{
	/* Everything the policy writes beyond the base: the seccomp
	 * entries, network: mode: unix, compat_arches: filter, the
	 * sockets and TCP ports connected to. */
	return l->n + (l->net == SK_NET_UNIX) + l->compat + count_connects(l, true) + count_connects(l, false) +
	       (l->files ? l->files->n : 0);
}

void sk_learner_set_files(struct sk_learner *l, const struct sk_learned_files *lf)
{
	l->files = lf;
}

bool sk_learner_wanted_network(const struct sk_learner *l)
{
	return l->net == SK_NET_FULL;
}

unsigned long sk_learner_calls(const struct sk_learner *l)
{
	return l->calls;
}

unsigned long sk_learner_unnamed(const struct sk_learner *l)
{
	return l->unnamed;
}

/* Printable ASCII only: a comm or a command line goes into a comment. */
static void put_clean(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++)
		fputc(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?', f);
	if (s[i])
		fputs("...", f);
}

static void put_users(FILE *f, const struct learned *it)
{
	fputs(" # used by ", f);
	for (size_t i = 0; i < it->nusers; i++) {
		if (i)
			fputs(", ", f);
		put_clean(f, it->comm[i], 15);
		fprintf(f, " (pid %d)", (int)it->pid[i]);
	}
	if (it->more_users)
		fputs(" and others", f);
	fprintf(f, ", %lu call%s\n", it->count, it->count == 1 ? "" : "s");
}

static int cmp_items(const void *a, const void *b)
{
	const struct learned *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	for (size_t i = 0; i < x->fix.nconds && i < y->fix.nconds; i++)
		if (x->fix.conds[i].value != y->fix.conds[i].value)
			return x->fix.conds[i].value < y->fix.conds[i].value ? -1 : 1;
	/* A total order: qsort() is not stable (musl's is not merge sort). */
	return x->fix.nconds < y->fix.nconds ? -1 : x->fix.nconds > y->fix.nconds;
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

static void put_scalar(FILE *f, const char *s)
{
	bool plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			strchr("-_./+", *p);
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Where host daemons keep their sockets (the places mediate_unix.c's
 * sk_host_daemon_socket() looks): learn never grants one of them; the
 * user names it knowingly. */
static bool daemon_socket_path(const char *path)
{
	static const char *const prefixes[] = { "/run/docker.sock",   "/var/run/docker.sock", "/run/podman/",
						"/run/containerd/",   "/run/dbus/",	      "/run/systemd/",
						"/run/nscd/",	      "/run/snapd.socket",    "/tmp/.X11-unix/",
						"/run/screen/",	      "/var/run/screen/",     "/run/user/",
						"/var/run/dbus/",     "/var/run/" };
	const char *ssh = getenv("SSH_AUTH_SOCK");
	const char *tmps[] = { "/tmp", getenv("TMPDIR"), getenv("TMUX_TMPDIR") };

	if (ssh && *ssh && !strcmp(ssh, path))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return true;
	for (size_t t = 0; t < ARRAY_SIZE(tmps); t++) {
		static const char *const names[] = { "tmux-", "ssh-", "screens/" };
		size_t n = tmps[t] ? strlen(tmps[t]) : 0;

		while (n > 1 && tmps[t][n - 1] == '/')
			n--;
		if (!n || tmps[t][0] != '/' || strncmp(path, tmps[t], n) || path[n] != '/')
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			if (!strncmp(path + n + 1, names[k], strlen(names[k])))
				return true;
	}
	return false;
}

/* A socket path learn does not grant: a host daemon's (by its path, or
 * the inode of $SSH_AUTH_SOCK), or one written otherwise than as its
 * canonical path (through a link, `//`, `/./`, `..`): the spelling must
 * not let a daemon's socket in under another name. */
static bool learn_refuses_socket(const char *target)
{
	char canon[PATH_MAX];
	const char *ssh = getenv("SSH_AUTH_SOCK");
	struct stat a, b;

	if (daemon_socket_path(target))
		return true;
	if (!realpath(target, canon) || strcmp(canon, target) || daemon_socket_path(canon))
		return true;
	return ssh && *ssh && stat(ssh, &a) == 0 && stat(canon, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

void sk_learner_mediated(const struct sk_mreq *r, void *data)
{
	struct sk_learner *l = data;
	struct learned_connect *c = NULL;
	const char *target = r->detail;
	bool tcp = !strncmp(target, "TCP ", 4);
	char path[64];
	ssize_t got;
	int fd;

	if (!r->denied || strcmp(r->name, "connect"))
		return;
	if (tcp)
		target += 4;
	else if (target[0] != '/')
		return; /* a relative path or an abstract name: not a policy entry */
	for (size_t i = 0; i < l->nconnects && !c; i++)
		if (l->connects[i].tcp == tcp && !strcmp(l->connects[i].target, target))
			c = &l->connects[i];
	if (!c) {
		if (l->nconnects >= MAX_CONNECTS || strlen(target) >= sizeof(c->target)) {
			l->connects_over++;
			return;
		}
		c = &l->connects[l->nconnects++];
		snprintf(c->target, sizeof(c->target), "%s", target);
		c->tcp = tcp;
		c->daemon = !tcp && learn_refuses_socket(target);
		c->pid = r->pid;
		strcpy(c->comm, "?");
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)r->pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			if ((got = read(fd, c->comm, 15)) > 0) {
				c->comm[got] = '\0';
				c->comm[strcspn(c->comm, "\n")] = '\0';
			}
			close(fd);
		}
	}
	c->count++;
}

/* A path a policy can hold as it is: no variable, no home, no quoting. */
static bool plain_path(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("-_./+:[]", *p)))
			return false;
	return true;
}

static void put_connects(FILE *f, const struct sk_learner *l, bool tcp)
{
	for (size_t i = 0; i < l->nconnects; i++) {
		const struct learned_connect *c = &l->connects[i];

		if (c->tcp != tcp || c->daemon || !plain_path(c->target))
			continue;
		fprintf(f, "    - \"%s\" # used by ", c->target);
		put_clean(f, c->comm, 15);
		fprintf(f, " (pid %d), %lu connect%s\n", (int)c->pid, c->count, c->count == 1 ? "" : "s");
	}
}

static size_t count_connects(const struct sk_learner *l, bool tcp)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nconnects; i++)
		n += l->connects[i].tcp == tcp && !l->connects[i].daemon && plain_path(l->connects[i].target);
	return n;
}

int sk_learner_yaml(const struct sk_learner *l, const struct sk_learn_meta *m, char **out, stockade_error **err)
{
	struct learned *items = NULL;
	size_t nallow = 0, len = 0;
	char *text = NULL;
	FILE *f;

	*out = NULL;
	if (l->oom)
		return sk_error(err, ENOMEM, "out of memory while learning");
	if (l->n) {
		items = malloc(l->n * sizeof(*items));
		if (!items)
			return sk_error(err, ENOMEM, "out of memory");
		memcpy(items, l->items, l->n * sizeof(*items));
		qsort(items, l->n, sizeof(*items), cmp_items);
	}
	f = open_memstream(&text, &len);
	if (!f) {
		free(items);
		return sk_error(err, ENOMEM, "out of memory");
	}
	fputs("# Learned by `stockade learn` from a run of: ", f);
	put_clean(f, m->command ? m->command : "?", 200);
	fputs("\n# It allows what that run needed on top of ", f);
	put_clean(f, m->extends, 200);
	fputs(": each entry names the processes that used it.\n"
	      "# Review it: a different run of the same command may need more.\n",
	      f);
	fputs("version: 1\nname: ", f);
	put_scalar(f, m->name ? m->name : "learned");
	fputs("\nextends: ", f);
	put_scalar(f, m->extends);
	fputc('\n', f);
	if (l->net == SK_NET_UNIX) {
		fputs("network:\n  mode: unix # used by ", f);
		put_clean(f, l->net_comm, 15);
		fprintf(f, " (pid %d)\n", (int)l->net_pid);
	} else if (l->net == SK_NET_FULL) {
		/* The whole network is not a thing to learn from one run:
		 * the user grants it, or the hosts it needs, knowingly. */
		fputs("# The run opened network sockets (", f);
		put_clean(f, l->net_comm, 15);
		fprintf(f, ", pid %d); learn does not grant `network: mode: full`: the learned\n"
			   "# policy refuses them.  Add the hosts or ports it needs, or network: full, yourself.\n",
			(int)l->net_pid);
	}
	/* Connects the mediators refused: the narrowest entries. */
	if (count_connects(l, true)) {
		if (l->net != SK_NET_UNIX)
			fputs("network:\n", f);
		fputs("  tcp_connect:\n", f);
		put_connects(f, l, true);
	}
	if (count_connects(l, false)) {
		fputs("sockets:\n  allow:\n", f);
		put_connects(f, l, false);
	}
	for (size_t i = 0; i < l->nconnects; i++) {
		const struct learned_connect *c = &l->connects[i];

		if (c->tcp || (!c->daemon && plain_path(c->target)))
			continue;
		fputs("# A connect to ", f);
		put_clean(f, c->target, 200);
		fputs(c->daemon ? " (a host daemon's socket) was refused by the base; learn does not grant it\n"
				: " was refused by the base; its path is not one learn writes as it is\n",
		      f);
	}
	if (l->connects_over)
		fprintf(f, "# %lu more connect%s the supervisor refused were not learned.\n", l->connects_over,
			l->connects_over == 1 ? "" : "s");
	/* Paths the base's filesystem lists refused: the narrowest grants. */
	if (l->files)
		sk_learned_files_put(f, l->files);
	for (size_t i = 0; i < l->n; i++)
		nallow += items[i].fix.kind == SK_FIX_ALLOW;
	if (!l->n && !l->compat && l->net != SK_NET_UNIX && !l->nconnects && !(l->files && l->files->n)) {
		fputs(l->files && l->files->nnotes ? "# Nothing beyond the base was learned (see above).\n"
						   : "# Nothing beyond the base was needed.\n",
		      f);
	} else if (l->n || l->compat) {
		fputs("seccomp:\n", f);
		if (l->compat) {
			fputs("  compat_arches: filter # 32-bit or x32 calls, by ", f);
			put_clean(f, l->compat_comm, 15);
			fprintf(f, " (pid %d)\n", (int)l->compat_pid);
		}
		if (nallow) {
			fputs("  allow:\n", f);
			for (size_t i = 0; i < l->n; i++) {
				if (items[i].fix.kind != SK_FIX_ALLOW)
					continue;
				fprintf(f, "    - %s", items[i].name);
				put_users(f, &items[i]);
			}
		}
		if (nallow < l->n) {
			fputs("  rules:\n", f);
			for (size_t i = 0; i < l->n; i++) {
				char cond[200];

				if (items[i].fix.kind != SK_FIX_RULE)
					continue;
				fprintf(f, "    - syscall: %s", items[i].name);
				put_users(f, &items[i]);
				fputs("      args: [", f);
				for (size_t k = 0; k < items[i].fix.nconds; k++)
					fprintf(f, "%s\"%s\"", k ? ", " : "",
						sk_fix_cond_format(items[i].name, &items[i].fix.conds[k], cond,
								   sizeof(cond)));
				fputs("]\n      action: allow\n", f);
			}
		}
	}
	if (m->list_all && l->nseen) {
		struct seen *seen = malloc(l->nseen * sizeof(*seen));

		if (seen) {
			memcpy(seen, l->seen, l->nseen * sizeof(*seen));
			qsort(seen, l->nseen, sizeof(*seen), cmp_seen);
			fprintf(f, "# Every call the run made (%zu distinct, %lu in all):\n", l->nseen, l->calls);
			for (size_t i = 0; i < l->nseen; i++)
				fprintf(f, "#   %s %lu\n", seen[i].name, seen[i].count);
			free(seen);
		}
	}
	if (l->over_cap)
		fprintf(f, "# %lu more call%s of kinds past the first %d were not learned: the policy denies them.\n",
			l->over_cap, l->over_cap == 1 ? "" : "s", MAX_ITEMS);
	if (l->fallbacks)
		fprintf(f,
			"# %lu call%s (clone3, openat2, io_uring probes) got the base's answer, as designed; the "
			"program fell back and none is allowed here.\n",
			l->fallbacks, l->fallbacks == 1 ? "" : "s");
	if (l->unnamed)
		fprintf(f, "# %lu call%s had numbers libseccomp cannot name; no policy can allow them by name.\n",
			l->unnamed, l->unnamed == 1 ? "" : "s");
	free(items);
	if (fclose(f) != 0 || !text) {
		free(text);
		return sk_error(err, ENOMEM, "out of memory");
	}
	*out = text;
	return 0;
}

size_t sk_learner_check(const struct sk_learner *l, const stockade_plan *plan, const char **first)
{
	size_t denied = 0;

	*first = NULL;
	for (size_t i = 0; i < l->n; i++) {
		struct sk_verdict v;

		sk_plan_decide(plan, l->items[i].name, l->items[i].args, &v);
		if (v.action.type == SK_ACT_ALLOW || v.action.type == SK_ACT_LOG)
			continue;
		if (!denied++)
			*first = l->items[i].name;
	}
	return denied;
}
