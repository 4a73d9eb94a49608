/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan as an artifact: raw BPF for bubblewrap, OCI JSON for runc, crun,
 * Docker, Podman and Kubernetes, and a listing of the BPF for review
 * (bpf_disasm.c; the format is still called pfc, its old name).
 *
 * OCI export.  The plan already splits every rule into regions that are
 * disjoint between actions and made of libseccomp-expressible terms (see
 * region.c); each term is exactly one OCI syscall entry (ANDed args, one per
 * argument), and runc and crun hand each entry to seccomp_rule_add(), as
 * tests/sim/oracle_libseccomp.c does with the terms themselves.  Terms of
 * the same action and conditions are merged into one entry with several
 * names.  What OCI cannot say:
 *
 *  - `compat_arches: refuse`: the runtimes leave architectures not listed to
 *    libseccomp's bad-architecture action, SCMP_ACT_KILL, which kills the
 *    calling thread, not the process;
 *  - with 32-bit ABIs in the filter (compat_arches: filter, or an i386 or x32
 *    target), a comparison with a 64-bit datum: libseccomp cuts the datum to
 *    its low 32 bits there, where stockade compiles the condition's true
 *    meaning on 32-bit arguments (seccomp.c, restrict32).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "plan/plan.h"
#include "policy/oci.h"
#include "seccomp/seccomp.h"

void stockade_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int stockade_format_from_name(const char *name, enum stockade_format *out)
{
	if (!strcmp(name, "bpf"))
		*out = STOCKADE_FORMAT_BPF;
	else if (!strcmp(name, "oci") || !strcmp(name, "json"))
		*out = STOCKADE_FORMAT_OCI;
	else if (!strcmp(name, "listing") || !strcmp(name, "pfc"))
		*out = STOCKADE_FORMAT_LISTING;
	else
		return -EINVAL;
	return 0;
}

struct strv {
	char **v;
	size_t n;
	bool failed;
};

static void strv_add(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void strv_add(struct strv *s, const char *fmt, ...)
{
	char **n, *str = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0) {
		s->failed = true;
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0) {
			free(str);
			return;
		}
	n = realloc(s->v, (s->n + 2) * sizeof(*n));
	if (!n) {
		free(str);
		s->failed = true;
		return;
	}
	s->v = n;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

static const char *arch_label(uint32_t arch)
{
	const char *name = stockade_arch_name(arch);

	return name ? name : arch == SCMP_ARCH_ARM ? "arm" : "?";
}

static bool is_32bit(uint32_t arch)
{
	return arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_X32 || arch == SCMP_ARCH_ARM;
}

/* Does libseccomp's reading of `c` on a 32-bit ABI (the datum cut to its low
 * word) mean what `c` means for 32-bit arguments? */
static bool cond_same32(const struct sk_cond *c)
{
	const uint64_t lo = 0xffffffffULL;

	if (c->value <= lo)
		return true;
	switch (c->op) {
	case SK_OP_LE: /* both always true */
	case SK_OP_GT: /* both never true */
		return (c->value & lo) == lo;
	case SK_OP_MASKED_EQ: /* both never true */
		return ((c->value & lo) & ~(c->mask & lo)) != 0;
	default:
		return false;
	}
}

static const char *origin_text(const struct sk_origin *o, char *buf, size_t size)
{
	if (!o->file)
		snprintf(buf, size, "built-in default");
	else if (o->line)
		snprintf(buf, size, "%s:%d:%d", o->file, o->line, o->column);
	else
		snprintf(buf, size, "%s", o->file);
	return buf;
}

/* One OCI entry: an action and the conditions of one term, many names. */
struct group {
	struct sk_action action;
	struct sk_term term;
	const char **names;
	size_t n;
};

struct groups {
	struct group *g;
	size_t n;
	bool failed;
};

static bool term_eq(const struct sk_term *a, const struct sk_term *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		const struct sk_cond *x = &a->c[i], *y = &b->c[i];
		if (x->arg != y->arg || x->op != y->op || x->value != y->value ||
		    (x->op == SK_OP_MASKED_EQ && x->mask != y->mask))
			return false;
	}
	return true;
}

