/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan as an artifact: raw BPF for bubblewrap, OCI JSON for runc, crun,
 * Docker, Podman and Kubernetes, an OCI config fragment for runc and crun,
 * and a listing of the BPF for review (bpf_disasm.c; the format is still
 * called pfc, its old name).
 *
 * The OCI profile is oci_export.c's (and oci_verify.c's, its check against
 * libseccomp), the config fragment oci_config.c's; what every format loses
 * or notes is here.
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
	else if (!strcmp(name, "oci-config"))
		*out = STOCKADE_FORMAT_OCI_CONFIG;
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

/* Lists in notes: the first LIST_MAX items, then "and N more". */
#define LIST_MAX 40

struct list {
	struct sk_buf b;
	size_t n;
};

static void list_add(struct list *l, const char *item, int len)
{
	if (l->n++ < LIST_MAX)
		sk_buf_printf(&l->b, "%s%.*s", l->n > 1 ? ", " : "", len, item);
}

/* The list's text (owned by it), "" if empty. */
static const char *list_text(struct list *l)
{
	if (l->n > LIST_MAX)
		sk_buf_printf(&l->b, " and %zu more", l->n - LIST_MAX);
	return l->b.data && !l->b.failed ? l->b.data : "";
}

static bool is_oci(enum stockade_format format)
{
	return format == STOCKADE_FORMAT_OCI || format == STOCKADE_FORMAT_OCI_CONFIG;
}

static void fs_note(const stockade_plan *plan, enum stockade_format format, struct strv *notes)
{
	struct list carried = { 0 }, left = { 0 };

	if (format != STOCKADE_FORMAT_OCI_CONFIG) {
		sk_export_strv_add(notes, "note: filesystem rules are enforced by `stockade run` with Landlock and are not "
				   "part of a seccomp filter; express them with the consumer's mounts");
		return;
	}
	for (size_t i = 0; i < plan->access.npaths; i++) {
		const struct sk_fs_path *p = &plan->access.paths[i];

		if (p->kind != SK_FS_DENY && p->kind != SK_FS_READ_ONLY)
			continue;
		list_add(sk_export_maskable(plan, p) ? &carried : &left, p->path, (int)strlen(p->path));
	}
	sk_export_strv_add(notes, "note: filesystem rules are enforced by `stockade run` with Landlock; the fragment "
			   "carries only the carve-outs in linux.maskedPaths (%s); the grants%s%s%s are the config's mounts "
			   "to express", carried.n ? list_text(&carried) : "none",
			   left.n ? " and the other carve-outs (" : "", list_text(&left), left.n ? ")" : "");
	if (carried.b.failed || left.b.failed)
		notes->failed = true;
	free(carried.b.data);
	free(left.b.data);
}

static void env_note(const stockade_plan *plan, enum stockade_format format, struct strv *notes)
{
	static const char *const what[SK_ENV_NKINDS] = { [SK_ENV_DROP] = "drops the caller's variables matching",
							 [SK_ENV_KEEP] = "keeps those matching",
							 [SK_ENV_SET] = "sets" };
	struct list l[SK_ENV_NKINDS] = { 0 };
	struct sk_buf text = { 0 };
	const char *values = NULL;
	char from[256];
	int said = 0;

	for (size_t i = 0; i < plan->access.nenv; i++) {
		const struct sk_env_entry *e = &plan->access.env[i];
		/* Only the name of a variable set: its value is the policy's. */
		const char *eq = e->kind == SK_ENV_SET ? strchr(e->text, '=') : NULL;

		if (e->kind == SK_ENV_VALUES)
			values = e->text; /* the last layer's */
		else
			list_add(&l[e->kind], e->text, eq ? (int)(eq - e->text) : (int)strlen(e->text));
	}
	for (int k = 0; k < SK_ENV_NKINDS; k++)
		if (l[k].n && what[k])
			sk_buf_printf(&text, "%s%s [%s]", said++ ? ", " : "", what[k], list_text(&l[k]));
	if (values && !strcmp(values, "credentials"))
		sk_buf_printf(&text, "%sdrops those whose value is a credential (drop_values: credentials)",
			      said++ ? ", " : "");
	else if (values)
		sk_buf_printf(&text, "%slooks at no value (drop_values: %s)", said++ ? ", " : "", values);
	describe_origin(&plan->access.env[0].at, from, sizeof(from));
	sk_export_strv_add(notes, "note: environment (%s): `stockade run` %s; the consumer passes the environment it "
			   "is given: leave the variables out (%s)", from, text.data && !text.failed ? text.data : "",
			   is_oci(format) ? "OCI process.env, docker run without --env/-e for them"
					  : "bwrap --clearenv --setenv ..., env -u NAME");
	for (int k = 0; k < SK_ENV_NKINDS; k++) {
		if (l[k].b.failed)
			notes->failed = true;
		free(l[k].b.data);
	}
	if (text.failed)
		notes->failed = true;
	free(text.data);
}

/* What the namespaces of `stockade run` hold that no namespace list says. */
#define MOUNT_VIEW                                                                                                 \
	"read-only outside the write roots, host daemons' sockets hidden but those sockets.allow names, .git hooks "  \
	"and config read-only, a /dev/shm and devpts of its own, vm.memfd_noexec 1 where the kernel has it"

