/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan as an artifact: raw BPF for bubblewrap, OCI JSON for runc, crun,
 * Docker, Podman and Kubernetes, and a listing of the BPF for review
 * (bpf_disasm.c; the format is still called pfc, its old name).
 *
 * The OCI profile is oci_export.c's (and oci_verify.c's, its check against
 * libseccomp); what every format loses or notes is here.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "export/export.h"
#include "plan/plan.h"
#include "policy/oci.h"
#include "seccomp/seccomp.h"

void stockade_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int stockade_format_from_name(const char *name, enum stockade_format *out)
{
	if (!strcmp(name, "bpf"))
		*out = STOCKADE_FORMAT_BPF;
	else if (!strcmp(name, "oci") || !strcmp(name, "json"))
		*out = STOCKADE_FORMAT_OCI;
	else if (!strcmp(name, "listing") || !strcmp(name, "pfc"))
		*out = STOCKADE_FORMAT_LISTING;
	else
		return -EINVAL;
	return 0;
}

void sk_export_strv_add(struct strv *s, const char *fmt, ...)
{
	char **n, *str = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0) {
		s->failed = true;
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0) {
			free(str);
			return;
		}
	n = realloc(s->v, (s->n + 2) * sizeof(*n));
	if (!n) {
		free(str);
		s->failed = true;
		return;
	}
	s->v = n;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

const char *sk_export_arch_label(uint32_t arch)
{
	const char *name = stockade_arch_name(arch);

	return name ? name : arch == SCMP_ARCH_ARM ? "arm" : "?";
}

bool sk_export_is_32bit(uint32_t arch)
{
	return arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_X32 || arch == SCMP_ARCH_ARM;
}

/* Does libseccomp's reading of `c` on a 32-bit ABI (the datum cut to its low
 * word) mean what `c` means for 32-bit arguments? */
bool sk_export_cond_same32(const struct sk_cond *c)
{
	const uint64_t lo = 0xffffffffULL;

	if (c->value <= lo)
		return true;
	switch (c->op) {
	case SK_OP_LE: /* both always true */
	case SK_OP_GT: /* both never true */
		return (c->value & lo) == lo;
	case SK_OP_MASKED_EQ: /* both never true */
		return ((c->value & lo) & ~(c->mask & lo)) != 0;
	default:
		return false;
	}
}
const char *sk_export_origin_text(const struct sk_origin *o, char *buf, size_t size)
{
	if (!o->file)
		snprintf(buf, size, "built-in default");
	else if (o->line)
		snprintf(buf, size, "%s:%d:%d", o->file, o->line, o->column);
	else
		snprintf(buf, size, "%s", o->file);
	return buf;
}
int sk_export_refuse_lossy(struct strv *lost, unsigned flags, stockade_error **err)
{
	if (lost->failed)
		return sk_error(err, ENOMEM, "out of memory");
	if (!lost->n || (flags & STOCKADE_EXPORT_LOSSY))
		return 0;
	sk_error(err, ENOTSUP, "%s cannot be exported: %s%s", lost->n > 1 ? "these features" : "this feature",
		 lost->v[0], lost->n > 1 ? " (and more)" : "");
	sk_error_hint(err, "--lossy exports anyway and lists what is lost%s",
		      strncmp(lost->v[0], "compat_arches", 13) == 0 ? "; or set `compat_arches: filter`" : "");
	return -ENOTSUP;
}
static void describe_origin(const struct sk_origin *o, char *buf, size_t size)
{
	sk_export_origin_text(o, buf, size);
}

/*
 * What `stockade run` enforces besides the seccomp filter.  Audit mode is a
 * seccomp feature no export can carry (a loss).  Filesystem, TCP port and
 * scope rules are Landlock's and part of no seccomp filter in any format,
 * nor are the capabilities `stockade run` drops, the environment rules,
 * the namespaces or the descriptors it closes: they become notes (the
 * kept capabilities by name, and where each consumer sets them), and the plan exported is the one a kernel without
 * Landlock TCP support gets.
 */
static const stockade_plan *access_losses(const stockade_plan *plan, enum stockade_format format, struct strv *lost,
					  struct strv *notes)
{
	char from[256];

