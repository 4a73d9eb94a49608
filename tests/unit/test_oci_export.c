/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI / Docker seccomp profiles, the other way: what `stockade compile
 * --format oci` writes is valid OCI, imports back to the same decisions for
 * every preset (test_oci.c tests the importer), and says what it loses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "base/json.h"
#include "policy/oci.h"
#include "plan_helpers.h"
#include "seccomp/sim.h"

static const struct sk_oci_env env_x86 = {
	.arch = SCMP_ARCH_X86_64, .caps = 0, .kernel_major = 6, .kernel_minor = 1,
};

/* ---- export ---- */

static char *export_oci(const stockade_plan *plan, uint32_t arch, unsigned flags, char ***dropped, int *ret)
{
	char *data = NULL;
	size_t len = 0;
	stockade_error *err = NULL;

	*ret = stockade_plan_export(plan, arch, STOCKADE_FORMAT_OCI, flags, &data, &len, dropped, &err);
	stockade_error_free(err);
	CHECK(*ret < 0 || (data && strlen(data) == len));
	return data;
}

TEST(oci_export_is_valid_oci)
{
	stockade_plan *plan = plan_of("strict", "version: 1\nseccomp:\n  compat_arches: filter\n");
	struct sk_json root;
	const struct sk_json *v;
	struct sk_json_error jerr;
	char **dropped = NULL;
	int ret;
	char *json;

	if (!plan)
		return;
	json = export_oci(plan, SCMP_ARCH_X86_64, 0, &dropped, &ret);
	CHECK_INT_EQ(ret, 0);
	if (!json)
		goto out;
	CHECK_INT_EQ(sk_json_parse(json, strlen(json), &root, &jerr), 0);
	v = sk_json_get(&root, "defaultAction");
	CHECK(v && v->str && !strcmp(v->str, "SCMP_ACT_ERRNO"));
	v = sk_json_get(&root, "defaultErrnoRet");
	CHECK(v && v->uint == ENOSYS);
	v = sk_json_get(&root, "architectures");
	CHECK(v && v->n == 3 && !strcmp(v->items[0].str, "SCMP_ARCH_X86_64") && !strcmp(v->items[1].str, "SCMP_ARCH_X86") &&
	      !strcmp(v->items[2].str, "SCMP_ARCH_X32"));
	CHECK(!strstr(json, "NATIVE"));
	/* Only OCI keys, and every errno action carries its errno. */
	v = sk_json_get(&root, "syscalls");
	for (size_t i = 0; v && i < v->n; i++) {
		const struct sk_json *s = &v->items[i], *a = sk_json_get(s, "action");
		for (size_t k = 0; k < s->n; k++)
			CHECK(!strcmp(s->members[k].key, "names") || !strcmp(s->members[k].key, "action") ||
			      !strcmp(s->members[k].key, "errnoRet") || !strcmp(s->members[k].key, "args"));
		CHECK(a && (strcmp(a->str, "SCMP_ACT_ERRNO") != 0 || sk_json_get(s, "errnoRet")));
	}
	sk_json_free(&root);
	/* Importing it back gives the policy it came from (for x86_64). */
	struct sk_layer *l = NULL;
	stockade_policy *p = NULL;
	stockade_plan *back = NULL;
	CHECK_INT_EQ(sk_oci_import("round.json", json, strlen(json), &env_x86, &l, NULL), 0);
	if (l && stockade_policy_new(&p, NULL) == 0 && sk_policy_push(p, l, NULL) == 0)
		CHECK_INT_EQ(stockade_plan_build(p, &back, NULL), 0);
	CHECK(back && back->compat == SK_COMPAT_FILTER);
	stockade_plan_free(back);
	stockade_policy_free(p);
out:
	free(json);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);
}

/* export -> import gives the same decision for every syscall and every
 * argument vector that exercises a rule, for every preset. */
