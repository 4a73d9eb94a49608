/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Does libseccomp compile an OCI profile's entries for one syscall to what
 * the plan means?  runc and crun hand every entry to seccomp_rule_add() in
 * the order of the profile, and libseccomp 2.5.4 (Debian 12's) builds each
 * syscall's rule tree in that order and, for some shapes, silently loses
 * entries: an allowing `a0 == 0 && a1 == 0` after `a1 != 0` and `a0 != 0`
 * refusals on a 32-bit ABI, a refusing `a1 == 8 && a2 != 0` after an
 * unconditional allow on any ABI (the call then gets the default action).
 * Which order is right depends on the shape, so export.c tries several and
 * asks this file about each.
 *
 * The procedure is the runtimes' (tests/sim/oci_ref.c stage 2, written
 * independently from their documented behaviour): seccomp_init(default),
 * seccomp_arch_add() for each listed architecture (the machine emulated by
 * making the profile's first architecture the filter's native one), one
 * rule per entry with all its conditions, or one rule per condition when
 * two conditions share an argument index.  Only the syscall's own entries
 * are added: libseccomp keeps one tree per syscall, so the others cannot
 * change it; but for i386 it adds the rules of a socket or SysV IPC call
 * to socketcall's or ipc's tree too (where an entry already there can make
 * one refused as a duplicate, or lost), so the multiplexer's entries,
 * written before, come first, with every name they have in the profile
 * (which matters too: libseccomp 2.5.4 decides socket(0) on x86_64
 * otherwise after an entry allowing socketcall alone than after one
 * allowing socketcall and read).  The filter comes back through seccomp_export_bpf() (2.5.4 has
 * no in-memory variant: a memfd, or a pipe where memfd_create is refused)
 * and runs in stockade's simulator (seccomp/sim.c) over argument vectors
 * at every condition's boundaries (seccomp/argvec.c), narrowed to 32 bits
 * on 32-bit ABIs, against sk_plan_decide() on the same narrowed arguments.
 *
 * libseccomp refuses KILL_PROCESS and LOG actions when it believes the
 * kernel lacks them (API level below 3, as where seccomp() itself is
 * filtered); exporting needs no kernel, so the level is then raised to 3
 * for this process, as tests/sim/oci_ref.c does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export/oci_verify.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"

int sk_oci_check_init(struct sk_oci_check *ck, struct sk_action def, const uint32_t *arches, size_t narches)
{
	*ck = (struct sk_oci_check){ .def = def, .narches = narches < 3 ? narches : 3, .fd = -1 };
	memcpy(ck->arches, arches, ck->narches * sizeof(*arches));
	ck->fd = memfd_create("stockade-oci-check", MFD_CLOEXEC);
	if (seccomp_api_get() < 3)
		seccomp_api_set(3);
	return 0;
}

void sk_oci_check_release(struct sk_oci_check *ck)
{
	if (ck->fd >= 0)
		close(ck->fd);
	ck->fd = -1;
}

static enum scmp_compare scmp_op(uint8_t op)
{
	switch (op) {
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
	default:
		return SCMP_CMP_EQ;
	}
}

/* One entry, as runc and crun add it.  0, or libseccomp's negative errno. */
static int add_entry(scmp_filter_ctx ctx, int nr, const struct sk_oci_term *t)
{
	struct scmp_arg_cmp cmp[SK_MAX_ARGS];
	unsigned n = t->term->n < SK_MAX_ARGS ? t->term->n : SK_MAX_ARGS, at[SK_MAX_ARGS] = { 0 };
	uint32_t act = sk_action_to_scmp(t->action);
	bool same = false;
	int rc = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct sk_cond *c = &t->term->c[i];
		cmp[i] = (struct scmp_arg_cmp){ .arg = c->arg, .op = scmp_op(c->op) };
		if (c->op == SK_OP_MASKED_EQ)
			cmp[i].datum_a = c->mask, cmp[i].datum_b = c->value;
		else
			cmp[i].datum_a = c->value;
		if (c->arg < SK_MAX_ARGS && ++at[c->arg] > 1)
			same = true;
	}
	if (!same)
		return seccomp_rule_add_array(ctx, act, nr, n, cmp);
	for (unsigned i = 0; rc == 0 && i < n; i++)
		rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
	return rc;
}

