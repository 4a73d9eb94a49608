/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI export's check of its own profile (oci_verify.c): the entries of
 * one syscall, in the order they are to be written, compiled by libseccomp
 * the way runc and crun compile them, run in the simulator and compared
 * with the plan's decisions.
 */
#ifndef STOCKADE_EXPORT_OCI_VERIFY_H
#define STOCKADE_EXPORT_OCI_VERIFY_H

#include "plan/plan.h"
#include "seccomp/argvec.h"

/* One OCI entry of a syscall: an action and the ANDed conditions of a term. */
struct sk_oci_term {
	struct sk_action action;
	const struct sk_term *term;
};

/* The profile's setting: its default action and architectures. */
struct sk_oci_check {
	struct sk_action def;
	uint32_t arches[3]; /* the profile's, the machine's own first */
	size_t narches;
	int fd; /* where seccomp_export_bpf() writes: a memfd, or -1 for a pipe each time */
};

/* Where the runtimes' filter and the plan part, on one ABI. */
struct sk_oci_miss {
	bool found;
	uint64_t args[SK_MAX_ARGS]; /* as the ABI passes them */
	uint32_t got;		    /* SECCOMP_RET_* of libseccomp's filter */
	struct sk_verdict want;	    /* the plan's */
	int rule_error;		    /* seccomp_rule_add() refused an entry (the runtimes refuse the profile) */
};

/* One entry as written: its names, its action and conditions. */
struct sk_oci_written {
	const char *const *names;
	size_t nnames;
	const struct sk_oci_term *term;
};

/* The filter the runtimes make of the whole profile `w` (entries in the
 * order written).  0 (*prog malloc'd); 1 if libseccomp refuses an entry
 * (*rule_error, *prog NULL: the runtimes would not start); or a negative
 * errno. */
int sk_oci_profile_build(const struct sk_oci_check *ck, const struct sk_oci_written *w, size_t n,
			 struct sock_filter **prog, size_t *len, int *rule_error);
/* Run `name` through `prog` (NULL: refused with rule_error), as
 * sk_oci_check_call() does. */
int sk_oci_check_prog(const struct sk_oci_check *ck, const struct sock_filter *prog, size_t len, int rule_error,
		      const stockade_plan *plan, const char *name, const struct sk_argvec *vecs, size_t nvecs,
		      unsigned skip, struct sk_oci_miss miss[3]);

int sk_oci_check_init(struct sk_oci_check *ck, struct sk_action def, const uint32_t *arches, size_t narches);
void sk_oci_check_release(struct sk_oci_check *ck);

/* Entries of another syscall written before `name`'s that share its rule
 * tree: i386's socketcall and ipc for the calls they multiplex. */
struct sk_oci_context {
	const char *const *names; /* every name of those entries, as written */
	size_t nnames;
	const struct sk_oci_term *terms;
	size_t n;
};

/*
 * Compile `terms` (all of the entries of `name`, in the order they would be
 * written), after those of `ctx` if not NULL, under the profile's default,
 * and run every vector of
 * `vecs` through it on every architecture of the profile that has `name`,
 * but those whose bit (1 << index in ck->arches) is set in `skip`.
 * Returns the number of ABIs on which some call is decided otherwise than
 * by the plan (miss[i] says how, for ck->arches[i]), or a negative errno.
 */
int sk_oci_check_call(const struct sk_oci_check *ck, const stockade_plan *plan, const char *name,
		      const struct sk_oci_context *ctx, const struct sk_oci_term *terms, size_t nterms,
		      const struct sk_argvec *vecs, size_t nvecs, unsigned skip, struct sk_oci_miss miss[3]);

#endif
