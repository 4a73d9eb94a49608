/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI export.  The plan already splits every rule into regions that are
 * disjoint between actions and made of libseccomp-expressible terms (see
 * region.c); each term is exactly one OCI syscall entry (ANDed args, one per
 * argument), and runc and crun hand each entry to seccomp_rule_add(), as
 * tests/sim/oracle_libseccomp.c does with the terms themselves.
 *
 * The order of one syscall's entries should not matter, but it does to
 * libseccomp 2.5.4, which builds each syscall's tree in the order the
 * entries come and silently loses some: an allowing `a0 == 0 && a1 == 0`
 * after `a1 != 0` and `a0 != 0` refusals on 32-bit trees (strict's
 * setpriority: allowing entries must come first), a refusing
 * `a1 == 8 && a2 != 0` after an unconditional allow on every tree (the
 * call then gets the default: refusing entries must come first).  So the
 * export proves what it writes (place_call, oci_verify.c): per syscall,
 * several orders of its entries (see order()) are compiled by libseccomp
 * as runc and crun compile them, run in the simulator and compared with
 * the plan's decisions; the first that agrees is written.  The whole
 * profile is then compiled once more and every syscall checked in it
 * (check_profile).  If no order agrees, the export is refused, naming the
 * syscall, a call decided otherwise and the policy line, with `--format
 * bpf` and `--lossy` as the ways out; --lossy writes the first order and
 * lists the call as lost.  Syscalls whose entries are the same, in the
 * same order, share each entry's `names` list.  What OCI cannot say:
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
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "export/export.h"
#include "export/oci_verify.h"
#include "policy/oci.h"
#include "seccomp/seccomp.h"

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

/* Syscalls whose entries are the same, in the same order: written as that
 * many OCI entries, each naming all of them. */
struct class {
	struct sk_oci_term *seq;
	size_t n;
	const char **names;
	size_t nnames;
};

struct classes {
	struct class *c;
	size_t n;
	bool failed;
};

static bool seq_eq(const struct class *c, const struct sk_oci_term *seq, size_t n)
{
	if (c->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!sk_action_eq(c->seq[i].action, seq[i].action) || !term_eq(c->seq[i].term, seq[i].term))
			return false;
	return true;
}