TEST(oci_round_trip_every_preset)
{
	for (size_t i = 0; i < sk_presets_len; i++) {
		stockade_plan *plan = plan_of(sk_presets[i].name, NULL);
		const char *const *all = sk_syscall_all();
		struct sk_layer *l = NULL;
		stockade_policy *p = NULL;
		stockade_plan *back = NULL;
		stockade_error *err = NULL;
		char **dropped = NULL;
		size_t bad = 0;
		int ret;
		char *json;

		if (!plan)
			continue;
		json = export_oci(plan, SCMP_ARCH_X86_64, STOCKADE_EXPORT_LOSSY, &dropped, &ret);
		CHECK_MSG(ret == 0, "%s", sk_presets[i].name);
		if (json && sk_oci_import("round.json", json, strlen(json), &env_x86, &l, &err) == 0 &&
		    stockade_policy_new(&p, NULL) == 0 && sk_policy_push(p, l, &err) == 0)
			stockade_plan_build(p, &back, &err);
		CHECK_MSG(back != NULL, "%s: %s", sk_presets[i].name, err && err->msg ? err->msg : "?");
		/* compat refuse comes back as refuse (only the native arch is
		 * listed); filter as filter. */
		CHECK(!back || !plan->seccomp_enabled || back->compat == plan->compat);
		for (size_t k = 0; back && all && all[k] && bad < 5; k++) {
			struct sk_argvec *vecs = NULL;
			size_t n = 0;

			if (sk_syscall_nr(SCMP_ARCH_X86_64, all[k]) < 0 || sk_probe_args(plan, all[k], &vecs, &n) < 0)
				continue;
			for (size_t v = 0; v < n && bad < 5; v++) {
				struct sk_verdict a, b;
				char x[48], y[48];
				sk_plan_decide(plan, all[k], vecs[v].a, &a);
				sk_plan_decide(back, all[k], vecs[v].a, &b);
				if (sk_action_eq(a.action, b.action))
					continue;
				fprintf(stderr, "  %s: %s(%#llx, %#llx, %#llx): %s, after the round trip %s\n",
					sk_presets[i].name, all[k], (unsigned long long)vecs[v].a[0],
					(unsigned long long)vecs[v].a[1], (unsigned long long)vecs[v].a[2],
					sk_action_format(a.action, x, sizeof(x)), sk_action_format(b.action, y, sizeof(y)));
				bad++;
			}
			free(vecs);
		}
		CHECK_MSG(bad == 0, "%s does not survive the round trip", sk_presets[i].name);
		stockade_error_free(err);
		stockade_strv_free(dropped);
		stockade_plan_free(back);
		stockade_policy_free(p);
		stockade_plan_free(plan);
		free(json);
	}
}

TEST(oci_export_lossy_lists_what_is_lost)
{
	stockade_plan *plan = plan_of("agent", NULL);
	char **dropped = NULL;
	bool compat = false;
	int ret;
	char *json;

	if (!plan)
		return;
	json = export_oci(plan, SCMP_ARCH_X86_64, 0, NULL, &ret);
	CHECK_INT_EQ(ret, -ENOTSUP);
	CHECK(json == NULL);
	json = export_oci(plan, SCMP_ARCH_X86_64, STOCKADE_EXPORT_LOSSY, &dropped, &ret);
	CHECK_INT_EQ(ret, 0);
	for (size_t i = 0; dropped && dropped[i]; i++)
		compat |= strstr(dropped[i], "compat_arches: refuse") != NULL;
	CHECK(compat);
	/* Only the native architecture is listed: the rest is libseccomp's
	 * bad-architecture action in the runtimes. */
	CHECK(json && strstr(json, "\"SCMP_ARCH_X86_64\"") && !strstr(json, "\"SCMP_ARCH_X86\""));
	free(json);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);

	/* 64-bit comparisons under compat filter: libseccomp cuts them. */
	plan = plan_of(NULL, "version: 1\nseccomp:\n  compat_arches: filter\n  rules:\n"
			     "    - syscall: dup3\n      args: [\"arg2 == 0x100000000\"]\n      action: errno:EPERM\n");
	json = export_oci(plan, SCMP_ARCH_X86_64, 0, NULL, &ret);
	CHECK_INT_EQ(ret, -ENOTSUP);
	free(json);
	dropped = NULL;
	json = export_oci(plan, SCMP_ARCH_X86_64, STOCKADE_EXPORT_LOSSY, &dropped, &ret);
	CHECK(dropped && dropped[0] && strstr(dropped[0], "dup3") && strstr(dropped[0], "i386"));
	free(json);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);
}

