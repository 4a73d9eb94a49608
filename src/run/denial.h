/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a denial was and how to allow it: argument decoding for the few
 * calls whose arguments say something (socket family, clone flags, ioctl
 * request, ...) and the smallest policy change that allows one call.
 * Shared by the report (src/cli/report.c) and `stockade learn` (learn.c).
 */
#ifndef STOCKADE_DENIAL_H
#define STOCKADE_DENIAL_H

#include "plan/plan.h"

/* Decoded arguments, "AF_PACKET, SOCK_RAW", "CLONE_NEWUSER|SIGCHLD",
 * "TIOCSTI"; "" for calls whose arguments are not decoded. */
const char *sk_decode_args(const char *name, const uint64_t args[SK_MAX_ARGS], char *buf, size_t size);

/* Argument `arg` of `name` as a policy value: symbolic where the constants
 * table has names for it ("AF_PACKET", "CLONE_NEWUSER|SIGCHLD"), hex
 * otherwise.  sk_value_parse() reads it back to the same number. */
const char *sk_format_arg(const char *name, unsigned arg, uint64_t value, char *buf, size_t size);

enum sk_fix_kind {
	SK_FIX_NONE = 0, /* allowed already */
	SK_FIX_ALLOW,	 /* allow: [name] (or --allow name) */
	SK_FIX_RULE,	 /* a rule allowing exactly these argument values */
};

struct sk_fix {
	enum sk_fix_kind kind;
	bool compat;	      /* also needs compat_arches: filter */
	enum sk_net_mode net; /* also needs this network mode (SK_NET_UNSET: no change) */
	struct sk_cond conds[SK_MAX_ARGS];
	size_t nconds;
};

/*
 * The smallest change, as a layer on top of the plan, that allows
 * name(args): `allow: [name]` when no argument rule decides the call
 * (dropping rules would allow more than this call), otherwise a rule that
 * allows exactly the values this call passed in the arguments the plan's
 * rules for `name` test (under a 32-bit mask where they use one); and the
 * network mode, or compat_arches: filter, where those decide first.
 */
void sk_fix_for(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
		const struct sk_verdict *v, bool compat_refused, struct sk_fix *out);

/* The verdict is a designed fallback's ENOSYS (clone3, openat2; see
 * sk_designed_fallback): no denial, and no fix (sk_fix_for gives none). */
bool sk_verdict_is_fallback(const char *name, const struct sk_verdict *v);

/* The verdict came from the rules the network mode adds (network: none or
 * unix), which come before every seccomp rule. */
bool sk_verdict_is_network(const stockade_plan *plan, const struct sk_verdict *v);

/* One condition of a fix, "arg0 == AF_PACKET". */
const char *sk_fix_cond_format(const char *name, const struct sk_cond *c, char *buf, size_t size);

/* The fix as a flow-style YAML rule:
 * {syscall: socket, args: ["arg0 == AF_PACKET"], action: allow} */
const char *sk_fix_rule_format(const char *name, const struct sk_fix *f, char *buf, size_t size);

/* Which kind of entry decided. */
enum sk_verdict_kind {
	SK_VERDICT_RULE,    /* an argument rule */
	SK_VERDICT_BASE,    /* allow: / deny: of the syscall or a @group */
	SK_VERDICT_DEFAULT, /* default_action */
	SK_VERDICT_COMPAT,  /* compat_arches: refuse */
};
enum sk_verdict_kind sk_verdict_kind(const stockade_plan *plan, const char *name, const struct sk_verdict *v,
				     bool compat_refused);

/* Where a verdict came from, for people: "rule preset:agent:150:7",
 * "deny @debug at preset:agent:20:7", "default_action at preset:strict:9:3". */
const char *sk_verdict_origin(const stockade_plan *plan, const char *name, const struct sk_verdict *v,
			      bool compat_refused, char *buf, size_t size);

#endif
