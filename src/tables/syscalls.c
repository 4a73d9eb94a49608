/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Syscall names: which ones exist, "did you mean", and architecture names.
 *
 * The list of names comes from libseccomp itself rather than a table of our
 * own, so a policy can name exactly the calls the filter compiler can
 * resolve, and a newer libseccomp brings newer calls with it.
 */
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tables/tables.h"

const uint32_t sk_arches[] = {
	SCMP_ARCH_X86_64,
	SCMP_ARCH_X86,
	SCMP_ARCH_X32,
	SCMP_ARCH_AARCH64,
};

const size_t sk_arches_len = ARRAY_SIZE(sk_arches);

/* Syscall numbers on every supported arch are far below this (about 460 in
 * Linux 6.x); the margin leaves room for libseccomp versions that know more. */
#define SK_SYSCALL_NR_MAX 1024
/* x32 numbers carry this bit in the kernel ABI (__X32_SYSCALL_BIT). */
#define SK_X32_SYSCALL_BIT 0x40000000

static const char *const *all_names;
static size_t all_len; /* written before all_names is published */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_name(char ***v, size_t *n, size_t *cap, char *name)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		char **nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = name;
	return 0;
}

/* Resolve one number; a NULL from libseccomp just means "no such call". */
static int add_num(char ***v, size_t *n, size_t *cap, uint32_t arch, int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);

	if (!name)
		return 0;
	if (add_name(v, n, cap, name) < 0) {
		free(name);
		return -ENOMEM;
	}
	return 0;
}

static char **build_all(void)
{
	char **v = NULL;
	size_t n = 0, cap = 0, out = 0;

	for (size_t a = 0; a < sk_arches_len; a++) {
		for (int nr = 0; nr < SK_SYSCALL_NR_MAX; nr++) {
			if (add_num(&v, &n, &cap, sk_arches[a], nr) < 0)
				goto fail;
			/* libseccomp 2.5.4 maps x32 numbers with or without
			 * the x32 bit; other versions accept only one form, so
			 * ask both and let deduplication sort it out. */
			if (sk_arches[a] == SCMP_ARCH_X32 &&
			    add_num(&v, &n, &cap, sk_arches[a], SK_X32_SYSCALL_BIT + nr) < 0)
				goto fail;
		}
	}
	if (add_name(&v, &n, &cap, NULL) < 0)
		goto fail;
	n--; /* the terminator is not a name */

	qsort(v, n, sizeof(*v), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(v[out - 1], v[i]) == 0)
			free(v[i]);
		else
			v[out++] = v[i];
	}
	v[out] = NULL;
	all_len = out;
	return v;

fail:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return NULL;
}

const char *const *sk_syscall_all(void)
{
	const char *const *all = __atomic_load_n(&all_names, __ATOMIC_ACQUIRE);

	if (all)
		return all;
	/* A mutex rather than pthread_once so that an allocation failure is
	 * not remembered forever: the next caller simply tries again. */
	pthread_mutex_lock(&all_lock);
	all = all_names;
	if (!all) {
		char **built = build_all();

		all = (const char *const *)built;
		if (all)
			__atomic_store_n(&all_names, all, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&all_lock);
	if (!all)
		errno = ENOMEM;
	return all;
}

bool sk_syscall_known(const char *name)
{
	if (!name || !*name)
		return false;
	/* Ask libseccomp's hashed name tables directly: building the sorted
	 * list costs a millisecond, which every `stockade run` would pay.  A
	 * negative number is a pseudo-syscall (a call of another arch, or
	 * x86's socketcall multiplexing); every multiplexed i386 call exists
	 * natively on x86_64, so the name-based answer equals the list's. */
	for (size_t i = 0; i < sk_arches_len; i++)
		if (seccomp_syscall_resolve_name_arch(sk_arches[i], name) >= 0)
			return true;
	return false;
}

const char *sk_syscall_suggest(const char *name)
{
	return stockade_suggest(name, sk_syscall_all(), SIZE_MAX);
}

/* ---- architecture names ---- */

static const struct {
	const char *name;
	uint32_t token;
} arch_names[] = {
	/* The first spelling of each arch is the one stockade prints. */
	{ "x86_64", SCMP_ARCH_X86_64 },
	{ "amd64", SCMP_ARCH_X86_64 },
	{ "i386", SCMP_ARCH_X86 },
	{ "x86", SCMP_ARCH_X86 },
	{ "x32", SCMP_ARCH_X32 },
	{ "aarch64", SCMP_ARCH_AARCH64 },
	{ "arm64", SCMP_ARCH_AARCH64 },
};

int stockade_arch_from_name(const char *name, uint32_t *token)
{
	if (!name || !token)
		return -EINVAL;
	/* SCMP_ARCH_NATIVE is 0: "whatever this process runs as", resolved
	 * by libseccomp when the filter is built. */
	if (strcasecmp(name, "native") == 0) {
		*token = SCMP_ARCH_NATIVE;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++) {
		if (strcasecmp(name, arch_names[i].name) == 0) {
			*token = arch_names[i].token;
			return 0;
		}
	}
	return -EINVAL;
}

const char *stockade_arch_name(uint32_t token)
{
	if (token == SCMP_ARCH_NATIVE)
		token = seccomp_arch_native();
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
		if (arch_names[i].token == token)
			return arch_names[i].name;
	return NULL;
}