TEST(oci_export_formats)
{
	stockade_plan *plan = plan_of("none", NULL);
	enum stockade_format fmt;
	stockade_error *err = NULL;
	char *data = NULL;
	size_t len = 0;
	struct seccomp_data d = { .nr = 165, .arch = AUDIT_ARCH_X86_64 };
	struct sk_sim_result r;

	CHECK(stockade_format_from_name("bpf", &fmt) == 0 && fmt == STOCKADE_FORMAT_BPF);
	CHECK(stockade_format_from_name("oci", &fmt) == 0 && fmt == STOCKADE_FORMAT_OCI);
	CHECK(stockade_format_from_name("pfc", &fmt) == 0 && fmt == STOCKADE_FORMAT_PFC);
	CHECK(stockade_format_from_name("oci-config", &fmt) == 0 && fmt == STOCKADE_FORMAT_OCI_CONFIG);
	CHECK(STOCKADE_FORMAT_OCI_CONFIG > STOCKADE_FORMAT_PFC); /* added at the end */
	CHECK(stockade_format_from_name("json5", &fmt) == -EINVAL);
	if (!plan)
		return;
	/* No filter at all exports as one that allows every call of every ABI. */
	CHECK_INT_EQ(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_BPF, 0, &data, &len, NULL, &err), 0);
	CHECK(data && len % sizeof(struct sock_filter) == 0);
	if (data) {
		const struct sock_filter *prog = (const struct sock_filter *)data;
		CHECK(sk_sim_run(prog, len / sizeof(*prog), &d, &r) == 0 && r.ret == SECCOMP_RET_ALLOW);
		d.arch = AUDIT_ARCH_I386;
		CHECK(sk_sim_run(prog, len / sizeof(*prog), &d, &r) == 0 && r.ret == SECCOMP_RET_ALLOW);
	}
	free(data);
	data = NULL;
	CHECK_INT_EQ(stockade_plan_export(plan, SCMP_ARCH_AARCH64, STOCKADE_FORMAT_PFC, 0, &data, &len, NULL, &err), 0);
	CHECK(data && strlen(data) == len && strstr(data, "ALLOW"));
	free(data);
	data = NULL;
	CHECK_INT_EQ(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_OCI, 0, &data, &len, NULL, &err), 0);
	CHECK(data && strstr(data, "SCMP_ACT_ALLOW") && strstr(data, "SCMP_ARCH_X32"));
	free(data);
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* What a format cannot carry is said, with what to set where: the kept
 * capabilities by name, the environment rules, the namespaces and the
 * descriptors `stockade run` closes (issue 14). */
static bool note_with(char **dropped, const char *a, const char *b)
{
	for (size_t i = 0; dropped && dropped[i]; i++)
		if (!strncmp(dropped[i], "note: ", 6) && strstr(dropped[i], a) && (!b || strstr(dropped[i], b)))
			return true;
	return false;
}

