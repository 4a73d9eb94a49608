/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel as the oracle of the simulator tier: classic-BPF programs
 * loaded for real, each in a forked child (a loaded filter cannot be
 * removed), and what the child saw checked against what the simulator
 * predicts.  Also the few helpers the interpreter's test files share.
 */
#ifndef STOCKADE_TEST_KERNEL_ORACLE_H
#define STOCKADE_TEST_KERNEL_ORACLE_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Field offsets inside struct seccomp_data, spelled out. */
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_ARG(i) (16 + 8 * (i))

#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static inline struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter){ .code = code, .k = k };
}

static inline struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	return (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

static inline struct seccomp_data mkdata(int nr, uint32_t arch)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch;
	return d;
}

/* Exit codes a child uses to report that it never got to run the filter. */
#define CHILD_REFUSED_EINVAL 42
#define CHILD_SETUP_FAILED 43

/* Stop killed children from dumping core, then allow unprivileged loading. */
void child_prepare(void);
/* 1: the kernel accepted the program, 0: refused it with EINVAL, -1: the
 * experiment failed. */
int kernel_accepts(const struct sock_filter *prog, size_t len);
/* NULL if this process can load seccomp filters, else why not. */
const char *kernel_unavailable(void);
/* Runs the body, behind a gate that allows every syscall but getppid, in
 * the simulator and in the kernel for getppid(args), and checks they agree.
 * Returns the simulator's verdict. */
uint32_t kernel_vs_sim(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what);
/* The 32-bit value `body` leaves in A, as the kernel computed it (read 12
 * bits at a time through getppid's errno, each slice checked against the
 * simulator). */
uint32_t kernel_read_a(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what);

#endif
