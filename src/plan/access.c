/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layers -> the sandbox part of the plan, and the seccomp rules the network
 * mode adds.  Semantics (docs/landlock.md):
 *
 *  - `landlock`, `network.mode` and each `scope` key: the last layer that
 *    sets one wins (defaults: best_effort, full, off);
 *  - filesystem lists add up over the layers; `filesystem.replace: true`
 *    drops what the layers below listed.  A deny or read_only entry carves
 *    out of the grants of its own layer and the layers below it, so a policy
 *    can give back what its preset carved out;
 *  - TCP port lists add up; `network.replace: true` drops the lower ones.
 *
 * The network mode becomes socket() rules placed before every other rule
 * of the policy (first match wins), so no layer's `allow` undoes them:
 *
 *   none: every family but AF_UNIX fails with EACCES;
 *   unix: the same, plus AF_NETLINK with protocol NETLINK_ROUTE (getifaddrs);
 *   proxy: as none, plus plain TCP sockets: Landlock limits their connect
 *          to the proxy's port (added when the run starts it) and the
 *          tcp_connect ports;
 *   full: nothing added.
 *
 * Under none and unix, listed TCP ports let plain TCP sockets (SOCK_STREAM,
 * protocol 0 or IPPROTO_TCP) through seccomp, and Landlock restricts their
 * bind and connect to the ports.  UDP, raw sockets, MPTCP or SCTP stay
 * denied: Landlock cannot see them.  Under full with TCP ports listed,
 * MPTCP sockets are refused (mptcp_rules): Landlock would not limit them.  io_uring can open sockets that no
 * socket() rule sees, so io_uring_setup is denied too.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "plan/plan.h"

#define SOCK_TYPE_MASK 0xf

static int oom(stockade_error **err)
{
	return sk_error(err, ENOMEM, "out of memory");
}

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The entry for `name`, inserted in name order if the policy never
 * mentioned it (it then takes the default action). */
static struct sk_plan_entry *entry_for(stockade_plan *plan, const char *name)
{
	struct sk_plan_entry *n;
	const char *interned;
	size_t lo;

	if (sk_plan_find(plan, name, &lo))
		return &plan->entries[lo];
	if (sk_plan_intern(plan, name, &interned) < 0)
		return NULL;
	n = realloc(plan->entries, (plan->nentries + 1) * sizeof(*n));
	if (!n)
		return NULL;
	plan->entries = n;
	memmove(&n[lo + 1], &n[lo], (plan->nentries - lo) * sizeof(*n));
	n[lo] = (struct sk_plan_entry){ .name = interned };
	plan->nentries++;
	return &n[lo];
}

struct net_rules {
	struct sk_plan_rule *v;
	size_t n;
};