TEST(export_notes_name_what_run_adds)
{
	stockade_plan *plan = plan_of("agent", NULL);
	char *data = NULL, **dropped = NULL;
	size_t len = 0;

	if (!plan)
		return;
	CHECK(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY, &data, &len,
				   &dropped, NULL) == 0);
	CHECK(note_with(dropped, "capabilities", "\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\""));
	CHECK(note_with(dropped, "capabilities", "process.capabilities"));
	CHECK(note_with(dropped, "capabilities", "--cap-add NET_BIND_SERVICE"));
	CHECK(!note_with(dropped, "capabilities", "CAP_SYS_ADMIN"));
	CHECK(note_with(dropped, "environment", "drop"));
	CHECK(note_with(dropped, "isolation", "linux.namespaces"));
	CHECK(note_with(dropped, "isolation", "UTS and cgroup namespaces"));
	CHECK(note_with(dropped, "environment", "*_KEY, *_KEYS"));
	CHECK(note_with(dropped, "descriptors", "--preserve-fds"));
	free(data);
	stockade_strv_free(dropped);
	data = NULL;
	dropped = NULL;
	CHECK(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_BPF, 0, &data, &len, &dropped, NULL) == 0);
	CHECK(note_with(dropped, "capabilities", "bwrap --cap-drop ALL --cap-add CAP_CHOWN"));
	CHECK(note_with(dropped, "isolation", "--unshare-pid"));
	CHECK(note_with(dropped, "isolation", "--unshare-cgroup"));
	CHECK(note_with(dropped, "environment", "--clearenv"));
	free(data);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);

	/* minimal sets none of them: only the descriptors note. */
	plan = plan_of("minimal", NULL);
	dropped = NULL;
	data = NULL;
	CHECK(plan && stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY, &data,
					   &len, &dropped, NULL) == 0);
	CHECK(!note_with(dropped, "capabilities", NULL) && !note_with(dropped, "environment", NULL) &&
	      !note_with(dropped, "isolation", NULL) && note_with(dropped, "descriptors", NULL));
	free(data);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);
}

/* ---- the OCI config fragment (--format oci-config) ---- */

static bool json_eq(const struct sk_json *a, const struct sk_json *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SK_JSON_BOOL:
		return a->boolean == b->boolean;
	case SK_JSON_NUMBER:
		return a->is_uint == b->is_uint && a->uint == b->uint;
	case SK_JSON_STRING:
		return !strcmp(a->str, b->str);
	case SK_JSON_ARRAY:
	case SK_JSON_OBJECT:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (a->type == SK_JSON_ARRAY ? !json_eq(&a->items[i], &b->items[i])
						     : strcmp(a->members[i].key, b->members[i].key) != 0 ||
							       !json_eq(&a->members[i].value, &b->members[i].value))
				return false;
		return true;
	default:
		return true;
	}
}

static bool json_has_string(const struct sk_json *list, const char *s)
{
	for (size_t i = 0; list && list->type == SK_JSON_ARRAY && i < list->n; i++)
		if (list->items[i].type == SK_JSON_STRING && !strcmp(list->items[i].str, s))
			return true;
	return false;
}

static bool json_keys_only(const struct sk_json *o, const char *const *keys)
{
	for (size_t i = 0; o && i < o->n; i++) {
		bool known = false;
		for (const char *const *k = keys; *k && !known; k++)
			known = !strcmp(o->members[i].key, *k);
		if (!known) {
			fprintf(stderr, "  unexpected key %s\n", o->members[i].key);
			return false;
		}
	}
	return o != NULL;
}

static bool json_parse_text(const char *text, struct sk_json *out)
{
	struct sk_json_error jerr;
	int r = text ? sk_json_parse(text, strlen(text), out, &jerr) : -EINVAL;

	CHECK_MSG(r == 0, "the export is not JSON: %d:%d: %s", jerr.line, jerr.column, text ? jerr.msg : "none");
	return r == 0;
}

static char *export_as(const stockade_plan *plan, enum stockade_format f, unsigned flags, char ***dropped, int *ret)
{
	char *data = NULL;
	size_t len = 0;

	*ret = stockade_plan_export(plan, SCMP_ARCH_X86_64, f, flags, &data, &len, dropped, NULL);
	CHECK(*ret < 0 || (data && strlen(data) == len));
	return data;
}

