/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reference OCI consumer (see oci_ref.h).  Two stages, as on a real
 * machine:
 *
 *  1. Docker's profile resolution (moby profiles/seccomp setupSeccomp):
 *     archMap keeps the native architecture's entry and its
 *     subArchitectures; an entry is dropped if excludes.arches has the
 *     native Docker arch name, if excludes.caps has *any* capability of the
 *     bounding set, if the kernel is at least excludes.minKernel; or unless
 *     includes.arches has the native name, unless the set has *all* of
 *     includes.caps, unless the kernel is at least includes.minKernel.
 *  2. runc / crun: seccomp_init(defaultAction), seccomp_arch_add() for every
 *     listed architecture, the bad-architecture action left at libseccomp's
 *     default (SCMP_ACT_KILL); per entry, skip it if its action equals the
 *     default, resolve each name with seccomp_syscall_resolve_name() (unknown
 *     ones skipped), add one rule with all conditions, or one rule per
 *     condition when two share an argument index; SCMP_ACT_ERRNO without
 *     errnoRet means EPERM, SCMP_ACT_KILL is SCMP_ACT_KILL (thread).
 *
 * The machine is emulated by making `env->arch` the filter's only native
 * architecture, as if libseccomp ran there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/json.h"
#include "oci_ref.h"

static const char *const caps[] = {
	"CAP_CHOWN",	      "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",	   "CAP_FSETID",
	"CAP_KILL",	      "CAP_SETGID",	  "CAP_SETUID",		 "CAP_SETPCAP",	   "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",	 "CAP_NET_RAW",	   "CAP_IPC_LOCK",
	"CAP_IPC_OWNER",      "CAP_SYS_MODULE",	  "CAP_SYS_RAWIO",	 "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",      "CAP_SYS_ADMIN",	  "CAP_SYS_BOOT",	 "CAP_SYS_NICE",   "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",	      "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",	 "CAP_LEASE",	   "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",  "CAP_SETFCAP",	  "CAP_MAC_OVERRIDE",	 "CAP_MAC_ADMIN",  "CAP_SYSLOG",
	"CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",	 "CAP_PERFMON",	   "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

#define C(name) (1ULL << cap_bit(name))

static int cap_bit(const char *name)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcmp(caps[i], name))
			return (int)i;
	return 63; /* unknown: a bit no set has */
}

/* moby oci/caps/defaults.go, spelled out. */
const uint64_t ref_docker_caps = (1ULL << 0) | (1ULL << 1) | (1ULL << 4) | (1ULL << 3) | (1ULL << 27) |
				 (1ULL << 13) | (1ULL << 6) | (1ULL << 7) | (1ULL << 31) | (1ULL << 8) |
				 (1ULL << 10) | (1ULL << 18) | (1ULL << 5) | (1ULL << 29);

char *ref_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void fail(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

static const char *docker_arch(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_ARM:
		return "arm";
	default:
		return "?";
	}
}

