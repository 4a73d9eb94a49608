/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plan -> libseccomp filter -> BPF.
 *
 * Every rule and base region whose action differs from the default becomes
 * libseccomp rules, one per term.  Regions of different actions are disjoint
 * (see region.c), so the order libseccomp evaluates them in cannot matter.
 * Architectures are added before any rule: libseccomp only applies a rule to
 * the architectures present when it is added.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "plan/plan.h"
#include "seccomp/seccomp.h"

static enum scmp_compare scmp_op(enum sk_op op)
{
	switch (op) {
	case SK_OP_EQ:
		return SCMP_CMP_EQ;
	case SK_OP_NE:
		return SCMP_CMP_NE;
	case SK_OP_LT:
		return SCMP_CMP_LT;
	case SK_OP_LE:
		return SCMP_CMP_LE;
	case SK_OP_GT:
		return SCMP_CMP_GT;
	case SK_OP_GE:
		return SCMP_CMP_GE;
	case SK_OP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	}
	return SCMP_CMP_EQ;
}


/*
 * The action the filter encodes for `a`: the plan's own, or, on a
 * supervisor's copy of the plan (supervise.c), a user notification the
 * supervisor answers by the plan's own verdict.  Only the mapping changes:
 * the regions, and so what each call gets, stay those of the plan.
 */
uint32_t sk_filter_badarch(const stockade_plan *plan)
{
	return plan->notify >= SK_NOTIFY_DENY ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS;
}

uint32_t sk_filter_action(const stockade_plan *plan, struct sk_action a)
{
	switch (plan->notify) {
	case SK_NOTIFY_NONE:
		break;
	case SK_NOTIFY_ERRNO:
		if (a.type == SK_ACT_ERRNO)
			return SCMP_ACT_NOTIFY;
		break;
	case SK_NOTIFY_DENY:
		if (a.type != SK_ACT_ALLOW && a.type != SK_ACT_LOG)
			return SCMP_ACT_NOTIFY;
		break;
	case SK_NOTIFY_ALL:
		return SCMP_ACT_NOTIFY;
	}
	return sk_action_to_scmp(a);
}

/* pass 0 adds the region's unconditional terms, pass 1 the others (see
 * arch_context). */
static int add_region(scmp_filter_ctx ctx, int nr, uint32_t act, const struct sk_region *r, bool args32,
		      int pass, const char *name, stockade_error **err)
{
	for (size_t i = 0; i < r->n; i++) {
		struct sk_term t = r->terms[i];
		struct scmp_arg_cmp cmp[SK_MAX_ARGS];
		unsigned n = 0;
		bool never = false;
		int ret;

		for (unsigned k = 0; k < t.n && !never; k++) {
			struct sk_cond c = t.c[k];
			int keep = args32 ? sk_cond_restrict32(&c) : 1;
			if (keep < 0)
				never = true;
			if (keep <= 0)
				continue;
			cmp[n] = (struct scmp_arg_cmp){ .arg = c.arg, .op = scmp_op(c.op) };
			if (c.op == SK_OP_MASKED_EQ)
				cmp[n].datum_a = c.mask, cmp[n].datum_b = c.value;
			else
				cmp[n].datum_a = c.value;
			n++;
		}
		if (never || (n == 0) != (pass == 0))
			continue;
		ret = seccomp_rule_add_array(ctx, act, nr, n, cmp);
		/* Two terms that coincide once cut to 32 bits: already there. */
		if (ret == -EEXIST)
			continue;
		if (ret < 0)
			return sk_error(err, -ret, "libseccomp refused a rule for %s: %s", name, strerror(-ret));
	}
	return 0;
}

