/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libseccomp's compilation of a plan, as an oracle for the simulator tier
 * (oracle_libseccomp.c); the product generates its own BPF (bpf_gen.c).
 */
#ifndef STOCKADE_TEST_ORACLE_LIBSECCOMP_H
#define STOCKADE_TEST_ORACLE_LIBSECCOMP_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"

/* The plan's rules added to a libseccomp filter for `arch` (with its compat
 * arches under compat_arches: filter), exported as BPF: malloc'd, *len
 * instructions; NULL (and *err) on failure. */
struct sock_filter *oracle_libseccomp_bpf(const stockade_plan *plan, uint32_t arch, size_t *len,
					  stockade_error **err);

#endif
