/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Denials explained: decoded arguments, where the verdict came from, and
 * the smallest policy change that allows the call.  See denial.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "run/denial.h"

enum arg_fmt {
	FMT_ENUM,     /* one constant with exactly this value */
	FMT_ENUM32,   /* the same, on the low 32 bits (ioctl requests) */
	FMT_FLAGS,    /* an OR of single-bit constants */
	FMT_CLONE,    /* clone flags: a signal in the low byte, CLONE_* above */
	FMT_SOCKTYPE, /* a SOCK_* type in the low nibble, SOCK_CLOEXEC/NONBLOCK */
};

struct arg_format {
	const char *syscall;
	unsigned arg;
	enum arg_fmt fmt;
	const char *prefixes; /* space-separated constant name prefixes */
};

/* The arguments worth showing.  Only integers: pointers are never read. */
static const struct arg_format arg_formats[] = {
	{ "socket", 0, FMT_ENUM, "AF_" },
	{ "socket", 1, FMT_SOCKTYPE, "SOCK_" },
	{ "socketpair", 0, FMT_ENUM, "AF_" },
	{ "socketpair", 1, FMT_SOCKTYPE, "SOCK_" },
	{ "clone", 0, FMT_CLONE, "CLONE_" },
	{ "unshare", 0, FMT_FLAGS, "CLONE_" },
	{ "setns", 1, FMT_FLAGS, "CLONE_" },
	{ "ioctl", 1, FMT_ENUM32, "TIOC FIO TC" },
	{ "memfd_create", 1, FMT_FLAGS, "MFD_" },
	{ "execveat", 4, FMT_FLAGS, "AT_" },
	{ "prctl", 0, FMT_ENUM, "PR_" },
	{ "mount", 3, FMT_FLAGS, "MS_" },
	{ "umount2", 1, FMT_FLAGS, "MNT_ UMOUNT_" },
	{ "personality", 0, FMT_FLAGS, "ADDR_ MMAP_ READ_ SHORT_ STICKY_ WHOLE_ FDPIC_ UNAME26" },
	{ "mmap", 2, FMT_FLAGS, "PROT_" },
	{ "mmap", 3, FMT_FLAGS, "MAP_" },
	{ "mprotect", 2, FMT_FLAGS, "PROT_" },
	{ "fcntl", 1, FMT_ENUM, "F_" },
	{ "openat", 2, FMT_FLAGS, "O_" },
	{ "open", 1, FMT_FLAGS, "O_" },
};

/* Second names for a value another constant names better. */
static const char *const aliases[] = {
	"AF_LOCAL", "AF_ROUTE", "AT_EACCESS", "AT_STATX_SYNC_AS_STAT", "NETLINK_SOCK_DIAG", "SIGIOT", "SIGPOLL",
	"O_RDONLY", "PROT_NONE", "F_DUPFD", "MAP_TYPE", "PER_MASK", "CSIGNAL", "MAP_SHARED_VALIDATE", "O_ACCMODE",
	"S_IFMT", "O_SYNC",
};

static bool is_alias(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcmp(aliases[i], name) == 0)
			return true;
	return false;
}

static bool has_prefix(const char *name, const char *prefixes)
{
	const char *p = prefixes;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n && strncmp(name, p, n) == 0)
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

static const struct arg_format *format_of(const char *name, unsigned arg)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(arg_formats); i++)
		if (arg_formats[i].arg == arg && strcmp(arg_formats[i].syscall, name) == 0)
			return &arg_formats[i];
	return NULL;
}

static const char *constant_named(uint64_t value, const char *prefixes)
{
	for (size_t i = 0; i < sk_constants_len; i++)
		if (sk_constants[i].value == value && has_prefix(sk_constants[i].name, prefixes) &&
		    !is_alias(sk_constants[i].name))
			return sk_constants[i].name;
	return NULL;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
}

static void put_hex(struct out *o, uint64_t v)
{
	if (v < 10)
		put(o, "%llu", (unsigned long long)v);
	else
		put(o, "0x%llx", (unsigned long long)v);
}

/* v as single-bit constants, then whatever is left in hex; "0" if v is 0. */
static void put_flags(struct out *o, uint64_t v, const char *prefixes, bool sep)
{
	uint64_t left = v;

	for (size_t i = 0; i < sk_constants_len && left; i++) {
		uint64_t c = sk_constants[i].value;

		if (!c || (c & (c - 1)) || !(left & c) || !has_prefix(sk_constants[i].name, prefixes) ||
		    is_alias(sk_constants[i].name))
			continue;
		put(o, "%s%s", sep ? "|" : "", sk_constants[i].name);
		sep = true;
		left &= ~c;
	}
	if (left || !sep) {
		if (sep)
			put(o, "|");
		put_hex(o, left);
	}
}