static void group_add(struct groups *gs, struct sk_action action, const struct sk_term *t, const char *name)
{
	struct group *g = NULL;
	const char **nn;

	for (size_t i = 0; i < gs->n && !g; i++)
		if (sk_action_eq(gs->g[i].action, action) && term_eq(&gs->g[i].term, t))
			g = &gs->g[i];
	if (!g) {
		struct group *ng = realloc(gs->g, (gs->n + 1) * sizeof(*ng));
		if (!ng) {
			gs->failed = true;
			return;
		}
		gs->g = ng;
		g = &gs->g[gs->n++];
		*g = (struct group){ .action = action, .term = *t };
	}
	if (g->n && strcmp(g->names[g->n - 1], name) == 0)
		return; /* two terms of one syscall that differ only elsewhere */
	nn = realloc(g->names, (g->n + 1) * sizeof(*nn));
	if (!nn) {
		gs->failed = true;
		return;
	}
	g->names = nn;
	g->names[g->n++] = name;
}

static const char *scmp_action_name(struct sk_action a)
{
	switch (a.type) {
	case SK_ACT_ALLOW:
		return "SCMP_ACT_ALLOW";
	case SK_ACT_LOG:
		return "SCMP_ACT_LOG";
	case SK_ACT_ERRNO:
		return "SCMP_ACT_ERRNO";
	case SK_ACT_TRAP:
		return "SCMP_ACT_TRAP";
	case SK_ACT_KILL_THREAD:
		return "SCMP_ACT_KILL_THREAD";
	case SK_ACT_KILL_PROCESS:
		return "SCMP_ACT_KILL_PROCESS";
	}
	return "SCMP_ACT_KILL_PROCESS";
}

static const char *scmp_op_name(uint8_t op)
{
	switch (op) {
	case SK_OP_EQ:
		return "SCMP_CMP_EQ";
	case SK_OP_NE:
		return "SCMP_CMP_NE";
	case SK_OP_LT:
		return "SCMP_CMP_LT";
	case SK_OP_LE:
		return "SCMP_CMP_LE";
	case SK_OP_GT:
		return "SCMP_CMP_GT";
	case SK_OP_GE:
		return "SCMP_CMP_GE";
	case SK_OP_MASKED_EQ:
		return "SCMP_CMP_MASKED_EQ";
	}
	return "SCMP_CMP_EQ";
}

static void emit_group(struct sk_buf *b, const struct group *g, bool last)
{
	sk_buf_printf(b, "\t\t{\n\t\t\t\"names\": [\n");
	for (size_t i = 0; i < g->n; i++) {
		sk_buf_printf(b, "\t\t\t\t");
		sk_buf_json_string(b, g->names[i]);
		sk_buf_printf(b, "%s\n", i + 1 < g->n ? "," : "");
	}
	sk_buf_printf(b, "\t\t\t],\n\t\t\t\"action\": \"%s\"", scmp_action_name(g->action));
	if (g->action.type == SK_ACT_ERRNO)
		sk_buf_printf(b, ",\n\t\t\t\"errnoRet\": %d", g->action.errnum);
	if (g->term.n) {
		sk_buf_printf(b, ",\n\t\t\t\"args\": [\n");
		for (unsigned k = 0; k < g->term.n; k++) {
			const struct sk_cond *c = &g->term.c[k];
			sk_buf_printf(b, "\t\t\t\t{ \"index\": %u, ", c->arg);
			if (c->op == SK_OP_MASKED_EQ)
				sk_buf_printf(b, "\"value\": %llu, \"valueTwo\": %llu, ", (unsigned long long)c->mask,
					      (unsigned long long)c->value);
			else
				sk_buf_printf(b, "\"value\": %llu, ", (unsigned long long)c->value);
			sk_buf_printf(b, "\"op\": \"%s\" }%s\n", scmp_op_name(c->op), k + 1 < g->term.n ? "," : "");
		}
		sk_buf_printf(b, "\t\t\t]");
	}
	sk_buf_printf(b, "\n\t\t}%s\n", last ? "" : ",");
}

static bool exists_on(const char *name, const uint32_t *arches, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
			return true;
	return false;
}