TEST(oci_config_fragment_shape)
{
	static const char *const top[] = { "process", "linux", NULL };
	static const char *const process[] = { "noNewPrivileges", "capabilities", NULL };
	static const char *const linux_keys[] = { "namespaces", "maskedPaths", "seccomp", NULL };
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient", NULL };
	stockade_plan *plan = plan_of("agent", NULL);
	struct sk_json cfg, prof;
	const struct sk_json *caps, *v;
	char *frag, *oci, **dropped = NULL;
	int ret;

	if (!plan)
		return;
	frag = export_as(plan, STOCKADE_FORMAT_OCI_CONFIG, 0, NULL, &ret);
	/* --lossy as for --format oci: agent refuses i386 and x32 calls. */
	CHECK_INT_EQ(ret, -ENOTSUP);
	CHECK(frag == NULL);
	frag = export_as(plan, STOCKADE_FORMAT_OCI_CONFIG, STOCKADE_EXPORT_LOSSY, &dropped, &ret);
	oci = export_as(plan, STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY, NULL, &ret);
	CHECK_INT_EQ(ret, 0);
	if (!json_parse_text(frag, &cfg))
		goto out;
	if (!json_parse_text(oci, &prof)) {
		sk_json_free(&cfg);
		goto out;
	}
	CHECK(json_keys_only(&cfg, top));
	CHECK(json_keys_only(sk_json_get(&cfg, "process"), process));
	CHECK(json_keys_only(sk_json_get(&cfg, "linux"), linux_keys));
	v = sk_json_get(sk_json_get(&cfg, "process"), "noNewPrivileges");
	CHECK(v && v->type == SK_JSON_BOOL && v->boolean);
	/* The kept set, by name, in bounding, effective and permitted. */
	caps = sk_json_get(sk_json_get(&cfg, "process"), "capabilities");
	CHECK(json_keys_only(caps, sets));
	for (int s = 0; caps && s < 3; s++) {
		size_t n = 0;
		v = sk_json_get(caps, sets[s]);
		CHECK_MSG(v && v->type == SK_JSON_ARRAY, "%s", sets[s]);
		for (int c = 0; v && c < SK_CAP_COUNT; c++)
			if (plan->access.caps_keep & (1ULL << c)) {
				n++;
				CHECK_MSG(json_has_string(v, sk_cap_name(c)), "%s lacks %s", sets[s], sk_cap_name(c));
			}
		CHECK(n == 9 && v && v->n == n);
		CHECK(!json_has_string(v, "CAP_SYS_ADMIN"));
	}
	for (int s = 3; caps && s < 5; s++)
		CHECK_MSG((v = sk_json_get(caps, sets[s])) && v->type == SK_JSON_ARRAY && v->n == 0, "%s", sets[s]);
	/* The namespaces run makes, and network under mode none. */
	v = sk_json_get(sk_json_get(&cfg, "linux"), "namespaces");
	CHECK(v && v->n == 6);
	for (size_t i = 0; v && i < v->n; i++) {
		const struct sk_json *t = sk_json_get(&v->items[i], "type");
		CHECK(v->items[i].n == 1 && t && t->str);
		CHECK(t && t->str && strstr(" pid ipc mount uts cgroup network ", t->str));
	}
	/* Literal system carve-outs only: no glob, no home, not /dev. */
	v = sk_json_get(sk_json_get(&cfg, "linux"), "maskedPaths");
	CHECK(json_has_string(v, "/etc/shadow") && json_has_string(v, "/sys/kernel") &&
	      json_has_string(v, "/var/run/secrets") && json_has_string(v, "/etc/ssl/private"));
	CHECK(!json_has_string(v, "/root/.ssh") && !json_has_string(v, "/dev") &&
	      !json_has_string(v, "/etc/ssh/ssh_host_*_key"));
	for (size_t i = 0; v && i < v->n; i++)
		CHECK(v->items[i].str[0] == '/' && !strpbrk(v->items[i].str, "*?[$~"));
	/* linux.seccomp is --format oci's profile, key for key. */
	CHECK(json_eq(sk_json_get(sk_json_get(&cfg, "linux"), "seccomp"), &prof));
	/* Said: what it does not carry; not said: what it does. */
	CHECK(note_with(dropped, "filesystem", "linux.maskedPaths (/etc/shadow"));
	CHECK(note_with(dropped, "filesystem", "~/.ssh/id_*"));
	CHECK(note_with(dropped, "environment", "[*_TOKEN, *_TOKENS"));
	CHECK(note_with(dropped, "environment", "(drop_values: credentials)"));
	CHECK(note_with(dropped, "isolation", "cgroup"));
	/* The capabilities are carried; what differs from run is said. */
	CHECK(note_with(dropped, "capabilities", "inheritable and ambient empty"));
	CHECK(note_with(dropped, "isolation", "a network one, which `stockade run` does not make"));
	CHECK(note_with(dropped, "mediation", "in no export"));
	CHECK(!note_with(dropped, "scope", NULL)); /* the pid and network namespaces */
	sk_json_free(&cfg);
	sk_json_free(&prof);
out:
	free(frag);
	free(oci);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);
}