/* The filter seccomp_export_bpf() writes, read back (malloc'd). */
static int export_prog(const struct sk_oci_check *ck, scmp_filter_ctx ctx, struct sock_filter **prog, size_t *len)
{
	char *buf = NULL;
	size_t size = 0, cap = 0;
	int fds[2] = { -1, -1 }, in, out, ret;

	if (ck->fd >= 0) {
		if (ftruncate(ck->fd, 0) < 0 || lseek(ck->fd, 0, SEEK_SET) < 0)
			return -errno;
		in = out = ck->fd;
	} else {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		in = fds[0];
		out = fds[1];
	}
	ret = seccomp_export_bpf(ctx, out);
	if (ret >= 0 && ck->fd >= 0 && lseek(ck->fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (fds[1] >= 0)
		close(fds[1]);
	while (ret >= 0) {
		ssize_t r;
		if (size == cap) {
			char *n = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!n) {
				ret = -ENOMEM;
				break;
			}
			buf = n;
		}
		r = read(in, buf + size, cap - size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		else if (r == 0)
			break;
		else
			size += (size_t)r;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (ret >= 0 && (size == 0 || size % sizeof(struct sock_filter)))
		ret = -EIO;
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*prog = (struct sock_filter *)buf;
	*len = size / sizeof(struct sock_filter);
	return 0;
}

/* The runtimes' filter for the entries `w`, in this order.  0; 1 if
 * seccomp_rule_add() refuses one (*rule_error); or a negative errno. */
static int build_here(const struct sk_oci_check *ck, const struct sk_oci_written *w, size_t n,
		      struct sock_filter **prog, size_t *len, int *rule_error)
{
	uint32_t host = seccomp_arch_native();
	scmp_filter_ctx ctx = seccomp_init(sk_action_to_scmp(ck->def));
	int ret = 0;

	*rule_error = 0;
	if (!ctx)
		return -ENOMEM;
	if (ck->arches[0] != host && (seccomp_arch_add(ctx, ck->arches[0]) < 0 || seccomp_arch_remove(ctx, host) < 0))
		ret = -EINVAL;
	for (size_t i = 1; ret == 0 && i < ck->narches; i++) {
		int rc = seccomp_arch_add(ctx, ck->arches[i]);
		if (rc < 0 && rc != -EEXIST)
			ret = rc;
	}
	/* An entry of the default action is skipped, an unknown name too
	 * ("unknown seccomp syscall ignored"). */
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (sk_action_eq(w[i].term->action, ck->def))
			continue;
		for (size_t k = 0; ret == 0 && k < w[i].nnames; k++) {
			int nr = seccomp_syscall_resolve_name(w[i].names[k]);
			if (nr != __NR_SCMP_ERROR && (*rule_error = add_entry(ctx, nr, w[i].term)) < 0)
				ret = 1;
		}
	}
	if (ret == 0)
		ret = export_prog(ck, ctx, prog, len);
	seccomp_release(ctx);
	if (ret == 0 && sk_sim_check(*prog, *len) < 0) {
		free(*prog);
		*prog = NULL;
		ret = -EINVAL;
	}
	return ret;
}

#define BUILD_TIMEOUT_MS 2000

/*
 * libseccomp 2.5.4 loops forever adding some rule sets (db.c's
 * _db_tree_put); a runtime given them would hang too, but the export must
 * not, whatever order it is trying.  Conditional entries are therefore
 * compiled in a child process, given BUILD_TIMEOUT_MS, which sends the
 * filter back through a pipe; a child that does not finish in time is
 * killed and the entries count as refused (-ETIMEDOUT).
 */
static int build(const struct sk_oci_check *ck, const struct sk_oci_written *w, size_t n, struct sock_filter **prog,
		 size_t *len, int *rule_error)
{
	struct {
		int ret, rule_error;
		size_t len;
	} h = { 0 };
	bool conditional = false;
	char *buf = NULL;
	size_t got = 0, want = sizeof(h);
	int fds[2], ret = 0, status;
	pid_t pid;

	for (size_t i = 0; i < n && !conditional; i++)
		conditional = w[i].term->term->n != 0;
	if (!conditional)
		return build_here(ck, w, n, prog, len, rule_error);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		struct sock_filter *p = NULL;

		close(fds[0]);
		h.ret = build_here(ck, w, n, &p, &h.len, &h.rule_error);
		if (sk_write_all(fds[1], &h, sizeof(h)) == 0 && h.ret == 0)
			sk_write_all(fds[1], p, h.len * sizeof(*p));
		_exit(0);
	}
	close(fds[1]);
	*rule_error = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t r;
		int pr = poll(&pfd, 1, BUILD_TIMEOUT_MS);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			ret = 2;
			break;
		}
		if (got == sizeof(h) && !buf) {
			if (h.ret != 0 || h.len == 0)
				break;
			want = sizeof(h) + h.len * sizeof(struct sock_filter);
			buf = malloc(want - sizeof(h));
			if (!buf) {
				ret = -ENOMEM;
				break;
			}
		}
		r = got < sizeof(h) ? read(fds[0], (char *)&h + got, sizeof(h) - got)
				    : read(fds[0], buf + (got - sizeof(h)), want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = -EIO;
			break;
		}
		got += (size_t)r;
		if (got == want && buf)
			break;
		if (got == sizeof(h) && (h.ret != 0 || h.len == 0))
			break;
	}
	close(fds[0]);
	if (ret == 2) {
		kill(pid, SIGKILL);
		*rule_error = -ETIMEDOUT;
		ret = 1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && got < sizeof(h))
		ret = -EIO;
	if (ret == 0 && h.ret != 0) {
		ret = h.ret;
		*rule_error = h.rule_error;
	}
	if (ret == 0 && (!buf || sk_sim_check((struct sock_filter *)buf, h.len) < 0))
		ret = -EIO;
	if (ret != 0) {
		free(buf);
		return ret;
	}
	*prog = (struct sock_filter *)buf;
	*len = h.len;
	return 0;
}

