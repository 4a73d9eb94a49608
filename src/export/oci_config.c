/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI config fragment (`--format oci-config`): the parts of an OCI runtime
 * config.json (runtime-spec 1.0.2) that carry what `stockade run` does
 * besides its filter, for crun and runc (and the tools that write their
 * config) to merge into theirs:
 *
 *   process.noNewPrivileges   always true, as `stockade run` sets it
 *   process.capabilities      the kept set as bounding, effective and
 *                             permitted; inheritable and ambient empty
 *                             (only when the policy restricts them)
 *   linux.namespaces          pid, ipc, mount, uts and cgroup under
 *                             isolation auto/required (the ones run
 *                             makes); network under network mode none or
 *                             unix, where the filter leaves no network
 *                             anyway and the namespace also closes the
 *                             abstract unix sockets of the host
 *   linux.maskedPaths         the literal absolute deny carve-outs below
 *                             /etc, /sys, /proc, /run and /var/run that no
 *                             grant of a later layer gives back (the
 *                             runtime binds /dev/null or a read-only tmpfs
 *                             over each; a path missing in the container
 *                             is skipped)
 *   linux.seccomp             exactly what `--format oci` writes, with its
 *                             checks against libseccomp and --lossy
 *
 * The fragment only ever takes away, and is to be merged that way
 * (docs/artifacts.md): namespaces and masked paths added to the config's,
 * each capability set intersected with the config's, the seccomp profile
 * in place of the config's.  What it cannot carry is said by the notes
 * (export.c).
 */
#include <errno.h>
#include <string.h>

#include "base/json.h"
#include "export/export.h"

static const char *const mask_roots[] = { "/etc/", "/sys/", "/proc/", "/run/", "/var/run/" };

/* An absolute path as the kernel would name it: no glob, variable, `~`,
 * empty, `.` or `..` component, no trailing slash. */
static bool literal_path(const char *p)
{
	if (p[0] != '/' || strpbrk(p, "*?[$~\\") || p[strlen(p) - 1] == '/')
		return false;
	for (const char *c = p; *c; c++)
		if (c[0] == '/' &&
		    (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || !c[2] || (c[2] == '.' && (c[3] == '/' || !c[3]))))))
			return false;
	return true;
}

/* Is one of a and b the other or below it? */
static bool overlaps(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;

	if (strncmp(a, b, n) != 0)
		return false;
	return la == lb || (la < lb ? b[la] == '/' || la == 1 : a[lb] == '/' || lb == 1);
}

bool sk_export_maskable(const stockade_plan *plan, const struct sk_fs_path *d)
{
	bool under = false;

	if (d->kind != SK_FS_DENY || !literal_path(d->path))
		return false;
	for (size_t i = 0; i < sizeof(mask_roots) / sizeof(mask_roots[0]); i++)
		under |= !strncmp(d->path, mask_roots[i], strlen(mask_roots[i]));
	if (!under)
		return false;
	/* A grant above the carve-out's place gives it (or some of it) back:
	 * masking it would take away what the policy grants.  A grant with a
	 * variable is not known here; masking is then the stricter reading. */
	for (size_t i = 0; i < plan->access.npaths; i++) {
		const struct sk_fs_path *g = &plan->access.paths[i];

		if ((g->kind == SK_FS_READ || g->kind == SK_FS_WRITE || g->kind == SK_FS_EXEC) && g->layer > d->layer &&
		    literal_path(g->path) && overlaps(g->path, d->path))
			return false;
	}
	return true;
}

bool sk_export_config_netns(const stockade_plan *plan)
{
	return plan->access.net == SK_NET_NONE || plan->access.net == SK_NET_UNIX;
}

static void string_list(struct sk_buf *b, const char *indent, const char *const *v, size_t n)
{
	sk_buf_printf(b, "[%s", n ? "\n" : "");
	for (size_t i = 0; i < n; i++) {
		sk_buf_printf(b, "%s\t", indent);
		sk_buf_json_string(b, v[i]);
		sk_buf_printf(b, "%s\n", i + 1 < n ? "," : "");
	}
	sk_buf_printf(b, "%s]", n ? indent : "");
}