/* Queue a rule; conds are (arg, op, value) triples, or MASKED_EQ with mask. */
static int push(struct net_rules *r, struct sk_action action, const struct sk_origin *at, const char *reason,
		size_t nconds, const struct sk_cond *conds)
{
	struct sk_plan_rule *n = realloc(r->v, (r->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->v = n;
	n[r->n] = (struct sk_plan_rule){ .nconds = nconds, .action = action, .at = *at, .reason = reason };
	if (nconds)
		memcpy(n[r->n].conds, conds, nconds * sizeof(*conds));
	r->n++;
	return 0;
}

/* Put `add` in front of the entry's own rules. */
static int prepend(struct sk_plan_entry *e, struct net_rules *add)
{
	struct sk_plan_rule *n = realloc(e->rules, (e->nrules + add->n) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	e->rules = n;
	memmove(&n[add->n], &n[0], e->nrules * sizeof(*n));
	memcpy(&n[0], add->v, add->n * sizeof(*n));
	e->nrules += add->n;
	free(add->v);
	*add = (struct net_rules){ 0 };
	return 0;
}

static bool allowed(const stockade_plan *plan, const char *name, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[SK_MAX_ARGS] = { a0, a1, a2 };
	struct sk_verdict v;

	sk_plan_decide(plan, name, args, &v);
	return v.action.type == SK_ACT_ALLOW || v.action.type == SK_ACT_LOG;
}

#define COND(a, o, v) ((struct sk_cond){ .arg = (a), .op = (o), .value = (v) })
#define COND_MASK(a, m, v) ((struct sk_cond){ .arg = (a), .op = SK_OP_MASKED_EQ, .mask = (m), .value = (v) })

static int network_rules(stockade_plan *plan, bool tcp_sockets, stockade_error **err)
{
	struct sk_plan_access *sb = &plan->access;
	const struct sk_action eacces = { .type = SK_ACT_ERRNO, .errnum = EACCES };
	const struct sk_action allow = { .type = SK_ACT_ALLOW };
	const struct sk_origin *at = &sb->net_at;
	const char *why_tcp, *why_family, *why_netlink, *why_uring;
	struct net_rules r = { 0 };
	struct sk_plan_entry *e;
	bool ports = sb->ntcp[SK_TCP_CONNECT] || sb->ntcp[SK_TCP_BIND];
	int ret;

	if (!plan->seccomp_enabled) {
		if (at->line)
			return sk_error(err, EINVAL,
					"%s:%d:%d: network mode %s needs the seccomp filter, which this policy disables",
					at->file, at->line, at->column, sk_net_mode_name(sb->net));
		return sk_error(err, EINVAL, "network mode %s needs the seccomp filter, which this policy disables",
				sk_net_mode_name(sb->net));
	}
	if (sk_plan_intern(plan,
			   "listed TCP ports: plain TCP sockets pass, Landlock limits their bind and connect to the "
			   "ports",
			   &why_tcp) < 0 ||
	    sk_plan_intern(plan,
			   sb->net == SK_NET_PROXY
				   ? "network mode proxy: only AF_UNIX and TCP sockets (TCP reaches the proxy and "
				     "tcp_connect); `--allow-host NAME` lets the proxy reach a host"
			   : sb->net == SK_NET_NONE
				   ? "network mode none: only AF_UNIX sockets; `--net full` (network.mode: full) allows "
				     "the network"
				   : "network mode unix: only AF_UNIX and netlink route sockets; `--net full` "
				     "(network.mode: full) allows the network",
			   &why_family) < 0 ||
	    sk_plan_intern(plan, "network mode unix: of netlink, only NETLINK_ROUTE (getifaddrs)", &why_netlink) < 0 ||
	    sk_plan_intern(plan, "the network mode limits sockets, and io_uring opens sockets no socket() rule sees",
			   &why_uring) < 0)
		return oom(err);

	/* Plain TCP, when the rest of the policy allows it: the network mode
	 * takes away, it never adds what the policy denies. */
	sb->tcp_sockets = tcp_sockets && (ports || sb->net == SK_NET_PROXY) && allowed(plan, "socket", AF_INET, SOCK_STREAM, 0) &&
			  allowed(plan, "socket", AF_INET, SOCK_STREAM, IPPROTO_TCP) &&
			  allowed(plan, "socket", AF_INET6, SOCK_STREAM, 0) &&
			  allowed(plan, "socket", AF_INET6, SOCK_STREAM, IPPROTO_TCP);

	/* The network mode is one gate in front of the policy's own rules:
	 * every family it does not keep fails with EACCES.  Each family is
	 * decided on its own, so the regions the rules compile to stay a
	 * handful of comparisons. */
	struct sk_cond other[4];
	size_t nother = 0;
	other[nother++] = COND(0, SK_OP_NE, AF_UNIX);
	if (sb->net == SK_NET_UNIX)
		other[nother++] = COND(0, SK_OP_NE, AF_NETLINK);
	if (sb->tcp_sockets) {
		other[nother++] = COND(0, SK_OP_NE, AF_INET);
		other[nother++] = COND(0, SK_OP_NE, AF_INET6);
	}
	if (push(&r, eacces, at, why_family, nother, other) < 0)
		goto nomem;
	if (sb->net == SK_NET_UNIX) {
		const struct sk_cond nl[] = { COND(0, SK_OP_EQ, AF_NETLINK), COND(2, SK_OP_NE, NETLINK_ROUTE) };
		if (push(&r, eacces, at, why_netlink, 2, nl) < 0)
			goto nomem;
	}
	if (sb->tcp_sockets) {
		static const uint64_t fams[] = { AF_INET, AF_INET6 }, protos[] = { 0, IPPROTO_TCP };
		for (size_t f = 0; f < 2; f++) {
			const struct sk_cond fam[] = { COND(0, SK_OP_EQ, fams[f]) };
			for (size_t p = 0; p < 2; p++) {
				const struct sk_cond c[] = { COND(0, SK_OP_EQ, fams[f]),
							     COND_MASK(1, SOCK_TYPE_MASK, SOCK_STREAM),
							     COND(2, SK_OP_EQ, protos[p]) };
				if (push(&r, allow, at, why_tcp, 3, c) < 0)
					goto nomem;
			}
			if (push(&r, eacces, at, why_family, 1, fam) < 0)
				goto nomem;
		}
	}
	if (!(e = entry_for(plan, "socket")) || prepend(e, &r) < 0)
		goto nomem;

	/* io_uring, unless the policy denies it already. */
	e = entry_for(plan, "io_uring_setup");
	if (!e)
		goto nomem;
	bool uring = allowed(plan, "io_uring_setup", 0, 0, 0);
	for (size_t i = 0; i < e->nrules && !uring; i++)
		uring = e->rules[i].action.type == SK_ACT_ALLOW || e->rules[i].action.type == SK_ACT_LOG;
	if (uring) {
		if (push(&r, eacces, at, why_uring, 0, NULL) < 0 || prepend(e, &r) < 0)
			goto nomem;
	}
	return 0;
nomem:
	free(r.v);
	ret = oom(err);
	return ret;
}

/* A tcp_connect entry with an address is checked where connect() is
 * mediated (run/mediate_tcp.c); sendto() and sendmsg() with MSG_FASTOPEN
 * connect a TCP socket without connect(), so they fail instead. */
static int fastopen_rules(stockade_plan *plan, stockade_error **err)
{
	static const struct {
		const char *name;
		uint8_t flags_arg;
	} calls[] = { { "sendto", 3 }, { "sendmsg", 2 }, { "sendmmsg", 3 } };
	const struct sk_action eacces = { .type = SK_ACT_ERRNO, .errnum = EACCES };
	const char *why;

	if (sk_plan_intern(plan,
			   "tcp_connect names addresses, which connect() mediation checks: TCP Fast Open "
			   "(MSG_FASTOPEN) would connect around it",
			   &why) < 0)
		return oom(err);
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		struct net_rules r = { 0 };
		struct sk_plan_entry *e;
		const struct sk_cond c[] = { COND_MASK(calls[i].flags_arg, MSG_FASTOPEN, MSG_FASTOPEN) };
		if (push(&r, eacces, &plan->access.net_at, why, 1, c) < 0 || !(e = entry_for(plan, calls[i].name)) ||
		    prepend(e, &r) < 0) {
			free(r.v);
			return oom(err);
		}
	}
	return 0;
}

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* Under mode full a TCP port list is Landlock's, which limits TCP sockets
 * only: an MPTCP socket (IPPROTO_MPTCP, a TCP connection to the peer)
 * would bind and connect to any port.  It fails as where the kernel has no
 * MPTCP (EPROTONOSUPPORT), which the runtimes that try it first (Go's
 * listeners) take to fall back to plain TCP. */
static int mptcp_rules(stockade_plan *plan, stockade_error **err)
{
	const struct sk_action refuse = { .type = SK_ACT_ERRNO, .errnum = EPROTONOSUPPORT };
	static const uint64_t fams[] = { AF_INET, AF_INET6 };
	struct net_rules r = { 0 };
	struct sk_plan_entry *e;
	const char *why;

	if (sk_plan_intern(plan,
			   "TCP ports are listed, and Landlock limits TCP sockets only: MPTCP sockets would reach "
			   "any port",
			   &why) < 0)
		return oom(err);
	for (size_t f = 0; f < ARRAY_SIZE(fams); f++) {
		const struct sk_cond c[] = { COND(0, SK_OP_EQ, fams[f]), COND(2, SK_OP_EQ, IPPROTO_MPTCP) };

		if (push(&r, refuse, &plan->access.net_at, why, 2, c) < 0) {
			free(r.v);
			return oom(err);
		}
	}
	if (!(e = entry_for(plan, "socket")) || prepend(e, &r) < 0) {
		free(r.v);
		return oom(err);
	}
	return 0;
}

/* tcp_connect addresses, network.allow and network.hosts from layer
 * `first` up: duplicates once, a later pin of a name replaces an earlier. */
static int network_hosts(stockade_plan *plan, const stockade_policy *policy, size_t first, stockade_error **err)
{
	struct sk_plan_access *sb = &plan->access;
	size_t na = 0, nh = 0, np = 0, nv = 0;

	for (size_t li = first; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];
		for (size_t i = 0; i < l->ntcp[SK_TCP_CONNECT]; i++)
			na += l->tcp[SK_TCP_CONNECT][i].family != 0;
		nh += l->nnet_allow;
		np += l->nnet_pins;
		nv += l->nnet_private;
	}
	if (!(sb->tcp_bare = calloc(sb->ntcp[SK_TCP_CONNECT] + 1, sizeof(*sb->tcp_bare))) ||
	    !(sb->tcp_addrs = calloc(na ? na : 1, sizeof(*sb->tcp_addrs))) ||
	    !(sb->hosts = calloc(nh ? nh : 1, sizeof(*sb->hosts))) || !(sb->pins = calloc(np ? np : 1, sizeof(*sb->pins))) ||
	    !(sb->private_hosts = calloc(nv ? nv : 1, sizeof(*sb->private_hosts))))
		return oom(err);
	for (size_t li = first; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];
		for (size_t i = 0; i < l->ntcp[SK_TCP_CONNECT]; i++) {
			const struct sk_port_ref *r = &l->tcp[SK_TCP_CONNECT][i];
			bool dup = !r->family;
			if (!r->family) {
				size_t k = 0;
				while (k < sb->ntcp_bare && sb->tcp_bare[k] != r->port)
					k++;
				if (k == sb->ntcp_bare && k < sb->ntcp[SK_TCP_CONNECT])
					sb->tcp_bare[sb->ntcp_bare++] = r->port;
			}
			for (size_t k = 0; k < sb->ntcp_addrs && !dup; k++)
				dup = sb->tcp_addrs[k].port == r->port && sb->tcp_addrs[k].family == r->family &&
				      !memcmp(sb->tcp_addrs[k].addr, r->addr, sizeof(r->addr));
			if (dup)
				continue;
			sb->tcp_addrs[sb->ntcp_addrs] = *r;
			if (sk_plan_intern(plan, r->at.file, &sb->tcp_addrs[sb->ntcp_addrs].at.file) < 0)
				return oom(err);
			sb->ntcp_addrs++;
		}
		for (size_t i = 0; i < l->nnet_allow; i++) {
			const struct sk_host_ref *h = &l->net_allow[i];
			bool dup = false;
			for (size_t k = 0; k < sb->nhosts && !dup; k++)
				dup = sb->hosts[k].port == h->port && !strcmp(sb->hosts[k].pattern, h->pattern);
			if (dup)
				continue;
			struct sk_net_host *o = &sb->hosts[sb->nhosts++];
			o->port = h->port;
			o->at = h->at;
			if (sk_plan_intern(plan, h->pattern, &o->pattern) < 0 ||
			    sk_plan_intern(plan, h->at.file, &o->at.file) < 0)
				return oom(err);
		}
		for (size_t i = 0; i < l->nnet_private; i++) {
			const struct sk_host_ref *h = &l->net_private[i];
			bool dup = false;
			for (size_t k = 0; k < sb->nprivate && !dup; k++)
				dup = !strcmp(sb->private_hosts[k].pattern, h->pattern);
			if (dup)
				continue;
			struct sk_net_host *o = &sb->private_hosts[sb->nprivate++];
			o->at = h->at;
			if (sk_plan_intern(plan, h->pattern, &o->pattern) < 0 ||
			    sk_plan_intern(plan, h->at.file, &o->at.file) < 0)
				return oom(err);
		}
		for (size_t i = 0; i < l->nnet_pins; i++) {
			const struct sk_host_pin *h = &l->net_pins[i];
			size_t k = 0;
			while (k < sb->npins && strcmp(sb->pins[k].name, h->name))
				k++;
			if (k == sb->npins)
				sb->npins++;
			sb->pins[k].at = h->at;
			if (sk_plan_intern(plan, h->name, &sb->pins[k].name) < 0 ||
			    sk_plan_intern(plan, h->addr, &sb->pins[k].addr) < 0 ||
			    sk_plan_intern(plan, h->at.file, &sb->pins[k].at.file) < 0)
				return oom(err);
		}
	}
	return 0;
}