/*
 * What `stockade run` enforces besides the seccomp filter.  Audit mode is a
 * seccomp feature no export can carry (a loss).  Filesystem, TCP port and
 * scope rules are Landlock's and part of no seccomp filter in any format,
 * nor are the capabilities `stockade run` drops, the environment rules,
 * the namespaces or the descriptors it closes: they become notes (the
 * kept capabilities by name, and where each consumer sets them), and the
 * plan exported is the one a kernel without Landlock TCP support gets.
 * The OCI config fragment carries the capabilities, the namespaces and
 * some carve-outs (oci_config.c); its notes say what it does not.
 */
static const stockade_plan *access_losses(const stockade_plan *plan, enum stockade_format format, struct strv *lost,
					  struct strv *notes)
{
	const bool config = format == STOCKADE_FORMAT_OCI_CONFIG;
	const bool iso = plan->access.isolation == SK_ISOLATION_AUTO || plan->access.isolation == SK_ISOLATION_REQUIRED;
	const stockade_plan *filter = plan;
	char from[256];

	if (plan->audit) {
		describe_origin(&plan->audit_at, from, sizeof(from));
		sk_export_strv_add(lost, "seccomp.mode: audit (%s): audit mode needs stockade's supervisor; the export "
			 "enforces instead", from);
	}
	if (plan->access.fs)
		fs_note(plan, format, notes);
	if (plan->net_fallback) {
		describe_origin(plan->access.tcp_at.file ? &plan->access.tcp_at : &plan->access.net_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: TCP ports (%s) are limited by `stockade run` with Landlock; the filter "
			 "exported refuses TCP sockets, as on kernels without Landlock TCP support", from);
		filter = plan->net_fallback;
	}
	/* In the fragment, a pid namespace keeps signals from reaching
	 * outside processes, and a network namespace the host's abstract
	 * sockets. */
	bool signals = plan->access.scope_signals && !(config && iso);
	bool abstract = plan->access.scope_abstract && !(config && sk_export_config_netns(plan));
	if (signals || abstract) {
		describe_origin(&plan->access.scope_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: scope (%s): Landlock scoping of %s%s%s is not part of a seccomp filter%s", from,
				   signals ? "signals" : "", signals && abstract ? " and " : "",
				   abstract ? "abstract unix sockets" : "",
				   config ? " nor of the namespaces in the fragment" : "");
	}
	if (plan->access.caps && !config) {
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
				 "list in the OCI config (docker --cap-drop ALL%s; --format oci-config writes them)", from,
				 kept, flags);
		else
			sk_export_strv_add(notes, "note: capabilities (%s): not part of a seccomp filter; as root the command "
				 "keeps [%s] (bwrap --cap-drop ALL%s)", from, kept, flags);
	}
	if (plan->access.caps && config) {
		describe_origin(&plan->access.caps_at, from, sizeof(from));
		sk_export_strv_add(notes, "note: capabilities (%s): process.capabilities has the kept set as bounding, "
				   "effective and permitted, inheritable and ambient empty (the runtimes' default); "
				   "`stockade run` leaves the kept set inheritable too, so that a kept ambient capability "
				   "of a non-root caller survives", from);
	}
	if (plan->access.nenv)
		env_note(plan, format, notes);
	if (iso) {
		describe_origin(&plan->access.isolation_at, from, sizeof(from));
		if (config)
			sk_export_strv_add(notes, "note: isolation (%s): linux.namespaces has the pid, IPC, mount, UTS and "
					   "cgroup namespaces `stockade run` makes%s; the mount view it builds in them is the "
					   "config's mounts to build (" MOUNT_VIEW ")", from,
					   sk_export_config_netns(plan)
						   ? ", and a network one, which `stockade run` does not make in this "
						     "network mode (its filter leaves no network socket anyway)"
						   : "");
		else
			sk_export_strv_add(notes, "note: isolation (%s): the pid, IPC, mount, UTS and cgroup namespaces "
					   "`stockade run` makes, and the mount view it builds in them (" MOUNT_VIEW "), are "
					   "the consumer's to make (%s)", from,
					   format == STOCKADE_FORMAT_OCI
						   ? "OCI linux.namespaces: pid, ipc, mount, uts, cgroup; --format oci-config "
						     "writes them"
						   : "bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup and its "
						     "mounts");
	}
	/* (The host's sockets are guarded under filesystem rules only.) */
	if (plan->access.fs || plan->access.nsockets || plan->access.net == SK_NET_PROXY || plan->access.ntcp[SK_TCP_BIND])
		sk_export_strv_add(notes, "note: mediation: what `stockade run`'s supervisor decides as the command "
				   "runs (connects to the host daemons' unix sockets where no mount view hides them, "
				   "listen() where TCP bind ports are limited, mode proxy's connects) is in no export: "
				   "hide the host's sockets with the consumer's mounts");
	sk_export_strv_add(notes, "note: descriptors: `stockade run` closes every descriptor above 2 but those "
		 "--preserve-fds N and a make jobserver name; %s", is_oci(format)
		 ? "OCI runtimes do the same (runc/crun --preserve-fds)" : "bwrap passes on what it inherits: close them before");
	return filter;
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
	const stockade_plan *policy_plan = plan;
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
	case STOCKADE_FORMAT_OCI_CONFIG:
		ret = sk_export_oci_config(policy_plan, plan, arch, flags, data, len, &lost, err);
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
