/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an OCI / Docker profile means on one machine, as Docker and Podman
 * resolve it before runc or crun see it: capabilities and architectures by
 * name, the environment it is resolved against (target architecture,
 * capability set, kernel release), an entry's `includes` / `excludes`, and
 * `architectures` / `archMap`.  oci_import.c has the whole list.
 */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "base/json.h"
#include "policy/oci.h"
#include "policy/oci_import.h"

/* ---- capabilities ---- */

#define CAP(n) (1ULL << (n))
/* moby's oci/caps/defaults.go: what `docker run` grants without --cap-add. */
const uint64_t sk_docker_default_caps = CAP(0) /* CHOWN */ | CAP(1) /* DAC_OVERRIDE */ | CAP(4) /* FSETID */ |
					CAP(3) /* FOWNER */ | CAP(27) /* MKNOD */ | CAP(13) /* NET_RAW */ |
					CAP(6) /* SETGID */ | CAP(7) /* SETUID */ | CAP(31) /* SETFCAP */ |
					CAP(8) /* SETPCAP */ | CAP(10) /* NET_BIND_SERVICE */ |
					CAP(18) /* SYS_CHROOT */ | CAP(5) /* KILL */ | CAP(29) /* AUDIT_WRITE */;

/* ---- architectures ---- */

static const struct {
	uint32_t token;
	const char *oci;    /* architectures / archMap */
	const char *docker; /* includes/excludes.arches */
} arch_table[] = {
	{ SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64" },
	{ SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86" },
	{ SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32" },
	{ SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64" },
	{ SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm" },
};

/* Docker's names for includes/excludes.arches, every architecture it knows
 * (mips3l64n32 is spelled that way in Docker's own profile). */
static const char *const docker_arches[] = {
	"x86",	     "amd64",	  "x32",	 "arm",	   "arm64", "mips",  "mipsel",	"mipsle",  "mips64",
	"mips64n32", "mipsel64", "mipsel64n32", "mips3l64n32", "ppc",	"ppc64", "ppc64le", "s390",	"s390x",
	"riscv64",   "loong64",	  "parisc",	 "parisc64",
};

const char *sk_oci_arch_name(uint32_t arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_table); i++)
		if (arch_table[i].token == arch)
			return arch_table[i].oci;
	return NULL;
}

const char *sk_docker_arch_name(uint32_t arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_table); i++)
		if (arch_table[i].token == arch)
			return arch_table[i].docker;
	return NULL;
}

/* "SCMP_ARCH_X86_64" or "x86_64" -> token, as crun resolves them; 0 if not
 * an architecture libseccomp knows. */
static uint32_t oci_arch_token(const char *name)
{
	char lower[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) == 0)
		name += 10;
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	if (name[i])
		return 0;
	lower[i] = '\0';
	if (strcmp(lower, "native") == 0)
		return 0;
	return seccomp_arch_resolve_name(lower);
}

/* ---- the environment ---- */

static int parse_release(const char *release, int *major, int *minor)
{
	return sscanf(release, "%d.%d", major, minor) == 2 && *major >= 0 && *minor >= 0 ? 0 : -EINVAL;
}

int sk_oci_env_of(const stockade_policy *p, struct sk_oci_env *env, stockade_error **err)
{
	struct utsname u;

	env->arch = p->oci_arch ? p->oci_arch : seccomp_arch_native();
	env->caps = p->oci_caps_set ? p->oci_caps : sk_docker_default_caps;
	if (p->oci_kernel[0])
		return parse_release(p->oci_kernel, &env->kernel_major, &env->kernel_minor) < 0
			       ? sk_error(err, EINVAL, "cannot parse kernel release `%s`", p->oci_kernel)
			       : 0;
	if (uname(&u) < 0)
		return sk_error(err, errno, "uname: %s", strerror(errno));
	if (parse_release(u.release, &env->kernel_major, &env->kernel_minor) < 0)
		return sk_error(err, EINVAL, "cannot parse the running kernel's release `%s`", u.release);
	return 0;
}

