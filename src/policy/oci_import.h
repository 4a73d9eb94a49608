/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI profile importer's shared parts, private to src/policy: its
 * state and error helpers (oci_import.c), what the profile means on the
 * target machine (oci_resolve.c), and the records of one syscall turned
 * into the layer's rules (oci_rules.c).
 */
#ifndef STOCKADE_POLICY_OCI_IMPORT_H
#define STOCKADE_POLICY_OCI_IMPORT_H

#include "base/json.h"
#include "policy/oci.h"

/* One (syscall, entry) pair that survived includes/excludes. */
struct record {
	const char *name;
	size_t entry, seq;
	int line, column;
	struct sk_action action;
	bool uncond;
	struct sk_cond conds[SK_MAX_ARGS];
	size_t nconds;
	const char *comment;
};

struct importer {
	const char *file, *text;
	const struct sk_oci_env *env;
	stockade_error **err;
	struct sk_layer *layer;
	struct sk_action def;
	struct record *recs;
	size_t nrecs, cap;
	const char **unknown;
	size_t nunknown;
	size_t applied, filtered, restated;
};

/* An error at line:column of the profile, shown with a caret: -EINVAL. */
int sk_oci_at(struct importer *im, int line, int column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define AT(v, ...) sk_oci_at(im, (v)->line, (v)->column, __VA_ARGS__)

/* Every key of object `o` is one of `keys` (NULL-terminated), or an error
 * that suggests the nearest. */
int sk_oci_check_keys(struct importer *im, const struct sk_json *o, const char *where, const char *const *keys);
int sk_oci_expect(struct importer *im, const struct sk_json *v, enum sk_json_type t, const char *what);
/* A list of strings (null counts as empty). */
int sk_oci_expect_strings(struct importer *im, const struct sk_json *v, const char *what);

/* ---- the profile on the target (oci_resolve.c) ---- */

/* Docker's name of an architecture (includes/excludes.arches), or NULL. */
const char *sk_docker_arch_name(uint32_t arch);
/* An entry's `includes` or `excludes`, checked; its minKernel in *kmaj and
 * *kmin (-1 if none). */
int sk_oci_parse_filter(struct importer *im, const struct sk_json *f, const char *where, int *kmaj, int *kmin);
/* Docker's setupSeccomp: does this entry apply on the target? */
bool sk_oci_entry_applies(struct importer *im, const struct sk_json *inc, const struct sk_json *exc, int inc_maj,
			  int inc_min, int exc_maj, int exc_min);
/* `architectures` or `archMap`: the target's other entry points filtered
 * (*compat) when the profile lists them all; note says when it lists some. */
int sk_oci_parse_arches(struct importer *im, const struct sk_json *root, struct sk_origin *compat_at,
			enum sk_compat *compat, char *note, size_t note_size);

/* ---- records to rules (oci_rules.c) ---- */

/* By syscall name, then in the profile's order. */
int sk_oci_cmp_record(const void *a, const void *b);
/* All records of one syscall: [from, to). */
int sk_oci_resolve_syscall(struct importer *im, size_t from, size_t to);

#endif