static void collect_region(struct groups *gs, struct strv *lost, const struct sk_plan_entry *e,
			   struct sk_action action, const struct sk_region *r, const uint32_t *arches, size_t narches)
{
	char cond[96];

	for (size_t t = 0; t < r->n; t++) {
		const struct sk_term *term = &r->terms[t];

		for (size_t a = 0; a < narches; a++) {
			if (!is_32bit(arches[a]) || seccomp_syscall_resolve_name_arch(arches[a], e->name) < 0)
				continue;
			for (unsigned k = 0; k < term->n; k++)
				if (!cond_same32(&term->c[k]))
					strv_add(lost,
						 "%s: the condition `%s` compares a 64-bit value; libseccomp cuts it to "
						 "32 bits on %s, so runc and crun would decide other calls there",
						 e->name, sk_cond_format(&term->c[k], cond, sizeof(cond)),
						 arch_label(arches[a]));
		}
		group_add(gs, action, term, e->name);
	}
}

static int refuse_lossy(struct strv *lost, unsigned flags, stockade_error **err)
{
	if (lost->failed)
		return sk_error(err, ENOMEM, "out of memory");
	if (!lost->n || (flags & STOCKADE_EXPORT_LOSSY))
		return 0;
	sk_error(err, ENOTSUP, "%s cannot be exported: %s%s", lost->n > 1 ? "these features" : "this feature",
		 lost->v[0], lost->n > 1 ? " (and more)" : "");
	sk_error_hint(err, "--lossy exports anyway and lists what is lost%s",
		      strncmp(lost->v[0], "compat_arches", 13) == 0 ? "; or set `compat_arches: filter`" : "");
	return -ENOTSUP;
}

static int export_oci(const stockade_plan *plan, uint32_t arch, unsigned flags, char **data, size_t *len,
		      struct strv *lostp, stockade_error **err)
{
	struct groups gs = { 0 };
	struct strv lost = *lostp;
	struct sk_buf b = { 0 };
	uint32_t arches[3] = { arch }, extra[2];
	size_t narches = 1, nextra;
	char from[256];
	int ret = 0;

	sk_compat_arches(arch, extra, &nextra);
	if (plan->compat == SK_COMPAT_FILTER)
		for (size_t i = 0; i < nextra; i++)
			arches[narches++] = extra[i];
	else if (nextra)
		strv_add(&lost,
			 "compat_arches: refuse (%s): OCI runtimes leave the architectures they are not given to "
			 "libseccomp's bad-architecture action, SCMP_ACT_KILL, which kills the calling thread of an "
			 "%s call, not the whole process",
			 origin_text(&plan->compat_at, from, sizeof(from)), nextra == 2 ? "i386 or x32" : "arm");

	/* Unconditional entries first, then those with arguments. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < plan->nentries; i++) {
			const struct sk_plan_entry *e = &plan->entries[i];
			struct sk_action base = sk_plan_entry_base(plan, e);

			if (!exists_on(e->name, arches, narches))
				continue;
			for (size_t k = 0; k < e->nrules; k++) {
				const struct sk_plan_rule *r = &e->rules[k];
				if (sk_action_eq(r->action, plan->default_action))
					continue;
				for (size_t t = 0; t < r->region.n; t++) {
					struct sk_region sel = { .terms = &r->region.terms[t], .n = 1 };
					if ((sel.terms->n == 0) == (pass == 0))
						collect_region(&gs, &lost, e, r->action, &sel, arches, narches);
				}
			}
			if (sk_action_eq(base, plan->default_action))
				continue;
			for (size_t t = 0; t < e->base_region.n; t++) {
				struct sk_region sel = { .terms = &e->base_region.terms[t], .n = 1 };
				if ((sel.terms->n == 0) == (pass == 0))
					collect_region(&gs, &lost, e, base, &sel, arches, narches);
			}
		}
	}
	if (gs.failed) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = refuse_lossy(&lost, flags, err)) < 0)
		goto out;

	sk_buf_printf(&b, "{\n\t\"defaultAction\": \"%s\",\n", scmp_action_name(plan->default_action));
	if (plan->default_action.type == SK_ACT_ERRNO)
		sk_buf_printf(&b, "\t\"defaultErrnoRet\": %d,\n", plan->default_action.errnum);
	sk_buf_printf(&b, "\t\"architectures\": [\n");
	for (size_t i = 0; i < narches; i++)
		sk_buf_printf(&b, "\t\t\"%s\"%s\n", sk_oci_arch_name(arches[i]), i + 1 < narches ? "," : "");
	sk_buf_printf(&b, "\t],\n\t\"syscalls\": [%s", gs.n ? "\n" : "");
	/* Allowing entries before the others: libseccomp 2.5.4 builds the
	 * rule tree of a 32-bit ABI in the order the rules come, and loses
	 * an allowing `a0 == 0 && a1 == 0` added after `a1 != 0` and
	 * `a0 != 0` refusals of the same call (strict's setpriority, with the
	 * default ENOSYS; test_equivalence.c compiles every preset's
	 * profile with it). */
	for (int allow = 1, left = (int)gs.n; allow >= 0; allow--)
		for (size_t i = 0; i < gs.n; i++)
			if ((gs.g[i].action.type == SK_ACT_ALLOW) == allow)
				emit_group(&b, &gs.g[i], --left == 0);
	sk_buf_printf(&b, "%s]\n}\n", gs.n ? "\t" : "");
	if (b.failed) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	*data = steal_pointer(&b.data);
	*len = b.len;
out:
	for (size_t i = 0; i < gs.n; i++)
		free(gs.g[i].names);
	free(gs.g);
	free(b.data);
	*lostp = lost;
	return ret;
}