static void put_value(struct out *o, const struct arg_format *f, uint64_t v)
{
	const char *n;

	switch (f ? f->fmt : FMT_ENUM) {
	case FMT_ENUM:
		if (f && (n = constant_named(v, f->prefixes)))
			put(o, "%s", n);
		else
			put_hex(o, v);
		break;
	case FMT_ENUM32:
		if (v <= 0xffffffffULL && (n = constant_named(v, f->prefixes)))
			put(o, "%s", n);
		else
			put_hex(o, v);
		break;
	case FMT_FLAGS:
		put_flags(o, v, f->prefixes, false);
		break;
	case FMT_CLONE: {
		uint64_t sig = v & 0xff;
		bool sep = false;

		if (v & ~0xffULL) {
			put_flags(o, v & ~0xffULL, f->prefixes, false);
			sep = true;
		}
		if (sig || !sep) {
			if (sep)
				put(o, "|");
			if (sig && (n = constant_named(sig, "SIG")))
				put(o, "%s", n);
			else
				put_hex(o, sig);
		}
		break;
	}
	case FMT_SOCKTYPE: {
		uint64_t type = v & 0xf;

		if ((n = constant_named(type, "SOCK_")))
			put(o, "%s", n);
		else
			put_hex(o, type);
		if (v & ~0xfULL) {
			put(o, "|");
			put_flags(o, v & ~0xfULL, "SOCK_", false);
		}
		break;
	}
	}
}

/* Past this many names a value is clearer in hex. */
#define MAX_NAMES 6

/* One value, symbolic if that fits in `size` and stays short, else hex. */
static void put_arg(struct out *o, const struct arg_format *f, uint64_t v)
{
	char tmp[1024];
	struct out t = { tmp, sizeof(tmp), 0 };
	size_t names = 1;

	tmp[0] = '\0';
	put_value(&t, f, v);
	for (const char *p = tmp; *p; p++)
		names += *p == '|';
	if (names > MAX_NAMES || t.len + 1 >= sizeof(tmp) || o->len + t.len + 1 >= o->size)
		put_hex(o, v);
	else
		put(o, "%s", tmp);
}

const char *sk_format_arg(const char *name, unsigned arg, uint64_t value, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	put_arg(&o, format_of(name, arg), value);
	return buf;
}

const char *sk_decode_args(const char *name, const uint64_t args[SK_MAX_ARGS], char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	bool any = false;

	if (size)
		buf[0] = '\0';
	if (!name)
		return buf;
	/* Only the calls whose arguments say what the call does. */
	if (strcmp(name, "mmap") == 0 || strcmp(name, "mprotect") == 0 || strcmp(name, "fcntl") == 0 ||
	    strcmp(name, "open") == 0 || strcmp(name, "openat") == 0)
		return buf;
	for (unsigned i = 0; i < SK_MAX_ARGS; i++) {
		const struct arg_format *f = format_of(name, i);

		if (!f)
			continue;
		if (any)
			put(&o, ", ");
		put_arg(&o, f, args[i]);
		any = true;
	}
	return buf;
}

static bool is_net_rule(const stockade_plan *plan, const struct sk_plan_rule *r)
{
	const struct sk_origin *at = &plan->access.net_at;

	return plan->access.net != SK_NET_FULL && at->file && r->at.file == at->file && r->at.line == at->line &&
	       r->at.column == at->column;
}

/* sk_plan_decide() as if the network mode were full: without the rules
 * the network mode puts first (plan/access.c). */
static void decide_without_net(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
			       struct sk_verdict *out)
{
	const struct sk_plan_entry *e = sk_plan_lookup(plan, name);

	sk_plan_decide(plan, name, args, out);
	if (!e || !out->rule || !is_net_rule(plan, out->rule))
		return;
	*out = (struct sk_verdict){ .action = plan->default_action, .at = plan->default_at };
	for (size_t i = 0; i < e->nrules; i++) {
		const struct sk_plan_rule *r = &e->rules[i];
		bool match = !is_net_rule(plan, r);

		for (size_t k = 0; k < r->nconds && match; k++)
			match = sk_cond_match(&r->conds[k], args);
		if (match) {
			*out = (struct sk_verdict){ .action = r->action, .at = r->at, .reason = r->reason, .rule = r };
			return;
		}
	}
	if (e->has_base)
		*out = (struct sk_verdict){ .action = e->base, .at = e->base_at, .via = e->via };
}

bool sk_verdict_is_network(const stockade_plan *plan, const struct sk_verdict *v)
{
	return v->rule && is_net_rule(plan, v->rule);
}

bool sk_verdict_is_fallback(const char *name, const struct sk_verdict *v)
{
	return sk_designed_fallback(name) && v->action.type == SK_ACT_ERRNO && v->action.errnum == ENOSYS;
}

