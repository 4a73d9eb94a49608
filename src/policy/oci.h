/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI / Docker seccomp profiles: import (oci_import.c, with oci_resolve.c
 * and oci_rules.c) into a policy layer; the export of a plan is in
 * src/export/export.c.
 */
#ifndef STOCKADE_OCI_H
#define STOCKADE_OCI_H

#include "policy/policy.h"

/* What a profile is resolved against, as Docker and Podman resolve theirs
 * before handing them to runc or crun (oci_resolve.c). */
struct sk_oci_env {
	uint32_t arch;	 /* SCMP_ARCH_* of the machine the filter is for */
	uint64_t caps;	 /* bit N = capability N, for includes/excludes.caps */
	int kernel_major; /* for minKernel */
	int kernel_minor;
};

/* Docker's default capability set (what `docker run` grants). */
extern const uint64_t sk_docker_default_caps;

/* Resolve the policy's OCI settings (defaults filled in). */
int sk_oci_env_of(const stockade_policy *policy, struct sk_oci_env *env, stockade_error **err);

/* Turn a profile's text into a layer.  `file` names it in errors and
 * origins.  Returns 0 or -errno with *err set. */
int sk_oci_import(const char *file, const char *text, size_t len, const struct sk_oci_env *env,
		  struct sk_layer **out, stockade_error **err);

/* The OCI architecture name of an SCMP_ARCH_* token ("SCMP_ARCH_X86_64"). */
const char *sk_oci_arch_name(uint32_t arch);

#endif
