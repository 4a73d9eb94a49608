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
#include <jansson.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/*
 * jansson stops at INT64_MAX, but OCI argument values are unsigned 64-bit
 * (Go's encoding/json, used by Docker, runc and Kubernetes, reads them all,
 * and so does crun).  Quote the integers jansson cannot hold, outside
 * strings, and read them back with strtoull.
 */
static char *quote_big_integers(const char *text)
{
	size_t len = strlen(text), used = 0;
	char *out = malloc(len * 2 + 1);
	bool in_string = false;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		if (in_string) {
			if (text[i] == '\\' && i + 1 < len)
				out[used++] = text[i++];
			else if (text[i] == '"')
				in_string = false;
			out[used++] = text[i++];
			continue;
		}
		if (text[i] == '"') {
			in_string = true;
			out[used++] = text[i++];
			continue;
		}
		if (text[i] >= '0' && text[i] <= '9') {
			size_t j = i;
			while (j < len && text[j] >= '0' && text[j] <= '9')
				j++;
			bool big = j - i > 19 || (j - i == 19 && strncmp(text + i, "9223372036854775807", 19) > 0);
			if (big)
				out[used++] = '"';
			memcpy(out + used, text + i, j - i);
			used += j - i;
			if (big)
				out[used++] = '"';
			i = j;
			continue;
		}
		out[used++] = text[i++];
	}
	out[used] = '\0';
	return out;
}

static uint64_t u64(json_t *v)
{
	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 10);
	return (uint64_t)json_integer_value(v);
}

static bool has_string(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static bool kernel_ge(const struct ref_env *env, json_t *min)
{
	unsigned a, b;

	if (!json_is_string(min) || sscanf(json_string_value(min), "%u.%u", &a, &b) != 2)
		return true;
	return env->kmaj > (int)a || (env->kmaj == (int)a && env->kmin >= (int)b);
}

static bool applies(json_t *call, const struct ref_env *env)
{
	json_t *exc = json_object_get(call, "excludes"), *inc = json_object_get(call, "includes"), *v, *c;
	const char *arch = docker_arch(env->arch);
	size_t i;

	if (json_is_object(exc)) {
		if ((v = json_object_get(exc, "arches")) && has_string(v, arch))
			return false;
		json_array_foreach(json_object_get(exc, "caps"), i, c)
			if (env->caps & C(json_string_value(c)))
				return false;
		if ((v = json_object_get(exc, "minKernel")) && json_string_length(v) && kernel_ge(env, v))
			return false;
	}
	if (json_is_object(inc)) {
		v = json_object_get(inc, "arches");
		if (json_array_size(v) && !has_string(v, arch))
			return false;
		json_array_foreach(json_object_get(inc, "caps"), i, c)
			if (!(env->caps & C(json_string_value(c))))
				return false;
		if ((v = json_object_get(inc, "minKernel")) && json_string_length(v) && !kernel_ge(env, v))
			return false;
	}
	return true;
}

static int action_of(json_t *act, json_t *errno_ret, uint32_t *out)
{
	const char *a = json_string_value(act);
	uint32_t e = json_is_integer(errno_ret) ? (uint32_t)json_integer_value(errno_ret) : EPERM;

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

static int add_call(scmp_filter_ctx ctx, json_t *call, uint32_t def, char *errbuf, size_t errlen)
{
	json_t *names = json_object_get(call, "names"), *name = json_object_get(call, "name");
	json_t *args = json_object_get(call, "args"), *arg, *n;
	struct scmp_arg_cmp cmp[6];
	unsigned count[6] = { 0 };
	bool same = false;
	uint32_t act;
	size_t i, nargs = json_array_size(args);
	json_t *one = NULL;

	if (action_of(json_object_get(call, "action"), json_object_get(call, "errnoRet"), &act) < 0) {
		fail(errbuf, errlen, "bad action");
		return -1;
	}
	if (act == def)
		return 0;
	if (nargs > 6) {
		fail(errbuf, errlen, "too many args");
		return -1;
	}
	json_array_foreach(args, i, arg) {
		json_int_t idx = json_integer_value(json_object_get(arg, "index"));
		enum scmp_compare op;
		if (idx < 0 || idx > 5 || op_of(json_string_value(json_object_get(arg, "op")), &op) < 0) {
			fail(errbuf, errlen, "bad argument condition");
			return -1;
		}
		cmp[i] = (struct scmp_arg_cmp){ .arg = (unsigned)idx,
						.op = op,
						.datum_a = u64(json_object_get(arg, "value")),
						.datum_b = u64(json_object_get(arg, "valueTwo")) };
		if (++count[idx] > 1)
			same = true;
	}
	if (!json_is_array(names) && json_is_string(name)) {
		one = json_array();
		json_array_append(one, name);
		names = one;
	}
	json_array_foreach(names, i, n) {
		int nr = seccomp_syscall_resolve_name(json_string_value(n)), rc = 0;

		if (nr == __NR_SCMP_ERROR)
			continue; /* "unknown seccomp syscall ignored" */
		if (!same) {
			rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, cmp);
		} else {
			for (size_t k = 0; rc == 0 && k < nargs; k++)
				rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
		}
		if (rc < 0) {
			fail(errbuf, errlen, "seccomp_rule_add %s: %s", json_string_value(n), strerror(-rc));
			json_decref(one);
			return -1;
		}
	}
	json_decref(one);
	return 0;
}

int ref_oci_compile(const char *text, const struct ref_env *env, struct sock_filter **prog, size_t *len,
		    char *errbuf, size_t errlen)
{
	json_error_t jerr;
	char *quoted = quote_big_integers(text);
	json_t *root = quoted ? json_loads(quoted, JSON_REJECT_DUPLICATES, &jerr) : NULL, *v, *call;
	scmp_filter_ctx ctx = NULL;
	uint32_t def, native = seccomp_arch_native();
	int ret = -1, fd = -1;
	size_t i;
	off_t size;

	*prog = NULL;
	*len = 0;
	free(quoted);
	if (!root) {
		fail(errbuf, errlen, "JSON: line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	if (action_of(json_object_get(root, "defaultAction"), json_object_get(root, "defaultErrnoRet"), &def) < 0) {
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
	json_array_foreach(json_object_get(root, "architectures"), i, v) {
		int rc = seccomp_arch_add(ctx, arch_token(json_string_value(v)));
		if (rc < 0 && rc != -EEXIST) {
			fail(errbuf, errlen, "arch %s: %s", json_string_value(v), strerror(-rc));
			goto out;
		}
	}
	json_array_foreach(json_object_get(root, "archMap"), i, v) {
		json_t *sub;
		size_t k;
		if (arch_token(json_string_value(json_object_get(v, "architecture"))) != env->arch)
			continue;
		json_array_foreach(json_object_get(v, "subArchitectures"), k, sub) {
			int rc = seccomp_arch_add(ctx, arch_token(json_string_value(sub)));
			if (rc < 0 && rc != -EEXIST) {
				fail(errbuf, errlen, "sub-arch: %s", strerror(-rc));
				goto out;
			}
		}
	}
	json_array_foreach(json_object_get(root, "syscalls"), i, call) {
		if (!applies(call, env))
			continue;
		if (add_call(ctx, call, def, errbuf, errlen) < 0)
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
	json_decref(root);
	return ret;
}
