/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the export's files share (export.c, oci_export.c). */
#ifndef STOCKADE_EXPORT_EXPORT_H
#define STOCKADE_EXPORT_EXPORT_H

#include "plan/plan.h"

/* A list of messages, NULL-terminated, without duplicates. */
struct strv {
	char **v;
	size_t n;
	bool failed;
};

void sk_export_strv_add(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "x86_64", "i386", "x32", "aarch64", "arm" */
const char *sk_export_arch_label(uint32_t arch);
bool sk_export_is_32bit(uint32_t arch);
/* Does libseccomp's reading of `c` on a 32-bit ABI (the datum cut to its
 * low word) mean what `c` means for 32-bit arguments? */
bool sk_export_cond_same32(const struct sk_cond *c);
/* "p.yaml:6:7", "p.yaml" or "built-in default" */
const char *sk_export_origin_text(const struct sk_origin *o, char *buf, size_t size);
/* -ENOTSUP naming the first loss, unless there is none or --lossy. */
int sk_export_refuse_lossy(struct strv *lost, unsigned flags, stockade_error **err);

/* The OCI profile (oci_export.c). */
int sk_export_oci(const stockade_plan *plan, uint32_t arch, unsigned flags, char **data, size_t *len,
	       struct strv *lostp, stockade_error **err);

/* The OCI config fragment (oci_config.c): `plan` the policy's, `filter`
 * the plan whose filter is exported (the TCP fallback, or allow-all). */
int sk_export_oci_config(const stockade_plan *plan, const stockade_plan *filter, uint32_t arch, unsigned flags,
			 char **data, size_t *len, struct strv *lost, stockade_error **err);
/* Is the carve-out `d` of `plan` one of the fragment's linux.maskedPaths? */
bool sk_export_maskable(const stockade_plan *plan, const struct sk_fs_path *d);
/* Does the fragment give the command a network namespace of its own? */
bool sk_export_config_netns(const stockade_plan *plan);

#endif