static void describe_origin(const struct sk_origin *o, char *buf, size_t size)
{
	origin_text(o, buf, size);
}

/*
 * What `stockade run` enforces besides the seccomp filter.  Audit mode is a
 * seccomp feature no export can carry (a loss).  Filesystem, TCP port and
 * scope rules are Landlock's and part of no seccomp filter in any format,
 * nor are the capabilities `stockade run` drops, the environment rules,
 * the namespaces or the descriptors it closes: they become notes (the
 * kept capabilities by name, and where each consumer sets them), and the plan exported is the one a kernel without
 * Landlock TCP support gets.
 */
static const stockade_plan *access_losses(const stockade_plan *plan, enum stockade_format format, struct strv *lost,
					  struct strv *notes)
{
	char from[256];

	if (plan->audit) {
		describe_origin(&plan->audit_at, from, sizeof(from));
		strv_add(lost, "seccomp.mode: audit (%s): audit mode needs stockade's supervisor; the export "
			 "enforces instead", from);
	}
	if (plan->access.fs)
		strv_add(notes, "note: filesystem rules are enforced by `stockade run` with Landlock and are not "
			 "part of a seccomp filter; express them with the consumer's mounts");
	if (plan->net_fallback) {
		describe_origin(&plan->access.net_at, from, sizeof(from));
		strv_add(notes, "note: TCP ports (%s) are limited by `stockade run` with Landlock; the filter "
			 "exported refuses TCP sockets, as on kernels without Landlock TCP support", from);
		plan = plan->net_fallback;
	}
	if (plan->access.scope_signals || plan->access.scope_abstract) {
		describe_origin(&plan->access.scope_at, from, sizeof(from));
		strv_add(notes, "note: scope (%s): Landlock scoping of signals and abstract sockets is not part "
			 "of a seccomp filter", from);
	}
	if (plan->access.caps) {
		char kept[SK_CAP_COUNT * 24] = "", flags[SK_CAP_COUNT * 32] = "";
		size_t k = 0, f = 0;

		describe_origin(&plan->access.caps_at, from, sizeof(from));
		for (int c = 0; c < SK_CAP_COUNT; c++) {
			const char *name = sk_cap_name(c);

			if (!name || !(plan->access.caps_keep & (1ULL << c)))
				continue;
			k += (size_t)snprintf(kept + k, sizeof(kept) - k, "%s\"%s\"", k ? ", " : "", name);
			f += (size_t)snprintf(flags + f, sizeof(flags) - f, " --cap-add %s",
					      format == STOCKADE_FORMAT_OCI ? name + 4 : name);
		}
		if (format == STOCKADE_FORMAT_OCI)
			strv_add(notes, "note: capabilities (%s): not part of a seccomp profile; as root the command "
				 "keeps [%s]: set process.capabilities.bounding, .effective and .permitted to that "
				 "list in the OCI config (docker --cap-drop ALL%s)", from, kept, flags);
		else
			strv_add(notes, "note: capabilities (%s): not part of a seccomp filter; as root the command "
				 "keeps [%s] (bwrap --cap-drop ALL%s)", from, kept, flags);
	}
	if (plan->access.nenv) {
		size_t drop = 0, keep = 0, set = 0;

		for (size_t i = 0; i < plan->access.nenv; i++)
			plan->access.env[i].kind == SK_ENV_DROP ? drop++ : plan->access.env[i].kind == SK_ENV_KEEP ? keep++
														      : set++;
		describe_origin(&plan->access.env[0].at, from, sizeof(from));
		strv_add(notes, "note: environment (%s): %zu drop, %zu keep and %zu set rules are applied by `stockade "
			 "run`, not by the consumer, which passes the environment it is given: leave the variables "
			 "out (%s)", from, drop, keep, set,
			 format == STOCKADE_FORMAT_OCI ? "OCI process.env, docker run without --env/-e for them"
						       : "bwrap --clearenv --setenv ..., env -u NAME");
	}
	if (plan->access.isolation == SK_ISOLATION_AUTO || plan->access.isolation == SK_ISOLATION_REQUIRED) {
		describe_origin(&plan->access.isolation_at, from, sizeof(from));
		strv_add(notes, "note: isolation (%s): the pid, IPC, mount and UTS namespaces `stockade run` makes are "
			 "the consumer's to make (%s)", from,
			 format == STOCKADE_FORMAT_OCI ? "OCI linux.namespaces: pid, ipc, mount, uts"
						       : "bwrap --unshare-pid --unshare-ipc --unshare-uts and its mounts");
	}
	strv_add(notes, "note: descriptors: `stockade run` closes every descriptor above 2 but those "
		 "--preserve-fds N and a make jobserver name; %s", format == STOCKADE_FORMAT_OCI
		 ? "OCI runtimes do the same (runc/crun --preserve-fds)" : "bwrap passes on what it inherits: close them before");
	return plan;
}