	if (plan->audit) {
		describe_origin(&plan->audit_at, from, sizeof(from));
		sk_export_strv_add(lost, "seccomp.mode: audit (%s): audit mode needs stockade's supervisor; the export "
			 "enforces instead", from);
	}
	if (plan->access.fs)
		sk_export_strv_add(notes, "note: filesystem rules are enforced by `stockade run` with Landlock and are not "
			 "part of a seccomp filter; express them with the consumer's mounts");
	if (plan->net_fallback) {
		describe_origin(&plan->access.net_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: TCP ports (%s) are limited by `stockade run` with Landlock; the filter "
			 "exported refuses TCP sockets, as on kernels without Landlock TCP support", from);
		plan = plan->net_fallback;
	}
	if (plan->access.scope_signals || plan->access.scope_abstract) {
		describe_origin(&plan->access.scope_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: scope (%s): Landlock scoping of signals and abstract sockets is not part "
			 "of a seccomp filter", from);
	}
	if (plan->access.caps) {
		char kept[SK_CAP_COUNT * 24] = "", flags[SK_CAP_COUNT * 32] = "";
		size_t k = 0, f = 0;

		describe_origin(&plan->access.caps_at, from, sizeof(from));
		for (int c = 0; c < SK_CAP_COUNT; c++) {
			const char *name = sk_cap_name(c);

			if (!name || !(plan->access.caps_keep & (1ULL << c)))
				continue;
			k += (size_t)snprintf(kept + k, sizeof(kept) - k, "%s\"%s\"", k ? ", " : "", name);
			f += (size_t)snprintf(flags + f, sizeof(flags) - f, " --cap-add %s",
					      format == STOCKADE_FORMAT_OCI ? name + 4 : name);
		}
		if (format == STOCKADE_FORMAT_OCI)
			sk_export_strv_add(notes, "note: capabilities (%s): not part of a seccomp profile; as root the command "
				 "keeps [%s]: set process.capabilities.bounding, .effective and .permitted to that "
				 "list in the OCI config (docker --cap-drop ALL%s)", from, kept, flags);
		else
			sk_export_strv_add(notes, "note: capabilities (%s): not part of a seccomp filter; as root the command "
				 "keeps [%s] (bwrap --cap-drop ALL%s)", from, kept, flags);
	}
	if (plan->access.nenv) {
		size_t n[SK_ENV_NKINDS] = { 0 };
		const char *values = "none";

		for (size_t i = 0; i < plan->access.nenv; i++) {
			n[plan->access.env[i].kind]++;
			if (plan->access.env[i].kind == SK_ENV_VALUES)
				values = plan->access.env[i].text;
		}
		describe_origin(&plan->access.env[0].at, from, sizeof(from));
		sk_export_strv_add(notes, "note: environment (%s): %zu drop, %zu keep and %zu set rules (drop_values: %s) are "
			 "applied by `stockade run`, not by the consumer, which passes the environment it is given: "
			 "leave the variables out (%s)", from, n[SK_ENV_DROP], n[SK_ENV_KEEP], n[SK_ENV_SET], values,
			 format == STOCKADE_FORMAT_OCI ? "OCI process.env, docker run without --env/-e for them"
						       : "bwrap --clearenv --setenv ..., env -u NAME");
	}
	if (plan->access.isolation == SK_ISOLATION_AUTO || plan->access.isolation == SK_ISOLATION_REQUIRED) {
		describe_origin(&plan->access.isolation_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: isolation (%s): the pid, IPC, mount and UTS namespaces `stockade run` makes are "
			 "the consumer's to make (%s)", from,
			 format == STOCKADE_FORMAT_OCI ? "OCI linux.namespaces: pid, ipc, mount, uts"
						       : "bwrap --unshare-pid --unshare-ipc --unshare-uts and its mounts");
	}
	sk_export_strv_add(notes, "note: descriptors: `stockade run` closes every descriptor above 2 but those "
		 "--preserve-fds N and a make jobserver name; %s", format == STOCKADE_FORMAT_OCI
		 ? "OCI runtimes do the same (runc/crun --preserve-fds)" : "bwrap passes on what it inherits: close them before");
	return plan;
}

int stockade_plan_export(const stockade_plan *plan, uint32_t arch, enum stockade_format format, unsigned flags,
			 char **data, size_t *len, char ***dropped, stockade_error **err)
{
	stockade_plan allow_all = sk_plan_allow_all(plan);
	struct strv lost = { 0 }, notes = { 0 };
	void *prog = NULL;
	int ret;

	*data = NULL;
	*len = 0;
	if (dropped)
		*dropped = NULL;
	if (arch == 0)
		arch = seccomp_arch_native();
	if (!stockade_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	plan = access_losses(plan, format, &lost, &notes);
	if (!plan->seccomp_enabled)
		plan = &allow_all;

	switch (format) {
	case STOCKADE_FORMAT_BPF:
		ret = sk_export_refuse_lossy(&lost, flags, err);
		if (ret == 0)
			ret = stockade_plan_compile_bpf(plan, arch, &prog, len, err);
		*data = prog;
		break;
	case STOCKADE_FORMAT_LISTING:
		ret = sk_export_refuse_lossy(&lost, flags, err);
		if (ret == 0)
			ret = stockade_plan_compile_pfc(plan, arch, data, err);
		if (ret == 0)
			*len = strlen(*data);
		break;
	case STOCKADE_FORMAT_OCI:
		ret = sk_export_oci(plan, arch, flags, data, len, &lost, err);
		break;
	default:
		ret = sk_error(err, EINVAL, "unknown export format %d", (int)format);
		break;
	}
	for (size_t i = 0; i < notes.n; i++)
		sk_export_strv_add(&lost, "%s", notes.v[i]);
	if (ret == 0 && lost.failed)
		ret = sk_error(err, ENOMEM, "out of memory");
	if (ret == 0 && dropped) {
		*dropped = lost.v ? steal_pointer(&lost.v) : calloc(1, sizeof(char *));
		if (!*dropped)
			ret = sk_error(err, ENOMEM, "out of memory");
	}
	stockade_strv_free(notes.v);
	if (ret < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	stockade_strv_free(lost.v);
	return ret;
}
