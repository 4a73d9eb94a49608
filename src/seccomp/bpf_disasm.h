/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp filter as text, for review: a listing of the very program
 * stockade loads and exports (bpf_disasm.c).
 */
#ifndef STOCKADE_BPF_DISASM_H
#define STOCKADE_BPF_DISASM_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/*
 * List `prog`, a filter for `arch` (a libseccomp token, 0 = native), one
 * line per instruction under a header naming `policy` (may be NULL) and the
 * architecture: symbolic loads ([arch], [nr], [arg0 lo]), syscall numbers
 * with their names on the architecture the code path has checked, return
 * values as actions, and jump targets as labels.  *text is malloc'd and the
 * caller frees it.  Returns 0, -EINVAL for a program the kernel would
 * refuse (sk_sim_check), or -ENOMEM.
 */
int sk_bpf_disasm(const struct sock_filter *prog, size_t len, uint32_t arch, const char *policy, char **text);

#endif
