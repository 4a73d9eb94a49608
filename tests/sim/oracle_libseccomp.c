/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A second compiler of the plan, for the simulator tier only: the plan's
 * regions handed rule by rule to libseccomp, as the product did before it
 * generated its own BPF (bpf_gen.c), exported with seccomp_export_bpf().
 * test_equivalence.c compares its decisions with stockade's filter and the
 * runtimes' loading of the OCI export.  libseccomp 2.5.4 mis-merges some
 * rule sets and never returns on others (tests/fuzz/regressions/policy):
 * the oracle is fed only the presets, which it compiles correctly.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oracle_libseccomp.h"
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

/* One context holding the plan's rules for exactly one architecture. */
static int arch_context(const stockade_plan *plan, uint32_t arch, scmp_filter_ctx *out, stockade_error **err)
{
	uint32_t native = seccomp_arch_native();
	uint32_t def = sk_filter_action(SK_NOTIFY_NONE, plan->default_action);
	scmp_filter_ctx ctx = seccomp_init(def);
	bool args32 = sk_arch_args32(arch);
	int ret;

	*out = NULL;
	if (!ctx)
		return sk_error(err, ENOMEM, "libseccomp: cannot create a filter");
	/* Calls through another ABI (i386 int 0x80, x32) would otherwise see
	 * none of the rules: the architectures not in the filter kill. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, sk_filter_badarch(SK_NOTIFY_NONE));
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
				if (sk_filter_action(SK_NOTIFY_NONE, r->action) == def)
					continue;
				if ((ret = add_region(ctx, nr, sk_filter_action(SK_NOTIFY_NONE, r->action), &r->region, args32, pass,
						      e->name, err)) < 0)
					goto fail;
			}
			if (sk_filter_action(SK_NOTIFY_NONE, base) != def &&
			    (ret = add_region(ctx, nr, sk_filter_action(SK_NOTIFY_NONE, base), &e->base_region, args32, pass, e->name,
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

/* The plan's rules for `arch`, and under compat_arches: filter for its other
 * entry points too, each compiled for its own ABI and merged. */
static int plan_context(const stockade_plan *plan, uint32_t arch, scmp_filter_ctx *out, stockade_error **err)
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

struct sock_filter *oracle_libseccomp_bpf(const stockade_plan *plan, uint32_t arch, size_t *len,
					  stockade_error **err)
{
	struct sock_filter *prog = NULL;
	scmp_filter_ctx ctx = NULL;
	off_t size;
	int fd;

	*len = 0;
	if (plan_context(plan, arch, &ctx, err) < 0)
		return NULL;
	fd = memfd_create("oracle-libseccomp", MFD_CLOEXEC);
	if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0 && (size = lseek(fd, 0, SEEK_END)) > 0 &&
	    (prog = malloc((size_t)size)) && pread(fd, prog, (size_t)size, 0) == size)
		*len = (size_t)size / sizeof(*prog);
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	if (!*len) {
		free(prog);
		prog = NULL;
		sk_error(err, EIO, "libseccomp: cannot export the filter");
	}
	return prog;
}