int sk_oci_profile_build(const struct sk_oci_check *ck, const struct sk_oci_written *w, size_t n,
			 struct sock_filter **prog, size_t *len, int *rule_error)
{
	*prog = NULL;
	*len = 0;
	return build(ck, w, n, prog, len, rule_error);
}

int sk_oci_check_prog(const struct sk_oci_check *ck, const struct sock_filter *prog, size_t len, int rule_error,
		      const stockade_plan *plan, const char *name, const struct sk_argvec *vecs, size_t nvecs,
		      unsigned skip, struct sk_oci_miss miss[3])
{
	int bad = 0;

	memset(miss, 0, 3 * sizeof(*miss));
	for (size_t i = 0; i < ck->narches; i++) {
		uint32_t abi = ck->arches[i];
		int nr = sk_syscall_nr(abi, name);

		if ((skip & (1U << i)) || nr < 0)
			continue;
		if (!prog) { /* the runtimes would not start the container */
			miss[i] = (struct sk_oci_miss){ .found = true, .rule_error = rule_error };
			bad++;
			continue;
		}
		for (size_t v = 0; v < nvecs; v++) {
			struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(abi) };
			struct sk_sim_result r;
			struct sk_verdict want;
			uint64_t a[SK_MAX_ARGS];

			for (int k = 0; k < SK_MAX_ARGS; k++)
				d.args[k] = a[k] = sk_arch_args32(abi) ? (uint32_t)vecs[v].a[k] : vecs[v].a[k];
			if (sk_sim_run(prog, len, &d, &r) < 0)
				return -EINVAL;
			sk_plan_decide(plan, name, a, &want);
			if (r.ret == sk_filter_action(SK_NOTIFY_NONE, want.action))
				continue;
			miss[i] = (struct sk_oci_miss){ .found = true, .got = r.ret, .want = want };
			memcpy(miss[i].args, a, sizeof(a));
			bad++;
			break;
		}
	}
	return bad;
}

int sk_oci_check_call(const struct sk_oci_check *ck, const stockade_plan *plan, const char *name,
		      const struct sk_oci_context *cx, const struct sk_oci_term *terms, size_t nterms,
		      const struct sk_argvec *vecs, size_t nvecs, unsigned skip, struct sk_oci_miss miss[3])
{
	size_t nctx = cx ? cx->n : 0, n = nctx + nterms;
	struct sk_oci_written *w = malloc((n ? n : 1) * sizeof(*w));
	const char *const one[1] = { name };
	struct sock_filter *prog = NULL;
	size_t len = 0;
	int rule_error = 0, ret;

	if (!w)
		return -ENOMEM;
	/* The multiplexer's entries first, with all their names, as export.c
	 * writes them. */
	for (size_t i = 0; i < nctx; i++)
		w[i] = (struct sk_oci_written){ .names = cx->names, .nnames = cx->nnames, .term = &cx->terms[i] };
	for (size_t i = 0; i < nterms; i++)
		w[nctx + i] = (struct sk_oci_written){ .names = one, .nnames = 1, .term = &terms[i] };
	ret = build(ck, w, n, &prog, &len, &rule_error);
	free(w);
	if (ret < 0)
		return ret;
	ret = sk_oci_check_prog(ck, prog, len, rule_error, plan, name, vecs, nvecs, skip, miss);
	free(prog);
	return ret;
}