static void capabilities(struct sk_buf *b, uint64_t keep)
{
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	const char *names[SK_CAP_COUNT];
	size_t n = 0;

	for (int c = 0; c < SK_CAP_COUNT; c++)
		if ((keep & (1ULL << c)) && sk_cap_name(c))
			names[n++] = sk_cap_name(c);
	sk_buf_printf(b, ",\n\t\t\"capabilities\": {\n");
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		sk_buf_printf(b, "\t\t\t\"%s\": ", sets[s]);
		string_list(b, "\t\t\t", names, n);
		sk_buf_printf(b, ",\n");
	}
	sk_buf_printf(b, "\t\t\t\"inheritable\": [],\n\t\t\t\"ambient\": []\n\t\t}");
}

int sk_export_oci_config(const stockade_plan *plan, const stockade_plan *filter, uint32_t arch, unsigned flags,
			 char **data, size_t *len, struct strv *lost, stockade_error **err)
{
	static const char *const iso_ns[] = { "pid", "ipc", "mount", "uts", "cgroup" };
	const char *ns[6], **masked = NULL;
	struct sk_buf b = { 0 };
	char *seccomp = NULL;
	size_t seccomp_len = 0, nns = 0, nmasked = 0;
	int ret;

	ret = sk_export_oci(filter, arch, flags, &seccomp, &seccomp_len, lost, err);
	if (ret < 0)
		return ret;
	if (plan->access.isolation == SK_ISOLATION_AUTO || plan->access.isolation == SK_ISOLATION_REQUIRED)
		for (size_t i = 0; i < sizeof(iso_ns) / sizeof(iso_ns[0]); i++)
			ns[nns++] = iso_ns[i];
	if (sk_export_config_netns(plan))
		ns[nns++] = "network";
	masked = calloc(plan->access.npaths + 1, sizeof(*masked));
	if (!masked) {
		free(seccomp);
		return sk_error(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->access.npaths; i++) {
		const struct sk_fs_path *p = &plan->access.paths[i];
		bool seen = false;

		for (size_t k = 0; k < nmasked && !seen; k++)
			seen = !strcmp(masked[k], p->path);
		if (!seen && sk_export_maskable(plan, p))
			masked[nmasked++] = p->path;
	}

	sk_buf_printf(&b, "{\n\t\"process\": {\n\t\t\"noNewPrivileges\": true");
	if (plan->access.caps)
		capabilities(&b, plan->access.caps_keep);
	sk_buf_printf(&b, "\n\t},\n\t\"linux\": {\n");
	if (nns) {
		sk_buf_printf(&b, "\t\t\"namespaces\": [\n");
		for (size_t i = 0; i < nns; i++)
			sk_buf_printf(&b, "\t\t\t{ \"type\": \"%s\" }%s\n", ns[i], i + 1 < nns ? "," : "");
		sk_buf_printf(&b, "\t\t],\n");
	}
	if (nmasked) {
		sk_buf_printf(&b, "\t\t\"maskedPaths\": ");
		string_list(&b, "\t\t", masked, nmasked);
		sk_buf_printf(&b, ",\n");
	}
	/* The profile as --format oci writes it, two levels in. */
	sk_buf_printf(&b, "\t\t\"seccomp\": ");
	for (const char *line = seccomp, *end; line < seccomp + seccomp_len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(seccomp + seccomp_len - line));
		if (!end)
			end = seccomp + seccomp_len;
		sk_buf_printf(&b, "%s%.*s", line == seccomp ? "" : "\n\t\t", (int)(end - line), line);
	}
	sk_buf_printf(&b, "\n\t}\n}\n");
	free(seccomp);
	free(masked);
	if (b.failed) {
		free(b.data);
		return sk_error(err, ENOMEM, "out of memory");
	}
	*data = b.data;
	*len = b.len;
	return 0;
}