/* A carve-out a later layer grants again is not masked; minimal restricts
 * neither capabilities nor namespaces; the environment note names the
 * patterns and the variables set (not their values); the TCP note points
 * at the policy's port, not at the preset's network mode. */
TEST(oci_config_follows_the_policy)
{
	stockade_plan *plan = plan_of("agent", "version: 1\nfilesystem:\n  read: [/etc/ssl]\n"
					       "network:\n  tcp_connect: [5432]\n"
					       "environment:\n  set:\n    SECRET_THING: hunter2\n  keep: [MY_TOKEN]\n"
					       "isolation: off\n");
	struct sk_json cfg;
	const struct sk_json *v;
	char *frag, **dropped = NULL;
	int ret;

	if (!plan)
		return;
	frag = export_as(plan, STOCKADE_FORMAT_OCI_CONFIG, STOCKADE_EXPORT_LOSSY, &dropped, &ret);
	CHECK_INT_EQ(ret, 0);
	if (json_parse_text(frag, &cfg)) {
		v = sk_json_get(sk_json_get(&cfg, "linux"), "maskedPaths");
		CHECK(json_has_string(v, "/etc/shadow") && !json_has_string(v, "/etc/ssl/private"));
		/* isolation off: only the network namespace of mode none */
		v = sk_json_get(sk_json_get(&cfg, "linux"), "namespaces");
		CHECK(v && v->n == 1 && sk_json_get(&v->items[0], "type") &&
		      !strcmp(sk_json_get(&v->items[0], "type")->str, "network"));
		sk_json_free(&cfg);
	}
	CHECK(note_with(dropped, "filesystem", "/etc/ssl/private"));
	CHECK(note_with(dropped, "environment", "keeps those matching [") && note_with(dropped, "environment", "MY_TOKEN]"));
	CHECK(note_with(dropped, "environment", "sets [SECRET_THING]"));
	CHECK(!note_with(dropped, "environment", "hunter2"));
	CHECK(note_with(dropped, "TCP ports (" ORIGIN ":", NULL));
	CHECK(!note_with(dropped, "isolation", NULL));
	/* Without a pid namespace the signal scope is the notes' again; the
	 * network namespace still closes the abstract sockets. */
	CHECK(note_with(dropped, "scope", "of signals is") && !note_with(dropped, "scope", "abstract"));
	free(frag);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);

	/* Long lists: the first 40, then how many more. */
	plan = plan_of("minimal", "version: 1\nenvironment:\n  drop: [A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, "
				  "A16, A17, A18, A19, A20, A21, A22, A23, A24, A25, A26, A27, A28, A29, A30, "
				  "A31, A32, A33, A34, A35, A36, A37, A38, A39, A40, A41, A42, A43, A44, A45]\n");
	dropped = NULL;
	frag = plan ? export_as(plan, STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY, &dropped, &ret) : NULL;
	CHECK(note_with(dropped, "environment", "[A1, A2, ") && note_with(dropped, "environment", ", A40 and 5 more]") &&
	      !note_with(dropped, "environment", "A41"));
	free(frag);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);

	plan = plan_of("minimal", NULL);
	dropped = NULL;
	frag = plan ? export_as(plan, STOCKADE_FORMAT_OCI_CONFIG, STOCKADE_EXPORT_LOSSY, &dropped, &ret) : NULL;
	if (json_parse_text(frag, &cfg)) {
		CHECK(sk_json_get(sk_json_get(&cfg, "process"), "capabilities") == NULL);
		CHECK(sk_json_get(sk_json_get(&cfg, "linux"), "seccomp") != NULL);
		sk_json_free(&cfg);
	}
	free(frag);
	stockade_strv_free(dropped);
	stockade_plan_free(plan);
}