static int add_path(stockade_plan *plan, enum sk_fs_kind kind, const char *path, size_t layer, struct sk_origin at)
{
	struct sk_plan_access *sb = &plan->access;
	struct sk_fs_path *p = &sb->paths[sb->npaths++];

	*p = (struct sk_fs_path){ .kind = kind, .layer = layer, .at = at };
	if (sk_plan_intern(plan, path, &p->path) < 0 || sk_plan_intern(plan, p->at.file, &p->at.file) < 0)
		return -ENOMEM;
	return 0;
}

/* A lower layer's deny carve-out `path` that a replacing layer (from
 * first_fs up) names in undeny:, or restates (strict restates agent's; a
 * layer naming devices restates /dev): not carried, or not twice. */
static bool restated(const stockade_policy *policy, size_t first_fs, const char *path)
{
	for (size_t lj = first_fs; lj < policy->nlayers; lj++) {
		const struct sk_layer *u = policy->layers[lj];

		for (size_t k = 0; k < u->nundeny; k++)
			if (!strcmp(u->undeny[k].path, path))
				return true;
		for (size_t k = 0; k < u->nfs[SK_FS_DENY]; k++)
			if (!strcmp(u->fs[SK_FS_DENY][k].path, path))
				return true;
		if (u->devices_set && !strcmp(path, "/dev"))
			return true;
	}
	return false;
}