static uint32_t arch_token(const char *name)
{
	char lower[32];
	size_t i;

	if (!strncmp(name, "SCMP_ARCH_", 10))
		name += 10;
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

/* Accessors in the shape of the runtimes' Go structs: a missing or
 * mistyped field reads as its zero value. */
static const struct sk_json *get(const struct sk_json *o, const char *key)
{
	return sk_json_get(o, key);
}

static const char *str(const struct sk_json *v)
{
	return v && v->type == SK_JSON_STRING ? v->str : NULL;
}

static size_t count(const struct sk_json *list)
{
	return list && list->type == SK_JSON_ARRAY ? list->n : 0;
}

/* An integer field: 0 if absent, -1 if not a non-negative integer. */
static long long int_value(const struct sk_json *v)
{
	if (!v || v->type != SK_JSON_NUMBER)
		return 0;
	return v->is_uint && v->uint <= INT64_MAX ? (long long)v->uint : -1;
}

/*
 * OCI argument values are unsigned 64-bit (Go's encoding/json, used by
 * Docker, runc and Kubernetes, reads them all, and so does crun); a string
 * is read as a number too.
 */
static uint64_t u64(const struct sk_json *v)
{
	if (str(v))
		return strtoull(str(v), NULL, 10);
	return v && v->type == SK_JSON_NUMBER && v->is_uint ? v->uint : 0;
}

static bool has_string(const struct sk_json *list, const char *s)
{
	for (size_t i = 0; i < count(list); i++)
		if (str(&list->items[i]) && !strcmp(str(&list->items[i]), s))
			return true;
	return false;
}

static bool kernel_ge(const struct ref_env *env, const struct sk_json *min)
{
	unsigned a, b;

	if (!str(min) || sscanf(str(min), "%u.%u", &a, &b) != 2)
		return true;
	return env->kmaj > (int)a || (env->kmaj == (int)a && env->kmin >= (int)b);
}

static bool applies(const struct sk_json *call, const struct ref_env *env)
{
	const struct sk_json *exc = get(call, "excludes"), *inc = get(call, "includes"), *v, *c;
	const char *arch = docker_arch(env->arch);

	if (exc && exc->type == SK_JSON_OBJECT) {
		if ((v = get(exc, "arches")) && has_string(v, arch))
			return false;
		c = get(exc, "caps");
		for (size_t i = 0; i < count(c); i++)
			if (env->caps & C(str(&c->items[i])))
				return false;
		if ((v = get(exc, "minKernel")) && str(v) && *str(v) && kernel_ge(env, v))
			return false;
	}
	if (inc && inc->type == SK_JSON_OBJECT) {
		v = get(inc, "arches");
		if (count(v) && !has_string(v, arch))
			return false;
		c = get(inc, "caps");
		for (size_t i = 0; i < count(c); i++)
			if (!(env->caps & C(str(&c->items[i]))))
				return false;
		if ((v = get(inc, "minKernel")) && str(v) && *str(v) && !kernel_ge(env, v))
			return false;
	}
	return true;
}

static int action_of(const struct sk_json *act, const struct sk_json *errno_ret, uint32_t *out)
{
	const char *a = str(act);
	uint32_t e = errno_ret && errno_ret->type == SK_JSON_NUMBER ? (uint32_t)int_value(errno_ret) : EPERM;

	if (!a)
		return -1;
	if (!strcmp(a, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(a, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(a, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(a, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else
		return -1;
	return 0;
}

static int op_of(const char *op, enum scmp_compare *out)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};

	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, op)) {
			*out = ops[i].op;
			return 0;
		}
	return -1;
}

static int add_call(scmp_filter_ctx ctx, const struct sk_json *call, uint32_t def, char *errbuf, size_t errlen)
{
	const struct sk_json *names = get(call, "names"), *name = get(call, "name");
	const struct sk_json *args = get(call, "args");
	struct scmp_arg_cmp cmp[6];
	unsigned n_at[6] = { 0 };
	bool same = false;
	uint32_t act;
	size_t nargs = count(args), nnames = count(names);

	if (action_of(get(call, "action"), get(call, "errnoRet"), &act) < 0) {
		fail(errbuf, errlen, "bad action");
		return -1;
	}
	if (act == def)
		return 0;
	if (nargs > 6) {
		fail(errbuf, errlen, "too many args");
		return -1;
	}
	for (size_t i = 0; i < nargs; i++) {
		const struct sk_json *arg = &args->items[i];
		long long idx = int_value(get(arg, "index"));
		enum scmp_compare op;
		if (idx < 0 || idx > 5 || op_of(str(get(arg, "op")), &op) < 0) {
			fail(errbuf, errlen, "bad argument condition");
			return -1;
		}
		cmp[i] = (struct scmp_arg_cmp){ .arg = (unsigned)idx,
						.op = op,
						.datum_a = u64(get(arg, "value")),
						.datum_b = u64(get(arg, "valueTwo")) };
		if (++n_at[idx] > 1)
			same = true;
	}
	/* The old single `name` when there is no `names` list. */
	if (!(names && names->type == SK_JSON_ARRAY) && str(name))
		names = NULL, nnames = 1;
	for (size_t i = 0; i < nnames; i++) {
		const char *sys = names ? str(&names->items[i]) : str(name);
		int nr = sys ? seccomp_syscall_resolve_name(sys) : __NR_SCMP_ERROR, rc = 0;

		if (nr == __NR_SCMP_ERROR)
			continue; /* "unknown seccomp syscall ignored" */
		if (!same) {
			rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, cmp);
		} else {
			for (size_t k = 0; rc == 0 && k < nargs; k++)
				rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
		}
		if (rc < 0) {
			fail(errbuf, errlen, "seccomp_rule_add %s: %s", sys, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

int ref_oci_compile(const char *text, const struct ref_env *env, struct sock_filter **prog, size_t *len,
		    char *errbuf, size_t errlen)
{
	struct sk_json_error jerr;
	struct sk_json root;
	const struct sk_json *list;
	scmp_filter_ctx ctx = NULL;
	uint32_t def, native = seccomp_arch_native();
	int ret = -1, fd = -1;
	off_t size;

	*prog = NULL;
	*len = 0;
	/* Duplicate keys are refused (jansson's JSON_REJECT_DUPLICATES did so
	 * here before): a profile under test has none. */
	if (sk_json_parse(text, strlen(text), &root, &jerr) < 0) {
		fail(errbuf, errlen, "JSON: line %d: %s", jerr.line, jerr.msg);
		return -1;
	}
	if (action_of(get(&root, "defaultAction"), get(&root, "defaultErrnoRet"), &def) < 0) {
		fail(errbuf, errlen, "bad defaultAction");
		goto out;
	}
	/* Claim API level 3 where seccomp() is hidden, so that KILL_PROCESS
	 * and LOG are accepted; exporting does not need the kernel. */
	if (seccomp_api_get() < 3)
		seccomp_api_set(3);
	ctx = seccomp_init(def);
	if (!ctx) {
		fail(errbuf, errlen, "seccomp_init");
		goto out;
	}
	if (env->arch != native && (seccomp_arch_add(ctx, env->arch) < 0 || seccomp_arch_remove(ctx, native) < 0)) {
		fail(errbuf, errlen, "cannot emulate arch %#x", env->arch);
		goto out;
	}
	list = get(&root, "architectures");
	for (size_t i = 0; i < count(list); i++) {
		const char *name = str(&list->items[i]);
		int rc = seccomp_arch_add(ctx, arch_token(name ? name : ""));
		if (rc < 0 && rc != -EEXIST) {
			fail(errbuf, errlen, "arch %s: %s", name ? name : "?", strerror(-rc));
			goto out;
		}
	}
	list = get(&root, "archMap");
	for (size_t i = 0; i < count(list); i++) {
		const struct sk_json *subs = get(&list->items[i], "subArchitectures");
		const char *main_arch = str(get(&list->items[i], "architecture"));

		if (!main_arch || arch_token(main_arch) != env->arch)
			continue;
		for (size_t k = 0; k < count(subs); k++) {
			const char *sub = str(&subs->items[k]);
			int rc = seccomp_arch_add(ctx, arch_token(sub ? sub : ""));
			if (rc < 0 && rc != -EEXIST) {
				fail(errbuf, errlen, "sub-arch: %s", strerror(-rc));
				goto out;
			}
		}
	}
	list = get(&root, "syscalls");
	for (size_t i = 0; i < count(list); i++) {
		if (!applies(&list->items[i], env))
			continue;
		if (add_call(ctx, &list->items[i], def, errbuf, errlen) < 0)
			goto out;
	}
	fd = memfd_create("oci-ref", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0) {
		fail(errbuf, errlen, "export failed");
		goto out;
	}
	size = lseek(fd, 0, SEEK_END);
	*prog = malloc((size_t)size);
	if (!*prog || pread(fd, *prog, (size_t)size, 0) != size) {
		free(*prog);
		*prog = NULL;
		fail(errbuf, errlen, "read back failed");
		goto out;
	}
	*len = (size_t)size / sizeof(struct sock_filter);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ctx)
		seccomp_release(ctx);
	sk_json_free(&root);
	return ret;
}
