/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Architectures: the value seccomp_data.arch carries for each, syscall
 * numbers by name and back (libseccomp's tables), which ABIs pass 32-bit
 * arguments, and the compat ABIs a native one also accepts.
 */
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "tables/tables.h"

#define X32_BIT 0x40000000

uint32_t sk_audit_arch(uint32_t arch)
{
	return arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch;
}

int sk_syscall_nr(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	/* libseccomp names i386's direct socket calls (socket is 359 since
	 * Linux 4.3) by a pseudo-number, the socketcall(2) multiplexer's;
	 * its number table still knows the direct ones. */
	for (int n = 0; nr < 0 && arch == SCMP_ARCH_X86 && n < SK_NR_LIMIT; n++) {
		char *s = seccomp_syscall_resolve_num_arch(arch, n);
		if (s && strcmp(s, name) == 0)
			nr = n;
		free(s);
	}
	if (nr < 0)
		return -1;
	if (arch == SCMP_ARCH_X32)
		nr |= X32_BIT;
	return nr;
}

char *sk_syscall_name(uint32_t arch, int nr)
{
	char *name;

	if (arch == SCMP_ARCH_X32) {
		/* libseccomp versions differ on whether the bit is part of
		 * the number; ask both ways. */
		name = seccomp_syscall_resolve_num_arch(arch, nr | X32_BIT);
		return name ? name : seccomp_syscall_resolve_num_arch(arch, nr & ~X32_BIT);
	}
	return seccomp_syscall_resolve_num_arch(arch, nr);
}

bool sk_arch_args32(uint32_t arch)
{
	return arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_X32 || arch == SCMP_ARCH_ARM;
}

void sk_compat_arches(uint32_t arch, uint32_t out[2], size_t *n)
{
	*n = 0;
	if (arch == SCMP_ARCH_X86_64) {
		out[(*n)++] = SCMP_ARCH_X86;
		out[(*n)++] = SCMP_ARCH_X32;
	} else if (arch == SCMP_ARCH_AARCH64) {
		out[(*n)++] = SCMP_ARCH_ARM;
	}
}
