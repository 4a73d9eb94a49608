/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a compiled filter costs: its size, how many instructions each
 * syscall runs through, and which syscalls the kernel never runs it for.
 *
 * Since Linux 5.11 the kernel keeps, per filter and architecture, a bitmap
 * of syscalls the filter allows whatever their arguments.  It finds them by
 * emulating the filter with only nr and arch known (seccomp_is_const_allow):
 * any load of an argument or the instruction pointer, or any instruction
 * outside a few simple ones, makes the answer "not constant".  Those calls
 * then skip the filter entirely; everything else runs it on every call.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

bool sk_filter_const_allow(const struct sock_filter *prog, size_t len, uint32_t audit_arch, int nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		bool taken;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = (uint32_t)nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = audit_arch;
			else
				return false; /* an argument or the IP: not constant */
			break;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				taken = a == f->k;
				break;
			case BPF_JGE:
				taken = a >= f->k;
				break;
			case BPF_JGT:
				taken = a > f->k;
				break;
			default:
				taken = (a & f->k) != 0;
				break;
			}
			pc += taken ? f->jt : f->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		default:
			return false;
		}
	}
	return false;
}

void sk_stats_free(struct sk_stats *s)
{
	for (size_t i = 0; s->calls && i < s->ncalls; i++)
		free(s->calls[i].name);
	free(s->calls);
	memset(s, 0, sizeof(*s));
}

int sk_stats_compute(const stockade_plan *plan, uint32_t arch, struct sk_stats *out, stockade_error **err)
{
	struct sk_filter_prog f;
	const uint64_t zero[SK_MAX_ARGS] = { 0 };
	size_t longest_i = 0;
	double sum = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = sk_filter_compile(plan, arch, &f, err);
	if (ret < 0)
		return ret;
	out->arch = f.arch;
	out->insns = f.len;
	out->calls = calloc(SK_NR_LIMIT, sizeof(*out->calls));
	if (!out->calls) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	for (int n = 0; n < SK_NR_LIMIT; n++) {
		char *name = sk_syscall_name(f.arch, n);
		struct sk_stats_call *c;
		struct sk_argvec *vecs = NULL;
		size_t nvecs = 0;
		uint32_t r;
		int nr;

		if (!name)
			continue;
		nr = sk_syscall_nr(f.arch, name);
		if (nr < 0 || (out->ncalls && out->calls[out->ncalls - 1].nr == nr)) {
			free(name);
			continue;
		}
		c = &out->calls[out->ncalls++];
		c->nr = nr;
		c->name = name;
		if ((ret = sk_filter_run(&f, f.arch, nr, zero, &r, &c->path)) < 0)
			break;
		c->allowed_zero = (r & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
		c->longest = c->path;
		c->const_allow = sk_filter_const_allow(f.insns, f.len, sk_audit_arch(f.arch), nr);
		sum += c->path;
		if (sk_probe_args(plan, name, &vecs, &nvecs) < 0) {
			ret = -ENOMEM;
			break;
		}
		for (size_t v = 0; v < nvecs; v++) {
			unsigned executed;
			if ((ret = sk_filter_run(&f, f.arch, nr, vecs[v].a, &r, &executed)) < 0)
				break;
			if (executed > c->longest)
				c->longest = executed;
			if (executed > out->longest) {
				out->longest = executed;
				longest_i = out->ncalls - 1;
				out->longest_args = vecs[v];
			}
		}
		free(vecs);
		if (ret < 0)
			break;
		if (c->const_allow)
			out->nconst++;
	}
	if (ret < 0) {
		ret = ret == -ENOMEM ? sk_error(err, ENOMEM, "out of memory")
				     : sk_error(err, -ret, "the simulator refused the compiled filter");
		goto out;
	}
	out->mean = out->ncalls ? sum / (double)out->ncalls : 0;
	out->longest_call = out->ncalls ? &out->calls[longest_i] : NULL;
out:
	sk_filter_release(&f);
	if (ret < 0)
		sk_stats_free(out);
	return ret;
}