int sk_plan_access_flatten(stockade_plan *plan, const stockade_policy *policy, stockade_error **err)
{
	struct sk_plan_access *sb = &plan->access;
	size_t first_fs = 0, first_tcp = 0, n = 0;

	*sb = (struct sk_plan_access){ .landlock = SK_LANDLOCK_BEST_EFFORT, .net = SK_NET_FULL,
				       .isolation = SK_ISOLATION_OFF };
	for (size_t li = 0; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];

		if (l->landlock) {
			sb->landlock = l->landlock;
			sb->landlock_at = l->landlock_at;
		}
		if (l->net_mode) {
			sb->net = l->net_mode;
			sb->net_at = l->net_at;
		}
		if (l->fs_set && l->fs_replace)
			first_fs = li;
		if (l->net_replace)
			first_tcp = li;
		if (l->scope_signals_set)
			sb->scope_signals = l->scope_signals;
		if (l->scope_abstract_set)
			sb->scope_abstract = l->scope_abstract;
		if (l->scope_signals_set || l->scope_abstract_set)
			sb->scope_at = l->scope_at;
		if (l->broad_write_set)
			sb->broad_write = l->broad_write;
		if (l->caps_set) {
			sb->caps = !l->caps_all;
			sb->caps_keep = l->caps_all ? 0 : l->caps_keep;
			sb->caps_at = l->caps_at;
		}
		if (l->isolation) {
			sb->isolation = l->isolation;
			sb->isolation_at = l->isolation_at;
		}
		n += l->nsockets;
	}
	if (sk_plan_intern(plan, sb->landlock_at.file, &sb->landlock_at.file) < 0 ||
	    sk_plan_intern(plan, sb->caps_at.file, &sb->caps_at.file) < 0 ||
	    sk_plan_intern(plan, sb->net_at.file, &sb->net_at.file) < 0 ||
	    sk_plan_intern(plan, sb->scope_at.file, &sb->scope_at.file) < 0 ||
	    sk_plan_intern(plan, sb->isolation_at.file, &sb->isolation_at.file) < 0)
		return oom(err);
	sb->sockets = calloc(n ? n : 1, sizeof(*sb->sockets));
	if (!sb->sockets)
		return oom(err);
	for (size_t li = 0; li < policy->nlayers; li++)
		for (size_t i = 0; i < policy->layers[li]->nsockets; i++) {
			const struct sk_path_ref *ref = &policy->layers[li]->sockets[i];
			struct sk_socket_ref *s = &sb->sockets[sb->nsockets++];

			s->at = ref->at;
			if (sk_plan_intern(plan, ref->path, &s->path) < 0 ||
			    sk_plan_intern(plan, s->at.file, &s->at.file) < 0)
				return oom(err);
		}
	n = 0;

	for (size_t li = 0; li < policy->nlayers; li++) {
		for (int k = 0; k < SK_FS_NKINDS; k++)
			n += policy->layers[li]->nfs[k];
		if (policy->layers[li]->devices_set)
			n += policy->layers[li]->ndevices + 1;
	}
	sb->paths = calloc(n ? n : 1, sizeof(*sb->paths));
	if (!sb->paths)
		return oom(err);
	/* replace: true drops the lower layers' lists but their deny:
	 * carve-outs (the credentials, and /dev where they named devices),
	 * which now carve the replacing layer's grants too, unless a layer
	 * from there up names them in undeny:. */
	for (size_t li = 0; li < first_fs; li++) {
		const struct sk_layer *l = policy->layers[li];

		for (size_t i = 0; i < l->nfs[SK_FS_DENY] + (l->devices_set ? 1 : 0); i++) {
			bool devices = i == l->nfs[SK_FS_DENY];
			const char *path = devices ? "/dev" : l->fs[SK_FS_DENY][i].path;
			struct sk_origin at = devices ? l->devices_at : l->fs[SK_FS_DENY][i].at;

			if (restated(policy, first_fs, path))
				continue;
			/* /dev's below the replacing layer's devices, the others
			 * above them, as that layer's own would be. */
			if (add_path(plan, SK_FS_DENY, path,
				     sk_fs_place(first_fs, devices ? SK_FS_AT_GRANTS : SK_FS_AT_CARVES), at) < 0)
				return oom(err);
		}
	}
	for (size_t li = first_fs; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];
		for (int k = 0; k < SK_FS_NKINDS; k++)
			for (size_t i = 0; i < l->nfs[k]; i++) {
				bool carve = k == SK_FS_DENY || k == SK_FS_READ_ONLY;

				if (add_path(plan, (enum sk_fs_kind)k, l->fs[k][i].path,
					     sk_fs_place(li, carve ? SK_FS_AT_CARVES : SK_FS_AT_GRANTS), l->fs[k][i].at) < 0)
					return oom(err);
				if (k == SK_FS_READ || k == SK_FS_WRITE || k == SK_FS_EXEC)
					sb->fs = true;
			}
		/* /dev by name: carved out at the layer's place, the names
		 * granted just above it (below the next layer); `devices: []`
		 * carves it out with no name. */
		if (!l->devices_set)
			continue;
		if (add_path(plan, SK_FS_DENY, "/dev", sk_fs_place(li, SK_FS_AT_GRANTS), l->devices_at) < 0)
			return oom(err);
		for (size_t i = 0; i < l->ndevices; i++)
			if (add_path(plan, SK_FS_WRITE, l->devices[i].path, sk_fs_place(li, SK_FS_AT_DEVICES),
				     l->devices[i].at) < 0)
				return oom(err);
		sb->fs = true;
	}

	n = 0;
	for (size_t li = 0; li < policy->nlayers; li++)
		for (int k = 0; k < SK_ENV_NKINDS; k++)
			n += policy->layers[li]->nenv[k];
	sb->env = calloc(n ? n : 1, sizeof(*sb->env));
	if (!sb->env)
		return oom(err);
	for (size_t li = 0; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];
		for (int k = 0; k < SK_ENV_NKINDS; k++)
			for (size_t i = 0; i < l->nenv[k]; i++) {
				struct sk_env_entry *e = &sb->env[sb->nenv++];
				*e = (struct sk_env_entry){ .kind = (enum sk_env_kind)k, .at = l->env[k][i].at };
				if (sk_plan_intern(plan, l->env[k][i].path, &e->text) < 0 ||
				    sk_plan_intern(plan, e->at.file, &e->at.file) < 0)
					return oom(err);
			}
	}

	size_t top_tcp = 0;
	for (int d = 0; d < SK_TCP_NDIRS; d++) {
		size_t count = 0;
		for (size_t li = first_tcp; li < policy->nlayers; li++)
			count += policy->layers[li]->ntcp[d];
		sb->tcp[d] = calloc(count ? count : 1, sizeof(*sb->tcp[d]));
		if (!sb->tcp[d])
			return oom(err);
		for (size_t li = first_tcp; li < policy->nlayers; li++)
			for (size_t i = 0; i < policy->layers[li]->ntcp[d]; i++) {
				if (i == 0 && (li >= top_tcp || !sb->tcp_at.file)) {
					top_tcp = li;
					sb->tcp_at = policy->layers[li]->tcp[d][0].at;
				}
				sb->tcp[d][sb->ntcp[d]++] = policy->layers[li]->tcp[d][i].port;
			}
		qsort(sb->tcp[d], sb->ntcp[d], sizeof(*sb->tcp[d]), cmp_port);
		size_t w = 0;
		for (size_t i = 0; i < sb->ntcp[d]; i++)
			if (w == 0 || sb->tcp[d][w - 1] != sb->tcp[d][i])
				sb->tcp[d][w++] = sb->tcp[d][i];
		sb->ntcp[d] = w;
		/* Under none, unix and proxy, TCP is denied unless listed; under
		 * full, a list restricts that direction to it. */
		sb->tcp_handled[d] = sb->net != SK_NET_FULL || sb->ntcp[d] > 0;
	}
	if (sk_plan_intern(plan, sb->tcp_at.file, &sb->tcp_at.file) < 0)
		return oom(err);
	if (network_hosts(plan, policy, first_tcp, err) < 0)
		return -ENOMEM;
	return 0;
}

