/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan: every syscall the policy mentions, with its base action, its
 * argument rules in the order they are tried, and where each came from.
 * Built by plan/plan.c; read by the seccomp backend, `show` and `explain`.
 */
#ifndef STOCKADE_PLAN_H
#define STOCKADE_PLAN_H

#include <linux/filter.h>

#include "plan/enforcement.h"
#include "policy/policy.h"

/* One entry of the filesystem lists, flattened over the layers. */
struct sk_fs_path {
	const char *path; /* as written ("~/.ssh/id_*"), interned in the plan */
	enum sk_fs_kind kind;
	/* Position in the stack: a carve-out applies to grants at its position
	 * and below.  SK_FS_PLACES per policy layer (sk_fs_place): its grants
	 * and the carve-out of /dev its `devices:` make, then the devices it
	 * names, then its own deny and read_only entries, so that those reach
	 * its devices too and /dev's does not. */
	size_t layer;
	struct sk_origin at;
};

enum sk_fs_place { SK_FS_AT_GRANTS, SK_FS_AT_DEVICES, SK_FS_AT_CARVES, SK_FS_PLACES };

static inline size_t sk_fs_place(size_t layer, enum sk_fs_place at)
{
	return layer * SK_FS_PLACES + at;
}

/* The policy layer of a path's position, and where in it. */
static inline size_t sk_fs_layer_of(size_t position)
{
	return position / SK_FS_PLACES;
}

static inline enum sk_fs_place sk_fs_place_of(size_t position)
{
	return (enum sk_fs_place)(position % SK_FS_PLACES);
}

/* network.allow and network.hosts flattened over the layers (strings
 * interned in the plan); what the proxy is started with. */
struct sk_net_host {
	const char *pattern; /* "registry.npmjs.org", "*.example.com" */
	uint16_t port;	     /* 0: 80 and 443 */
	struct sk_origin at;
};
struct sk_net_pin {
	const char *name, *addr;
	struct sk_origin at;
};

/* One entry of the environment lists, flattened over the layers. */
struct sk_env_entry {
	/* a pattern, NAME=value for SK_ENV_SET, "credentials" or "none" for
	 * SK_ENV_VALUES; interned in the plan */
	const char *text;
	enum sk_env_kind kind;
	struct sk_origin at;
};

struct sk_plan_access {
	enum sk_landlock_mode landlock; /* never UNSET in a plan: best_effort by default */
	struct sk_origin landlock_at;
	bool fs;		  /* some layer restricts the filesystem */
	bool broad_write;	  /* filesystem.allow_broad_write: a write root may be /, /etc, ~, ... */
	struct sk_fs_path *paths; /* in layer order */
	size_t npaths;
	enum sk_net_mode net; /* never UNSET in a plan: full by default */
	struct sk_origin net_at;
	uint16_t *tcp[SK_TCP_NDIRS]; /* sorted, unique */
	size_t ntcp[SK_TCP_NDIRS];
	bool tcp_handled[SK_TCP_NDIRS]; /* Landlock restricts this direction to the list */
	struct sk_origin tcp_at;	/* the first port of the top layer that lists any */
	/* tcp_connect entries that name an address (their ports are in
	 * tcp[SK_TCP_CONNECT] too: Landlock limits ports only). */
	struct sk_port_ref *tcp_addrs;
	size_t ntcp_addrs;
	uint16_t *tcp_bare; /* connect ports listed without an address (any host) */
	size_t ntcp_bare;
	/* mode proxy: the hosts the proxy lets through, and the pins */
	struct sk_net_host *hosts;
	size_t nhosts;
	struct sk_net_pin *pins;
	size_t npins;
	struct sk_net_host *private_hosts; /* network.private (port unused) */
	size_t nprivate;
	/* The seccomp filter lets TCP sockets through because ports are listed
	 * under mode none/unix; plan->net_fallback is the same policy without
	 * that exception, for kernels whose Landlock cannot limit the ports. */
	bool tcp_sockets;
	bool scope_signals, scope_abstract;
	struct sk_origin scope_at;
	/* capabilities.keep of the last layer that sets it.  caps false: no
	 * layer sets it, or it keeps `all`; nothing is dropped. */
	bool caps;
	uint64_t caps_keep; /* bit N: capability N */
	struct sk_origin caps_at;
	/* isolation of the last layer that sets it (OFF if none does), or
	 * --isolation's; never UNSET in a plan */
	enum sk_isolation isolation;
	struct sk_origin isolation_at;
	/* sockets.allow of every layer, as written (expanded at run time) */
	struct sk_socket_ref *sockets;
	size_t nsockets;
	/* environment: every layer's entries, in layer order (run/env.c) */
	struct sk_env_entry *env;
	size_t nenv;
};

struct sk_socket_ref {
	const char *path; /* interned in the plan */
	struct sk_origin at;
};

/* ---- the access part (access.c) ---- */

/* Fill plan->access from the layers and add the network rules to the
 * syscall entries (before their regions are computed).  `tcp_sockets`
 * false builds the fallback variant. */
int sk_plan_access_build(stockade_plan *plan, const stockade_policy *policy, bool tcp_sockets, stockade_error **err);
/* Only the flattening: plan->access from the layers (tcp_sockets false),
 * no rule added. */