/* The other entry points of `arch` that a native filter must account for. */
/* One context holding the plan's rules for exactly one architecture. */
static int arch_context(const stockade_plan *plan, uint32_t arch, scmp_filter_ctx *out, stockade_error **err)
{
	uint32_t native = seccomp_arch_native();
	uint32_t def = sk_filter_action(plan, plan->default_action);
	scmp_filter_ctx ctx = seccomp_init(def);
	bool args32 = sk_arch_args32(arch);
	int ret;

	*out = NULL;
	if (!ctx)
		return sk_error(err, ENOMEM, "libseccomp: cannot create a filter");
	/* Calls through another ABI (i386 int 0x80, x32) would otherwise see
	 * none of the rules: the architectures not in the filter kill. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, sk_filter_badarch(plan));
	/* no_new_privs is set by exec.c before anything else is applied. */
	if (ret == 0)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary search tree over syscall numbers: O(log n) per syscall. */
	if (ret == 0)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	/* Architectures first: libseccomp applies a rule only to those present. */
	if (ret == 0 && arch != native) {
		ret = seccomp_arch_add(ctx, arch);
		if (ret == 0)
			ret = seccomp_arch_remove(ctx, native);
	}
	if (ret < 0) {
		seccomp_release(ctx);
		return sk_error(err, -ret, "libseccomp: cannot set up the filter for %s: %s",
				stockade_arch_name(arch), strerror(-ret));
	}
	/*
	 * Unconditional rules go in first.  On i386 libseccomp also files a
	 * socket(2)-family rule under socketcall(2) (keeping only the call
	 * number), where rules of two actions collide and the second is
	 * refused whole, direct syscall included, unless socketcall itself
	 * already has an unconditional rule, which makes libseccomp skip
	 * conditional ones for it.  Regions of different actions are disjoint,
	 * so the order changes nothing else.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < plan->nentries; i++) {
			const struct sk_plan_entry *e = &plan->entries[i];
			struct sk_action base = sk_plan_entry_base(plan, e);
			/* Rules take native numbers; libseccomp translates them
			 * by name (negative pseudo-numbers stand for calls
			 * native lacks). */
			int nr = seccomp_syscall_resolve_name(e->name);

			if (nr == __NR_SCMP_ERROR)
				continue;
			if (seccomp_syscall_resolve_name_arch(arch, e->name) == __NR_SCMP_ERROR)
				continue; /* not a syscall of this architecture */
			for (size_t k = 0; k < e->nrules; k++) {
				const struct sk_plan_rule *r = &e->rules[k];
				if (sk_filter_action(plan, r->action) == def)
					continue;
				if ((ret = add_region(ctx, nr, sk_filter_action(plan, r->action), &r->region, args32, pass,
						      e->name, err)) < 0)
					goto fail;
			}
			if (sk_filter_action(plan, base) != def &&
			    (ret = add_region(ctx, nr, sk_filter_action(plan, base), &e->base_region, args32, pass, e->name,
					      err)) < 0)
				goto fail;
		}
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return ret;
}