int stockade_plan_export(const stockade_plan *plan, uint32_t arch, enum stockade_format format, unsigned flags,
			 char **data, size_t *len, char ***dropped, stockade_error **err)
{
	stockade_plan allow_all = sk_plan_allow_all(plan);
	struct strv lost = { 0 }, notes = { 0 };
	void *prog = NULL;
	int ret;

	*data = NULL;
	*len = 0;
	if (dropped)
		*dropped = NULL;
	if (arch == 0)
		arch = seccomp_arch_native();
	if (!stockade_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	plan = access_losses(plan, format, &lost, &notes);
	if (!plan->seccomp_enabled)
		plan = &allow_all;

	switch (format) {
	case STOCKADE_FORMAT_BPF:
		ret = refuse_lossy(&lost, flags, err);
		if (ret == 0)
			ret = stockade_plan_compile_bpf(plan, arch, &prog, len, err);
		*data = prog;
		break;
	case STOCKADE_FORMAT_LISTING:
		ret = refuse_lossy(&lost, flags, err);
		if (ret == 0)
			ret = stockade_plan_compile_pfc(plan, arch, data, err);
		if (ret == 0)
			*len = strlen(*data);
		break;
	case STOCKADE_FORMAT_OCI:
		ret = export_oci(plan, arch, flags, data, len, &lost, err);
		break;
	default:
		ret = sk_error(err, EINVAL, "unknown export format %d", (int)format);
		break;
	}
	for (size_t i = 0; i < notes.n; i++)
		strv_add(&lost, "%s", notes.v[i]);
	if (ret == 0 && lost.failed)
		ret = sk_error(err, ENOMEM, "out of memory");
	if (ret == 0 && dropped) {
		*dropped = lost.v ? steal_pointer(&lost.v) : calloc(1, sizeof(char *));
		if (!*dropped)
			ret = sk_error(err, ENOMEM, "out of memory");
	}
	stockade_strv_free(notes.v);
	if (ret < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	stockade_strv_free(lost.v);
	return ret;
}