int stockade_policy_set_oci_arch(stockade_policy *p, uint32_t arch, stockade_error **err)
{
	if (arch && !sk_oci_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	p->oci_arch = arch;
	return 0;
}

int stockade_policy_set_oci_caps(stockade_policy *p, const char *spec, stockade_error **err)
{
	uint64_t caps = 0;
	const char *s = spec;

	if (!strcmp(spec, "docker") || !strcmp(spec, "default")) {
		caps = sk_docker_default_caps;
	} else if (!strcmp(spec, "all")) {
		caps = (1ULL << SK_CAP_COUNT) - 1;
	} else if (strcmp(spec, "none") != 0) {
		while (*s) {
			const char *end = strchrnul(s, ',');
			char name[40];
			int n = (int)(end - s), cap;

			if (n == 0 || n >= (int)sizeof(name) - 4)
				return sk_error(err, EINVAL, "capability list `%s`: empty or overlong name", spec);
			snprintf(name, sizeof(name), "%s%.*s", strncasecmp(s, "CAP_", 4) ? "CAP_" : "", n, s);
			for (char *c = name; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			cap = sk_cap_lookup(name);
			if (cap < 0)
				return sk_error(err, EINVAL, "capability list `%s`: unknown capability `%.*s`", spec, n, s);
			caps |= 1ULL << cap;
			s = *end ? end + 1 : end;
		}
	}
	p->oci_caps = caps;
	p->oci_caps_set = true;
	return 0;
}

int stockade_policy_set_oci_kernel(stockade_policy *p, const char *release, stockade_error **err)
{
	int a, b;

	if (!release || !*release) {
		p->oci_kernel[0] = '\0';
		return 0;
	}
	if (parse_release(release, &a, &b) < 0 || strlen(release) >= sizeof(p->oci_kernel))
		return sk_error(err, EINVAL, "kernel release `%s` is not MAJOR.MINOR[...]", release);
	snprintf(p->oci_kernel, sizeof(p->oci_kernel), "%s", release);
	return 0;
}

/* ---- includes and excludes ---- */

static bool list_has(const struct sk_json *v, const char *s)
{
	for (size_t i = 0; v && v->type == SK_JSON_ARRAY && i < v->n; i++)
		if (strcmp(v->items[i].str, s) == 0)
			return true;
	return false;
}

int sk_oci_parse_filter(struct importer *im, const struct sk_json *f, const char *where, int *kmaj, int *kmin)
{
	static const char *const keys[] = { "arches", "caps", "minKernel", NULL };
	const struct sk_json *v;

	*kmaj = *kmin = -1;
	if (!f || f->type == SK_JSON_NULL)
		return 0;
	if (sk_oci_expect(im, f, SK_JSON_OBJECT, where) < 0 || sk_oci_check_keys(im, f, where, keys) < 0)
		return -EINVAL;
	if ((v = sk_json_get(f, "arches"))) {
		if (sk_oci_expect_strings(im, v, "arches") < 0)
			return -EINVAL;
		for (size_t i = 0; v->type == SK_JSON_ARRAY && i < v->n; i++) {
			bool known = false;
			for (size_t k = 0; k < ARRAY_SIZE(docker_arches); k++)
				known |= !strcmp(docker_arches[k], v->items[i].str);
			if (!known)
				return AT(&v->items[i], "unknown architecture `%s` (Docker's names: amd64, x86, x32, "
					  "arm64, arm, ppc64le, s390x, ...)", v->items[i].str);
		}
	}
	if ((v = sk_json_get(f, "caps"))) {
		if (sk_oci_expect_strings(im, v, "caps") < 0)
			return -EINVAL;
		for (size_t i = 0; v->type == SK_JSON_ARRAY && i < v->n; i++)
			if (sk_cap_lookup(v->items[i].str) < 0)
				return AT(&v->items[i], "unknown capability `%s`", v->items[i].str);
	}
	if ((v = sk_json_get(f, "minKernel")) && v->type != SK_JSON_NULL) {
		unsigned a, b;
		char tail;

		if (sk_oci_expect(im, v, SK_JSON_STRING, "minKernel") < 0)
			return -EINVAL;
		if (!v->str[0])
			return 0;
		/* Docker: exactly "<kernel>.<major>", each 0..255, not 0.0. */
		if (sscanf(v->str, "%u.%u%c", &a, &b, &tail) != 2 || !isdigit((unsigned char)v->str[0]) ||
		    a > 255 || b > 255 || (a == 0 && b == 0))
			return AT(v, "minKernel `%s` is not \"<kernel>.<major>\" (such as \"4.8\")", v->str);
		*kmaj = (int)a;
		*kmin = (int)b;
	}
	return 0;
}

static bool kernel_at_least(const struct sk_oci_env *env, int maj, int min)
{
	return env->kernel_major > maj || (env->kernel_major == maj && env->kernel_minor >= min);
}

static bool caps_any(const struct sk_json *v, uint64_t caps)
{
	for (size_t i = 0; v && v->type == SK_JSON_ARRAY && i < v->n; i++)
		if (caps & (1ULL << sk_cap_lookup(v->items[i].str)))
			return true;
	return false;
}

static bool caps_all(const struct sk_json *v, uint64_t caps)
{
	for (size_t i = 0; v && v->type == SK_JSON_ARRAY && i < v->n; i++)
		if (!(caps & (1ULL << sk_cap_lookup(v->items[i].str))))
			return false;
	return true;
}

/* Docker's setupSeccomp: does this entry apply on the target? */
bool sk_oci_entry_applies(struct importer *im, const struct sk_json *inc, const struct sk_json *exc, int inc_maj,
			  int inc_min, int exc_maj, int exc_min)
{
	const char *arch = sk_docker_arch_name(im->env->arch);
	const struct sk_json *v;

	if (exc && exc->type == SK_JSON_OBJECT) {
		if ((v = sk_json_get(exc, "arches")) && list_has(v, arch))
			return false;
		if ((v = sk_json_get(exc, "caps")) && caps_any(v, im->env->caps))
			return false;
		if (exc_maj >= 0 && kernel_at_least(im->env, exc_maj, exc_min))
			return false;
	}
	if (inc && inc->type == SK_JSON_OBJECT) {
		if ((v = sk_json_get(inc, "arches")) && v->type == SK_JSON_ARRAY && v->n && !list_has(v, arch))
			return false;
		if ((v = sk_json_get(inc, "caps")) && !caps_all(v, im->env->caps))
			return false;
		if (inc_maj >= 0 && !kernel_at_least(im->env, inc_maj, inc_min))
			return false;
	}
	return true;
}

/* ---- architectures and archMap ---- */

int sk_oci_parse_arches(struct importer *im, const struct sk_json *root, struct sk_origin *compat_at,
			enum sk_compat *compat, char *note, size_t note_size)
{
	const struct sk_json *archs = sk_json_get(root, "architectures"), *map = sk_json_get(root, "archMap");
	uint32_t listed[32], extra[2];
	size_t nlisted = 0, nextra, covered_n = 0;
	const struct sk_json *where = NULL;

	*compat = SK_COMPAT_REFUSE;
	note[0] = '\0';
	if (archs && sk_oci_expect_strings(im, archs, "architectures") < 0)
		return -EINVAL;
	if (map && map->type != SK_JSON_NULL && sk_oci_expect(im, map, SK_JSON_ARRAY, "archMap") < 0)
		return -EINVAL;
	if (archs && archs->type == SK_JSON_ARRAY && archs->n && map && map->type == SK_JSON_ARRAY && map->n)
		return AT(map, "the profile has both `architectures` and `archMap`; use one (Docker refuses both)");
	for (size_t i = 0; archs && archs->type == SK_JSON_ARRAY && i < archs->n; i++) {
		uint32_t t = oci_arch_token(archs->items[i].str);
		if (!t)
			return AT(&archs->items[i], "unknown architecture `%s` (a concrete SCMP_ARCH_* name)",
				  archs->items[i].str);
		if (nlisted < ARRAY_SIZE(listed))
			listed[nlisted++] = t;
		where = archs;
	}
	for (size_t i = 0; map && map->type == SK_JSON_ARRAY && i < map->n; i++) {
		static const char *const keys[] = { "architecture", "subArchitectures", NULL };
		const struct sk_json *e = &map->items[i], *a, *subs;
		uint32_t t;

		if (sk_oci_expect(im, e, SK_JSON_OBJECT, "an archMap entry") < 0 ||
		    sk_oci_check_keys(im, e, "an archMap entry", keys) < 0)
			return -EINVAL;
		a = sk_json_get(e, "architecture");
		subs = sk_json_get(e, "subArchitectures");
		if (!a)
			return AT(e, "an archMap entry needs `architecture`");
		if (sk_oci_expect(im, a, SK_JSON_STRING, "architecture") < 0 ||
		    (subs && sk_oci_expect_strings(im, subs, "subArchitectures") < 0))
			return -EINVAL;
		t = oci_arch_token(a->str);
		if (!t)
			return AT(a, "unknown architecture `%s`", a->str);
		for (size_t k = 0; subs && subs->type == SK_JSON_ARRAY && k < subs->n; k++)
			if (!oci_arch_token(subs->items[k].str))
				return AT(&subs->items[k], "unknown architecture `%s`", subs->items[k].str);
		if (t != im->env->arch)
			continue;
		/* Docker: the entry of the native architecture, with its subs. */
		where = e;
		if (nlisted < ARRAY_SIZE(listed))
			listed[nlisted++] = t;
		for (size_t k = 0; subs && subs->type == SK_JSON_ARRAY && k < subs->n; k++)
			if (nlisted < ARRAY_SIZE(listed))
				listed[nlisted++] = oci_arch_token(subs->items[k].str);
	}
	if (where)
		*compat_at = (struct sk_origin){ .file = im->layer->file, .line = where->line, .column = where->column };
	sk_compat_arches(im->env->arch, extra, &nextra);
	for (size_t k = 0; k < nextra; k++)
		for (size_t i = 0; i < nlisted; i++)
			if (listed[i] == extra[k]) {
				covered_n++;
				break;
			}
	if (nextra && covered_n == nextra)
		*compat = SK_COMPAT_FILTER;
	else if (covered_n)
		snprintf(note, note_size,
			 " The profile lists only some of %s's other entry points; stockade refuses them all.",
			 stockade_arch_name(im->env->arch));
	return 0;
}
