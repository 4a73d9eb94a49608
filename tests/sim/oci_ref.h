/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A reference consumer of OCI / Docker seccomp profiles for the simulator
 * tier: what Docker (or Podman) plus runc (or crun) make of a profile on one
 * machine, written from their documented behaviour with libseccomp,
 * independently of stockade's importer and exporter; only the JSON reader
 * (json.c, the parse alone) is shared with them.
 */
#ifndef STOCKADE_TEST_OCI_REF_H
#define STOCKADE_TEST_OCI_REF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

struct ref_env {
	uint32_t arch;	/* the machine: SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ... */
	uint64_t caps;	/* the container's bounding set, bit N = capability N */
	int kmaj, kmin; /* the running kernel, for minKernel */
};

/* Moby's default capability set. */
extern const uint64_t ref_docker_caps;

/* Load `json` the way the runtimes do and export the BPF they would load.
 * Returns 0, or -1 with a message in errbuf. */
int ref_oci_compile(const char *json, const struct ref_env *env, struct sock_filter **prog, size_t *len,
		    char *errbuf, size_t errlen);

/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *ref_read_file(const char *path);

#endif