static void class_add(struct classes *cs, const struct sk_oci_term *seq, size_t n, const char *name)
{
	struct class *c = NULL;
	const char **nn;

	for (size_t i = 0; i < cs->n && !c; i++)
		if (seq_eq(&cs->c[i], seq, n))
			c = &cs->c[i];
	if (!c) {
		struct class *nc = realloc(cs->c, (cs->n + 1) * sizeof(*nc));
		struct sk_oci_term *copy = malloc(n * sizeof(*copy));
		if (nc)
			cs->c = nc;
		if (!nc || !copy) {
			free(copy);
			cs->failed = true;
			return;
		}
		memcpy(copy, seq, n * sizeof(*copy));
		c = &cs->c[cs->n++];
		*c = (struct class){ .seq = copy, .n = n };
	}
	nn = realloc(c->names, (c->nnames + 1) * sizeof(*nn));
	if (!nn) {
		cs->failed = true;
		return;
	}
	c->names = nn;
	c->names[c->nnames++] = name;
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

static void emit_entry(struct sk_buf *b, const struct class *c, const struct sk_oci_term *t, bool last)
{
	sk_buf_printf(b, "\t\t{\n\t\t\t\"names\": [\n");
	for (size_t i = 0; i < c->nnames; i++) {
		sk_buf_printf(b, "\t\t\t\t");
		sk_buf_json_string(b, c->names[i]);
		sk_buf_printf(b, "%s\n", i + 1 < c->nnames ? "," : "");
	}
	sk_buf_printf(b, "\t\t\t],\n\t\t\t\"action\": \"%s\"", scmp_action_name(t->action));
	if (t->action.type == SK_ACT_ERRNO)
		sk_buf_printf(b, ",\n\t\t\t\"errnoRet\": %d", t->action.errnum);
	if (t->term->n) {
		sk_buf_printf(b, ",\n\t\t\t\"args\": [\n");
		for (unsigned k = 0; k < t->term->n; k++) {
			const struct sk_cond *cd = &t->term->c[k];
			sk_buf_printf(b, "\t\t\t\t{ \"index\": %u, ", cd->arg);
			if (cd->op == SK_OP_MASKED_EQ)
				sk_buf_printf(b, "\"value\": %llu, \"valueTwo\": %llu, ", (unsigned long long)cd->mask,
					      (unsigned long long)cd->value);
			else
				sk_buf_printf(b, "\"value\": %llu, ", (unsigned long long)cd->value);
			sk_buf_printf(b, "\"op\": \"%s\" }%s\n", scmp_op_name(cd->op), k + 1 < t->term->n ? "," : "");
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

/* The 32-bit ABIs of the profile (bits by index in `arches`) on which a
 * term of `name` compares a 64-bit datum, each reported lost. */
static unsigned lost32(struct strv *lost, const char *name, const struct sk_oci_term *t, size_t n,
		       const uint32_t *arches, size_t narches)
{
	unsigned skip = 0;
	char cond[96];

	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < narches; a++) {
			if (!sk_export_is_32bit(arches[a]) || seccomp_syscall_resolve_name_arch(arches[a], name) < 0)
				continue;
			for (unsigned k = 0; k < t[i].term->n; k++)
				if (!sk_export_cond_same32(&t[i].term->c[k])) {
					sk_export_strv_add(lost,
						 "%s: the condition `%s` compares a 64-bit value; libseccomp cuts it to "
						 "32 bits on %s, so runc and crun would decide other calls there",
						 name, sk_cond_format(&t[i].term->c[k], cond, sizeof(cond)),
						 sk_export_arch_label(arches[a]));
					skip |= 1U << a;
				}
		}
	return skip;
}

/*
 * The orders tried for one syscall's entries, each a stable reordering of
 * `base` (unconditional entries first, then the plan's order; the order
 * before allowing entries went first): allowing entries first, `base`
 * itself, refusing entries first, conditional entries first, `base`
 * reversed.
 */
#define ORDERS 5

static void order(int k, const struct sk_oci_term *base, size_t n, struct sk_oci_term *out)
{
	size_t m = 0;

	switch (k) {
	case 0:
	case 2:
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < n; i++)
				if ((base[i].action.type == SK_ACT_ALLOW) == ((pass == 0) == (k == 0)))
					out[m++] = base[i];
		break;
	case 3:
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < n; i++)
				if ((base[i].term->n != 0) == (pass == 0))
					out[m++] = base[i];
		break;
	case 4:
		for (size_t i = n; i-- > 0;)
			out[m++] = base[i];
		break;
	default:
		memcpy(out, base, n * sizeof(*out));
		break;
	}
}

static const char *libseccomp_version(void)
{
	static char v[32];
	const struct scmp_version *sv = seccomp_version();

	snprintf(v, sizeof(v), "%u.%u.%u", sv->major, sv->minor, sv->micro);
	return v;
}

static const char *ret_text(uint32_t ret, char *buf, size_t size)
{
	struct sk_action a = { .type = SK_ACT_KILL_PROCESS };

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
		a.type = SK_ACT_ALLOW;
		break;
	case SECCOMP_RET_LOG:
		a.type = SK_ACT_LOG;
		break;
	case SECCOMP_RET_ERRNO:
		snprintf(buf, size, "SCMP_ACT_ERRNO(%u)", ret & SECCOMP_RET_DATA);
		return buf;
	case SECCOMP_RET_TRAP:
		a.type = SK_ACT_TRAP;
		break;
	case SECCOMP_RET_KILL_THREAD:
		a.type = SK_ACT_KILL_THREAD;
		break;
	default:
		break;
	}
	snprintf(buf, size, "%s", scmp_action_name(a));
	return buf;
}

/* "fcntl(0, 0x8, 0x1, 0, 0, 0) on x86_64 gets SCMP_ACT_ALLOW where the policy
 * says SCMP_ACT_ERRNO(1) (p.yaml:6:7)" */
static const char *miss_text(const char *name, uint32_t abi, const struct sk_oci_miss *m, char *buf, size_t size)
{
	char got[48], want[48], from[256];

	if (m->rule_error == -ETIMEDOUT) {
		snprintf(buf, size, "libseccomp does not finish compiling its entries (it loops), and the runtimes "
			 "with it");
		return buf;
	}
	if (m->rule_error) {
		snprintf(buf, size, "libseccomp refuses one of its entries on %s (%s), and the runtimes with it", sk_export_arch_label(abi),
			 strerror(-m->rule_error));
		return buf;
	}
	snprintf(buf, size, "%s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) on %s, gets %s where the policy says %s (%s)", name,
		 (unsigned long long)m->args[0], (unsigned long long)m->args[1], (unsigned long long)m->args[2],
		 (unsigned long long)m->args[3], (unsigned long long)m->args[4], (unsigned long long)m->args[5],
		 sk_export_arch_label(abi), ret_text(m->got, got, sizeof(got)),
		 ret_text(sk_filter_action(SK_NOTIFY_NONE, m->want.action), want, sizeof(want)),
		 sk_export_origin_text(&m->want.at, from, sizeof(from)));
	return buf;
}