int sk_seccomp_context(const stockade_plan *plan, uint32_t arch, void **out, stockade_error **err)
{
	scmp_filter_ctx ctx = NULL, extra_ctx;
	uint32_t extra[2];
	size_t nextra;
	int ret;

	*out = NULL;
	if (arch == 0)
		arch = seccomp_arch_native();
	if (!stockade_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	ret = arch_context(plan, arch, &ctx, err);
	if (ret < 0)
		return ret;
	/* compat_arches: filter gives the other entry points the same rules, each
	 * compiled for its own ABI, merged into one filter. */
	sk_compat_arches(arch, extra, &nextra);
	for (size_t i = 0; plan->compat == SK_COMPAT_FILTER && i < nextra; i++) {
		ret = arch_context(plan, extra[i], &extra_ctx, err);
		if (ret < 0)
			goto fail;
		ret = seccomp_merge(ctx, extra_ctx);
		if (ret < 0) {
			seccomp_release(extra_ctx);
			ret = sk_error(err, -ret, "libseccomp: cannot merge the %s filter: %s",
				       stockade_arch_name(extra[i]), strerror(-ret));
			goto fail;
		}
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return ret;
}

void sk_seccomp_release(void *ctx)
{
	seccomp_release(ctx);
}

int stockade_plan_compile_bpf(const stockade_plan *plan, uint32_t arch, void **prog, size_t *len,
			      stockade_error **err)
{
	struct sock_filter *insns = NULL;
	size_t n = 0;
	int ret = sk_bpf_generate(plan, arch, &insns, &n, err);

	*prog = insns;
	*len = ret < 0 ? 0 : n * sizeof(*insns);
	return ret;
}

int sk_bpf_generate_standalone(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
			       stockade_error **err)
{
	/* No filter at all means every call of every ABI runs. */
	stockade_plan allow_all = {
		.name = plan->name,
		.seccomp_enabled = true,
		.default_action = { .type = SK_ACT_ALLOW },
		.default_at = plan->default_at,
		.compat = SK_COMPAT_FILTER,
	};

	if (plan->net_fallback)
		plan = plan->net_fallback;
	if (!plan->seccomp_enabled)
		plan = &allow_all;
	return sk_bpf_generate(plan, arch, prog, len, err);
}

int stockade_plan_compile_pfc(const stockade_plan *plan, uint32_t arch, char **text, stockade_error **err)
{
	void *ctx = NULL;
	int fd, ret;
	off_t size;

	*text = NULL;
	/* A review view that is never loaded: when libseccomp cannot probe the
	 * kernel (seccomp() blocked, valgrind), it assumes the oldest API, which
	 * has no kill-process; the rendering needs none of the probing. */
	if (seccomp_api_get() < 3)
		seccomp_api_set(3);
	ret = sk_seccomp_context(plan, arch, &ctx, err);
	if (ret < 0)
		return ret;
	fd = memfd_create("stockade-pfc", MFD_CLOEXEC);
	if (fd < 0) {
		ret = sk_error(err, errno, "memfd_create: %s", strerror(errno));
		goto out;
	}
	ret = seccomp_export_pfc(ctx, fd);
	if (ret < 0) {
		ret = sk_error(err, -ret, "libseccomp: cannot export PFC: %s", strerror(-ret));
		goto out;
	}
	static const char note[] =
		"# libseccomp's rendering of this policy's rules, for review.  The filter\n"
		"# stockade loads (and exports as bpf) is generated from the same regions by\n"
		"# stockade itself, because libseccomp 2.5 mis-merges some rule sets; for the\n"
		"# loaded filter's verdict on a call, use `stockade explain`.\n";
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || !(*text = calloc(1, sizeof(note) + (size_t)size)) ||
	    (memcpy(*text, note, sizeof(note) - 1), pread(fd, *text + sizeof(note) - 1, (size_t)size, 0)) != size) {
		free(*text);
		*text = NULL;
		ret = sk_error(err, EIO, "cannot read back the pseudo-filter");
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}

int sk_plan_cache_bpf(stockade_plan *plan, stockade_error **err)
{
	int ret;

	for (stockade_plan *p = plan; p; p = p->net_fallback) {
		struct sock_filter *insns = NULL;
		size_t n = 0;

		if (p->bpf || !p->seccomp_enabled || p->notify != SK_NOTIFY_NONE || p->audit)
			continue;
		if ((ret = sk_bpf_generate(p, 0, &insns, &n, err)) < 0)
			return ret;
		p->bpf = insns;
		p->bpf_len = n;
	}
	return 0;
}

int sk_seccomp_load(const stockade_plan *plan, stockade_error **err)
{
	struct sock_filter *insns = plan->bpf;
	struct sock_fprog prog;
	size_t n = plan->bpf_len;
	int ret;

	if (!plan->seccomp_enabled)
		return 0;
	/* Notifications and audit mode need a supervisor: supervise.c. */
	if (plan->notify != SK_NOTIFY_NONE || plan->audit) {
		sk_error(err, EINVAL, "the policy is in audit mode, which needs stockade's supervisor");
		sk_error_hint(err, "run it with `stockade run` (it supervises audit mode), or set seccomp.mode: enforce");
		return -EINVAL;
	}
	/* Generated in advance for a preset or a prepared plan; else now. */
	if (!insns && (ret = sk_bpf_generate(plan, 0, &insns, &n, err)) < 0)
		return ret;
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = insns };
	/* TSYNC: every thread of an embedding program, not just this one. */
	ret = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (ret != 0)
		ret = ret > 0 ? -ESRCH : -errno; /* > 0: a thread that could not be synchronised */
	if (insns != plan->bpf)
		free(insns);
	if (ret < 0)
		return sk_error(err, -ret, "cannot load the seccomp filter: %s", strerror(-ret));
	return 0;
}