int sk_plan_access_build(stockade_plan *plan, const stockade_policy *policy, bool tcp_sockets, stockade_error **err)
{
	struct sk_plan_access *sb = &plan->access;
	int ret = sk_plan_access_flatten(plan, policy, err);

	if (ret < 0)
		return ret;
	/* Mode proxy: the proxy's own address is added to a plan built without
	 * it (run/proxy_run.c), so its filter has the rules already. */
	if ((sb->ntcp_addrs || sb->net == SK_NET_PROXY) && plan->seccomp_enabled && fastopen_rules(plan, err) < 0)
		return -ENOMEM;
	if (sb->net != SK_NET_FULL)
		return network_rules(plan, tcp_sockets, err);
	if ((sb->ntcp[SK_TCP_CONNECT] || sb->ntcp[SK_TCP_BIND]) && plan->seccomp_enabled && mptcp_rules(plan, err) < 0)
		return -ENOMEM;
	return 0;
}

void sk_plan_access_free(stockade_plan *plan)
{
	free(plan->access.paths);
	free(plan->access.sockets);
	free(plan->access.env);
	for (int d = 0; d < SK_TCP_NDIRS; d++)
		free(plan->access.tcp[d]);
	free(plan->access.tcp_addrs);
	free(plan->access.tcp_bare);
	free(plan->access.hosts);
	free(plan->access.pins);
	free(plan->access.private_hosts);
	stockade_plan_free(plan->net_fallback);
}