/*
 * Pick the first order of `e`'s entries that libseccomp compiles to the
 * plan's meaning (oci_verify.c) and file the syscall under it.  If none
 * does: refused, or with --lossy the first order, the call listed as lost.
 */
/* A syscall with entries, as placed. */
struct placed {
	const char *name;
	unsigned skip; /* the ABIs its 64-bit conditions are lost on */
	bool lost;     /* in no order as the plan means (--lossy) */
};

static bool is_multiplexed(const char *name)
{
	for (size_t i = 0; i < sk_multiplexed_len; i++)
		if (!strcmp(sk_multiplexed[i].name, name))
			return true;
	return false;
}

static bool is_mux(const char *name)
{
	for (size_t i = 0; i < sk_multiplexed_len; i++)
		if (!strcmp(sk_multiplexed[i].mux, name))
			return true;
	return false;
}

/* The entries of the multiplexer of `name`, placed before it (none if it
 * has no entries or `name` is multiplexed by nothing). */
static struct sk_oci_context mux_context(const struct classes *cs, const char *name)
{
	struct sk_oci_context cx = { 0 };
	const char *mux = NULL;

	for (size_t i = 0; i < sk_multiplexed_len && !mux; i++)
		if (!strcmp(sk_multiplexed[i].name, name))
			mux = sk_multiplexed[i].mux;
	for (size_t i = 0; mux && i < cs->n; i++)
		for (size_t k = 0; k < cs->c[i].nnames; k++)
			if (!strcmp(cs->c[i].names[k], mux)) {
				cx.names = cs->c[i].names;
				cx.nnames = cs->c[i].nnames;
				cx.terms = cs->c[i].seq;
				cx.n = cs->c[i].n;
				return cx;
			}
	return cx;
}

static int place_call(struct classes *cs, struct strv *lost, const stockade_plan *plan, const struct sk_oci_check *ck,
		      const char *name, const struct sk_oci_term *base, size_t n, unsigned flags, struct placed *pl,
		      stockade_error **err)
{
	struct sk_oci_context cx = mux_context(cs, name);
	struct sk_oci_term *cand = malloc(ORDERS * n * sizeof(*cand));
	struct sk_oci_miss miss[3], first[3];
	struct sk_argvec *vecs = NULL;
	size_t nvecs = 0;
	unsigned skip = lost32(lost, name, base, n, ck->arches, ck->narches);
	int chosen = -1, ret = 0;

	*pl = (struct placed){ .name = name, .skip = skip };
	char text[512];

	if (!cand || sk_probe_args(plan, name, &vecs, &nvecs) < 0) {
		free(cand);
		return sk_error(err, ENOMEM, "out of memory");
	}
	for (int k = 0; k < ORDERS && chosen < 0; k++) {
		struct sk_oci_term *c = &cand[(size_t)k * n];
		bool seen = false;

		order(k, base, n, c);
		for (int j = 0; j < k && !seen; j++)
			seen = memcmp(&cand[(size_t)j * n], c, n * sizeof(*c)) == 0;
		if (seen)
			continue;
		ret = sk_oci_check_call(ck, plan, name, &cx, c, n, vecs, nvecs, skip, k == 0 ? first : miss);
		if (ret < 0) {
			ret = sk_error(err, -ret, "%s: cannot check the OCI entries with libseccomp: %s", name, strerror(-ret));
			goto out;
		}
		if (ret == 0)
			chosen = k;
	}
	ret = 0;
	if (chosen < 0) {
		size_t at = 0;

		while (at + 1 < ck->narches && !first[at].found)
			at++;
		if (!(flags & STOCKADE_EXPORT_LOSSY)) {
			ret = sk_error(err, ENOTSUP,
				       "%s cannot be exported to OCI: libseccomp %s, which runc and crun compile the "
				       "profile with, decides it otherwise in every order of its %zu entries: %s",
				       name, libseccomp_version(), n,
				       miss_text(name, ck->arches[at], &first[at], text, sizeof(text)));
			sk_error_hint(err, "--format bpf exports the filter itself (bwrap --seccomp loads it); --lossy "
				      "exports the profile anyway and lists %s as lost", name);
			goto out;
		}
		for (size_t i = 0; i < ck->narches; i++)
			if (first[i].found)
				sk_export_strv_add(lost, "%s: libseccomp %s, which runc and crun compile the profile with, decides "
					 "%s otherwise in every order of its %zu entries: %s", name, libseccomp_version(),
					 name, n,
					 miss_text(name, ck->arches[i], &first[i], text, sizeof(text)));
		chosen = 0;
		pl->lost = true;
	}
	class_add(cs, &cand[(size_t)chosen * n], n, name);
out:
	free(vecs);
	free(cand);
	return ret;
}