int sk_plan_access_flatten(stockade_plan *plan, const stockade_policy *policy, stockade_error **err);
void sk_plan_access_free(stockade_plan *plan);
/* A copy of `s` owned by the plan (plan.c). */
int sk_plan_intern(stockade_plan *plan, const char *s, const char **out);

struct sk_plan_rule {
	struct sk_cond conds[SK_MAX_ARGS];
	size_t nconds;
	struct sk_action action;
	struct sk_origin at;
	const char *reason;
	/* Calls this rule decides: its conditions minus every earlier rule of
	 * another action.  Regions of different actions are disjoint (regions
	 * of one action may overlap), so the order a backend tests them in
	 * cannot change the outcome.  Left empty when the action is the filter
	 * default (nothing to emit). */
	struct sk_region region;
};

struct sk_plan_entry {
	const char *name;
	bool has_base;		/* set by allow/deny; otherwise the default applies */
	struct sk_action base;
	struct sk_origin base_at;
	const char *via;	/* the @group that allow/deny named, or NULL */
	struct sk_plan_rule *rules;
	size_t nrules;
	struct sk_region base_region; /* where no rule matches; empty if the base is the default */
};

/* How the seccomp backend turns decisions into user notifications for a
 * supervisor (supervise.c).  Plain enforcement is SK_NOTIFY_NONE. */
enum sk_notify_mode {
	SK_NOTIFY_NONE = 0,
	SK_NOTIFY_ERRNO, /* report: errno actions notify; the supervisor answers that errno */
	SK_NOTIFY_DENY,	 /* audit: every action but allow and log notifies; the call then runs */
	SK_NOTIFY_ALL,	 /* learn --all: every call notifies and runs */
};

struct stockade_plan {
	char *name;
	bool seccomp_enabled;
	bool audit;		    /* seccomp.mode: audit (the last layer that sets it wins) */
	struct sk_origin audit_at;
	struct sk_action default_action;
	struct sk_origin default_at;
	enum sk_compat compat;
	struct sk_origin compat_at;
	struct sk_plan_entry *entries; /* sorted by name, only syscalls the policy mentions */
	size_t nentries;
	char **strings; /* copies of origin names and reasons the plan points into */
	size_t nstrings;
	uint32_t *string_index; /* plan/plan.c's intern(): hash slots of string number + 1 */
	size_t index_cap;
	/* Filesystem, network and scope (landlock.h).  net_fallback, when not
	 * NULL, is this plan without the TCP socket exception, loaded instead
	 * when Landlock cannot limit TCP to the listed ports. */
	struct sk_plan_access access;
	struct stockade_plan *net_fallback;
	/* A built-in preset's filter for the native architecture, generated
	 * when stockade was built (plan/preset_plans.h); NULL for any other
	 * plan, whose filter a program generates (run/exec.c).  Only for
	 * plain enforcement (no notifications, not audit).  A plan is not
	 * changed once built: what applying it needs at run time (the
	 * Landlock ruleset, the filter that goes with it, the enforcement
	 * status) is a stockade_program's. */
	struct sock_filter *bpf;
	size_t bpf_len;
	/* The same plan's notifying filter for the usual mediation of a run
	 * without namespaces (seccomp.h: sk_usual_mediation, connect and
	 * io_uring_setup), generated with bpf and under the same rules. */
	struct sock_filter *mbpf;
	size_t mbpf_len;
	/* What the policy's filter refuses of the supervisor's pid fence for
	 * every id but the caller's (run/supervise_harden.c:
	 * sk_supervise_fence_policy_closed, nothing mediated), worked out
	 * when stockade was built, for a built-in preset's plan (fence_known);
	 * a run works it out for any other. */
	uint32_t fence_closed;
	bool fence_known;
};

struct sk_verdict {
	struct sk_action action;
	struct sk_origin at; /* file is NULL for the built-in fallback */
	const char *via;
	const char *reason;
	const struct sk_plan_rule *rule; /* the rule that decided, or NULL */
};

const struct sk_plan_entry *sk_plan_lookup(const stockade_plan *plan, const char *name);
/* The same binary search; *at: the entry's index, or where it would go. */
const struct sk_plan_entry *sk_plan_find(const stockade_plan *plan, const char *name, size_t *at);

/*
 * i386 reaches the socket and SysV IPC calls through socketcall(2) and
 * ipc(2) too, with the real arguments in memory a filter cannot read.  A
 * multiplexed call whose direct syscall the plan mentions gets the strictest
 * result that syscall can get, so the detour never dodges an argument rule.
 */
struct sk_multiplexed {
	const char *mux;    /* "socketcall" or "ipc" */
	const char *name;   /* the direct syscall */
	uint32_t call;	    /* (arg0 & call_mask) == call selects it */
	uint32_t call_mask; /* ipc keeps a version in the high half */
};
extern const struct sk_multiplexed sk_multiplexed[];
extern const size_t sk_multiplexed_len;
/* The verdict for a multiplexed call; false if the plan does not mention
 * its direct syscall (the multiplexer's own rules then apply). */
bool sk_plan_multiplexed(const stockade_plan *plan, const struct sk_multiplexed *mx, struct sk_action *action,
			 const struct sk_plan_entry **entry);
/* What the plan does with `name(args)`, by the policy's own semantics (no BPF). */
void sk_plan_decide(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
		    struct sk_verdict *out);
/* The action a syscall gets when no argument matters (entries without rules). */
struct sk_action sk_plan_entry_base(const stockade_plan *plan, const struct sk_plan_entry *e);

#endif