void sk_fix_for(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
		const struct sk_verdict *v, bool compat_refused, struct sk_fix *out)
{
	const struct sk_plan_entry *e;
	struct sk_verdict again;
	bool used[SK_MAX_ARGS] = { false }, low32[SK_MAX_ARGS] = { false };

	memset(out, 0, sizeof(*out));
	out->compat = compat_refused;
	if (!name)
		return; /* a number no policy can name */
	/* ENOSYS for clone3 is the policy working: nothing to fix. */
	if (!compat_refused && sk_verdict_is_fallback(name, v))
		return;
	if (compat_refused) {
		/* With compat_arches: filter, the call meets the rules by name. */
		sk_plan_decide(plan, name, args, &again);
		v = &again;
	}
	if (sk_verdict_is_network(plan, v)) {
		/* The network mode decides first: what does the rest say? */
		out->net = args[0] == 16 /* AF_NETLINK */ && args[2] == 0 /* NETLINK_ROUTE */ &&
					   strcmp(name, "socket") == 0
				   ? SK_NET_UNIX
				   : SK_NET_FULL;
		decide_without_net(plan, name, args, &again);
		v = &again;
	}
	if (v->action.type == SK_ACT_ALLOW || v->action.type == SK_ACT_LOG)
		return;
	e = sk_plan_lookup(plan, name);
	for (size_t i = 0; e && i < e->nrules; i++) {
		if (is_net_rule(plan, &e->rules[i]))
			continue;
		for (size_t k = 0; k < e->rules[i].nconds; k++) {
			const struct sk_cond *c = &e->rules[i].conds[k];

			used[c->arg] = true;
			if (c->op == SK_OP_MASKED_EQ && c->mask == 0xffffffffULL)
				low32[c->arg] = true;
		}
	}
	/* With network mode none or unix, plan/access.c denies io_uring (its
	 * sockets escape the socket() rules) once the rest allows it. */
	if (strcmp(name, "io_uring_setup") == 0 && plan->access.net != SK_NET_FULL)
		out->net = SK_NET_FULL;
	/* No argument rule decides the call: allow the name.  Otherwise
	 * allowing the name would drop its argument rules and allow more than
	 * this call: allow exactly its values of the arguments they test. */
	out->kind = SK_FIX_ALLOW;
	for (unsigned a = 0; a < SK_MAX_ARGS; a++) {
		struct sk_cond *c;

		if (!used[a])
			continue;
		out->kind = SK_FIX_RULE;
		c = &out->conds[out->nconds++];
		c->arg = (uint8_t)a;
		if (low32[a]) {
			c->op = SK_OP_MASKED_EQ;
			c->mask = 0xffffffffULL;
			c->value = args[a] & 0xffffffffULL;
		} else {
			c->op = SK_OP_EQ;
			c->value = args[a];
		}
	}
}

const char *sk_fix_cond_format(const char *name, const struct sk_cond *c, char *buf, size_t size)
{
	char v[160];

	sk_format_arg(name, c->arg, c->value, v, sizeof(v));
	if (c->op == SK_OP_MASKED_EQ)
		snprintf(buf, size, "arg%u & 0x%llx == %s", c->arg, (unsigned long long)c->mask, v);
	else
		snprintf(buf, size, "arg%u == %s", c->arg, v);
	return buf;
}

const char *sk_fix_rule_format(const char *name, const struct sk_fix *f, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	char cond[200];

	if (size)
		buf[0] = '\0';
	put(&o, "{syscall: %s", name);
	if (f->nconds) {
		put(&o, ", args: [");
		for (size_t i = 0; i < f->nconds; i++)
			put(&o, "%s\"%s\"", i ? ", " : "", sk_fix_cond_format(name, &f->conds[i], cond, sizeof(cond)));
		put(&o, "]");
	}
	put(&o, ", action: allow}");
	return buf;
}

static void put_origin(struct out *o, const struct sk_origin *at)
{
	if (!at->file)
		put(o, "the built-in default");
	else if (at->line)
		put(o, "%s:%d:%d", at->file, at->line, at->column);
	else
		put(o, "the %s", at->file);
}

enum sk_verdict_kind sk_verdict_kind(const stockade_plan *plan, const char *name, const struct sk_verdict *v,
				     bool compat_refused)
{
	const struct sk_plan_entry *e = name ? sk_plan_lookup(plan, name) : NULL;

	if (compat_refused)
		return SK_VERDICT_COMPAT;
	if (v->rule)
		return SK_VERDICT_RULE;
	if (e && e->has_base && v->at.file == e->base_at.file && v->at.line == e->base_at.line &&
	    v->at.column == e->base_at.column)
		return SK_VERDICT_BASE;
	return SK_VERDICT_DEFAULT;
}

const char *sk_verdict_origin(const stockade_plan *plan, const char *name, const struct sk_verdict *v,
			      bool compat_refused, char *buf, size_t size)
{
	bool allows = v->action.type == SK_ACT_ALLOW || v->action.type == SK_ACT_LOG;
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	switch (sk_verdict_kind(plan, name, v, compat_refused)) {
	case SK_VERDICT_COMPAT:
		put(&o, "compat_arches: refuse at ");
		break;
	case SK_VERDICT_RULE:
		put(&o, "rule at ");
		break;
	case SK_VERDICT_BASE:
		put(&o, "%s %s at ", allows ? "allow" : "deny", v->via ? v->via : name);
		break;
	case SK_VERDICT_DEFAULT:
		put(&o, "default_action at ");
		break;
	}
	put_origin(&o, &v->at);
	return buf;
}