/* The multiplexers' entries first (see export_oci), then syscalls with a
 * single unconditional entry, then the others. */
static int class_pass(const struct class *c)
{
	for (size_t k = 0; k < c->nnames; k++)
		if (is_mux(c->names[k]))
			return 0;
	return c->n == 1 && c->seq[0].term->n == 0 ? 1 : 2;
}

/*
 * The whole profile as written, compiled once more the runtimes' way and
 * every placed syscall checked in it: what libseccomp makes of one
 * syscall's entries alone could yet differ in the company of the others
 * (it does for i386's multiplexers).  A difference refuses the export as
 * place_call() does, or is listed as lost.
 */
static int check_profile(const struct classes *cs, const struct placed *pl, size_t npl, const stockade_plan *plan,
			 const struct sk_oci_check *ck, struct strv *lost, unsigned flags, stockade_error **err)
{
	struct sk_oci_written *w;
	struct sock_filter *prog = NULL;
	size_t n = 0, plen = 0;
	int rule_error = 0, ret = 0;
	char text[512];

	for (size_t i = 0; i < cs->n; i++)
		n += cs->c[i].n;
	w = malloc((n ? n : 1) * sizeof(*w));
	if (!w)
		return sk_error(err, ENOMEM, "out of memory");
	n = 0;
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < cs->n; i++)
			for (size_t k = 0; class_pass(&cs->c[i]) == pass && k < cs->c[i].n; k++)
				w[n++] = (struct sk_oci_written){ .names = cs->c[i].names, .nnames = cs->c[i].nnames,
								  .term = &cs->c[i].seq[k] };
	ret = sk_oci_profile_build(ck, w, n, &prog, &plen, &rule_error);
	free(w);
	if (ret < 0)
		return sk_error(err, -ret, "cannot check the OCI profile with libseccomp: %s", strerror(-ret));
	for (size_t i = 0; i < npl && ret >= 0; i++) {
		struct sk_argvec *vecs = NULL;
		struct sk_oci_miss miss[3];
		size_t nvecs = 0;
		int bad;

		if (pl[i].lost)
			continue;
		if (sk_probe_args(plan, pl[i].name, &vecs, &nvecs) < 0) {
			ret = sk_error(err, ENOMEM, "out of memory");
			break;
		}
		bad = sk_oci_check_prog(ck, prog, plen, rule_error, plan, pl[i].name, vecs, nvecs, pl[i].skip, miss);
		free(vecs);
		if (bad < 0) {
			ret = sk_error(err, -bad, "cannot check the OCI profile with libseccomp: %s", strerror(-bad));
			break;
		}
		for (size_t a = 0; bad && a < ck->narches; a++) {
			if (!miss[a].found)
				continue;
			miss_text(pl[i].name, ck->arches[a], &miss[a], text, sizeof(text));
			if (!(flags & STOCKADE_EXPORT_LOSSY)) {
				ret = sk_error(err, ENOTSUP,
					       "%s cannot be exported to OCI: libseccomp %s, which runc and crun compile the "
					       "profile with, decides it otherwise in the whole profile: %s",
					       pl[i].name, libseccomp_version(), text);
				sk_error_hint(err, "--format bpf exports the filter itself (bwrap --seccomp loads it); "
					      "--lossy exports the profile anyway and lists %s as lost", pl[i].name);
				break;
			}
			sk_export_strv_add(lost, "%s: libseccomp %s, which runc and crun compile the profile with, decides %s "
				 "otherwise in the whole profile: %s", pl[i].name, libseccomp_version(), pl[i].name, text);
		}
	}
	free(prog);
	return ret < 0 ? ret : 0;
}

int sk_export_oci(const stockade_plan *plan, uint32_t arch, unsigned flags, char **data, size_t *len,
		      struct strv *lostp, stockade_error **err)
{
	struct classes cs = { 0 };
	struct strv lost = *lostp;
	struct sk_buf b = { 0 };
	struct sk_oci_check ck;
	struct sk_oci_term *base = NULL;
	struct placed *pl = NULL;
	uint32_t arches[3] = { arch }, extra[2];
	size_t narches = 1, nextra, nbase = 0, cap = 0, left = 0, npl = 0;
	char from[256];
	int ret = 0;

	sk_compat_arches(arch, extra, &nextra);
	if (plan->compat == SK_COMPAT_FILTER)
		for (size_t i = 0; i < nextra; i++)
			arches[narches++] = extra[i];
	else if (nextra)
		sk_export_strv_add(&lost,
			 "compat_arches: refuse (%s): OCI runtimes leave the architectures they are not given to "
			 "libseccomp's bad-architecture action, SCMP_ACT_KILL, which kills the calling thread of an "
			 "%s call, not the whole process",
			 sk_export_origin_text(&plan->compat_at, from, sizeof(from)), nextra == 2 ? "i386 or x32" : "arm");
	sk_oci_check_init(&ck, plan->default_action, arches, narches);

	/* socketcall and ipc first, the calls they multiplex last: those are
	 * checked after the multiplexer's entries, with all their names
	 * (oci_verify.c). */
	pl = calloc(plan->nentries + 1, sizeof(*pl));
	if (!pl) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < 3 * plan->nentries && ret == 0; j++) {
		const struct sk_plan_entry *e = &plan->entries[j % plan->nentries];
		struct sk_action act = sk_plan_entry_base(plan, e);
		int round = is_mux(e->name) ? 0 : is_multiplexed(e->name) ? 2 : 1;

		if ((size_t)round != j / plan->nentries || !exists_on(e->name, arches, narches))
			continue;
		/* Its entries: unconditional ones first, then the plan's order. */
		nbase = 0;
		for (int pass = 0; pass < 2; pass++) {
			for (size_t k = 0; k <= e->nrules; k++) {
				const struct sk_region *reg = k < e->nrules ? &e->rules[k].region : &e->base_region;
				struct sk_action a = k < e->nrules ? e->rules[k].action : act;

				if (sk_action_eq(a, plan->default_action))
					continue;
				for (size_t t = 0; t < reg->n; t++) {
					if ((reg->terms[t].n == 0) != (pass == 0))
						continue;
					if (nbase == cap) {
						struct sk_oci_term *nb = realloc(base, (cap = cap ? 2 * cap : 16) * sizeof(*nb));
						if (!nb) {
							ret = sk_error(err, ENOMEM, "out of memory");
							goto out;
						}
						base = nb;
					}
					base[nbase++] = (struct sk_oci_term){ .action = a, .term = &reg->terms[t] };
				}
			}
		}
		if (nbase)
			ret = place_call(&cs, &lost, plan, &ck, e->name, base, nbase, flags, &pl[npl++], err);
	}
	if (ret < 0)
		goto out;
	if (cs.failed) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = check_profile(&cs, pl, npl, plan, &ck, &lost, flags, err)) < 0)
		goto out;
	if ((ret = sk_export_refuse_lossy(&lost, flags, err)) < 0)
		goto out;

	sk_buf_printf(&b, "{\n\t\"defaultAction\": \"%s\",\n", scmp_action_name(plan->default_action));
	if (plan->default_action.type == SK_ACT_ERRNO)
		sk_buf_printf(&b, "\t\"defaultErrnoRet\": %d,\n", plan->default_action.errnum);
	sk_buf_printf(&b, "\t\"architectures\": [\n");
	for (size_t i = 0; i < narches; i++)
		sk_buf_printf(&b, "\t\t\"%s\"%s\n", sk_oci_arch_name(arches[i]), i + 1 < narches ? "," : "");
	for (size_t i = 0; i < cs.n; i++)
		left += cs.c[i].n;
	sk_buf_printf(&b, "\t],\n\t\"syscalls\": [%s", left ? "\n" : "");
	/* The multiplexers' entries first (see above), then syscalls with a
	 * single unconditional entry, then the others, each with its entries
	 * in the order checked. */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < cs.n; i++) {
			const struct class *c = &cs.c[i];
			if (class_pass(c) != pass)
				continue;
			for (size_t k = 0; k < c->n; k++)
				emit_entry(&b, c, &c->seq[k], --left == 0);
		}
	sk_buf_printf(&b, "%s]\n}\n", cs.n ? "\t" : "");
	if (b.failed) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	*data = steal_pointer(&b.data);
	*len = b.len;
out:
	sk_oci_check_release(&ck);
	for (size_t i = 0; i < cs.n; i++) {
		free(cs.c[i].seq);
		free(cs.c[i].names);
	}
	free(cs.c);
	free(base);
	free(pl);
	free(b.data);
	*lostp = lost;
	return ret;
}
