/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator tier: one policy, three artifacts, one meaning.
 *
 * For every preset (and the presets with `compat_arches: filter`), on
 * x86_64 and aarch64, these must give the same action for every syscall
 * number of the architecture, through every entry point (i386, x32, arm),
 * for argument vectors that exercise each rule at its boundaries:
 *
 *   run  the plan's rules compiled by libseccomp rather than by stockade
 *        (oracle_libseccomp.c), a second compiler as a check on the first;
 *   bpf  `stockade compile --format bpf`: the filter `stockade run` loads
 *        and bwrap --seccomp loads;
 *   oci  `stockade compile --format oci`, loaded back through libseccomp the
 *        way runc and crun do (oci_ref.c, independent of the exporter).
 *
 * The one documented difference: under `compat_arches: refuse` the OCI
 * runtimes kill the calling thread of a foreign-ABI call (libseccomp's
 * default bad-arch action) where stockade kills the process; the test
 * demands exactly that and nothing else.  The native ABI is also checked
 * against the policy's own semantics (sk_plan_decide).
 *
 * Then the import side: Docker's default profile, as Debian ships it,
 * imports, and stockade's filter for it decides every call as the runtimes'
 * loading of the same JSON does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "policy/oci.h"
#include "oci_ref.h"
#include "oracle_libseccomp.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"

#define X32_BIT 0x40000000

static stockade_plan *plan_from(const char *preset, const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || (preset && stockade_policy_add_preset(p, preset, &err) < 0) ||
	    (text && stockade_policy_add_text(p, "test", text, strlen(text), &err) < 0) ||
	    stockade_plan_build(p, &plan, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", preset ? preset : "text", err && err->msg ? err->msg : "?");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

/* The plan's rules compiled by libseccomp instead (oracle_libseccomp.c). */
static struct sock_filter *run_filter(const stockade_plan *plan, uint32_t arch, size_t *len)
{
	stockade_error *err = NULL;
	struct sock_filter *prog = oracle_libseccomp_bpf(plan, arch, len, &err);

	if (!prog)
		fprintf(stderr, "  libseccomp: %s\n", err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	return prog;
}

static uint32_t run(const struct sock_filter *p, size_t len, uint32_t abi, int nr, const uint64_t a[6],
		    bool *bad)
{
	struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(abi) };
	struct sk_sim_result r;

	for (int i = 0; i < 6; i++)
		d.args[i] = sk_arch_args32(abi) ? (uint32_t)a[i] : a[i];
	if (sk_sim_run(p, len, &d, &r) < 0) {
		*bad = true;
		return 0xffffffff;
	}
	return r.ret;
}

struct case_stats {
	size_t calls, vectors, mismatches;
};

/* When set, compare_abi() looks at this syscall only (custom shapes). */
static const char *compare_only;

/* Did the exporter report `name` as lost on the 32-bit ABI `abi`? */
static bool lost_on(char **dropped, const char *name, uint32_t abi)
{
	const char *label = abi == SCMP_ARCH_ARM ? "arm" : stockade_arch_name(abi);
	char on[32];

	snprintf(on, sizeof(on), " on %s,", label ? label : "?");
	for (size_t k = 0; name && dropped && dropped[k]; k++)
		if (!strncmp(dropped[k], name, strlen(name)) && dropped[k][strlen(name)] == ':' &&
		    strstr(dropped[k], on))
			return true;
	return false;
}

/* Compare three filters (any may be NULL: skipped) over one ABI; syscalls
 * the exporter reported as lost on this ABI are left out for `c`, and with
 * skip_unnamed so are the ones stockade's tables cannot name (arm's private
 * calls: a policy cannot mention them, so an import skips them). */
static void compare_abi(const char *what, const stockade_plan *plan, uint32_t abi, bool check_policy,
			const struct sock_filter *a, size_t alen, const struct sock_filter *b, size_t blen,
			const struct sock_filter *c, size_t clen, bool c_kills_thread, char **dropped,
			bool skip_unnamed, struct case_stats *st)
{
	static const uint64_t zero[6] = { 0 };

	for (int n = 0; n < SK_NR_LIMIT && st->mismatches < 20; n++) {
		int nr = abi == SCMP_ARCH_X32 ? n | X32_BIT : n;
		char *name = sk_syscall_name(abi, nr);
		struct sk_argvec *vecs = NULL, z;
		size_t nvecs = 0;

		if (compare_only && (!name || strcmp(name, compare_only) != 0)) {
			free(name);
			continue;
		}
		if (name && sk_probe_args(plan, name, &vecs, &nvecs) < 0)
			nvecs = 0;
		if (!nvecs) {
			free(vecs);
			memcpy(z.a, zero, sizeof(z.a));
			vecs = NULL;
			nvecs = 1;
		}
		st->calls++;
		for (size_t v = 0; v < nvecs && st->mismatches < 20; v++) {
			const uint64_t *args = vecs ? vecs[v].a : zero;
			bool bad = false;
			uint32_t ra = run(a, alen, abi, nr, args, &bad);
			uint32_t rb = b ? run(b, blen, abi, nr, args, &bad) : ra;
			uint32_t rc = c && !lost_on(dropped, name, abi) && !(skip_unnamed && name && !sk_syscall_known(name))
					      ? run(c, clen, abi, nr, args, &bad)
					      : ra;
			uint32_t want_c = c_kills_thread ? SECCOMP_RET_KILL_THREAD : ra;

			st->vectors++;
			if (!bad && rb == ra && rc == want_c) {
				if (check_policy && name) {
					struct sk_verdict vd;
					uint64_t a32[6];
					struct sk_action act;
					for (int i = 0; i < 6; i++)
						a32[i] = sk_arch_args32(abi) ? (uint32_t)args[i] : args[i];
					sk_plan_decide(plan, name, a32, &vd);
					if (sk_action_from_ret(ra, &act) == 0 && sk_action_eq(act, vd.action))
						continue;
					fprintf(stderr, "  %s %s %s(%#llx, %#llx, %#llx, ...): filter %#x, policy says %d/%d\n",
						what, stockade_arch_name(abi), name, (unsigned long long)args[0],
						(unsigned long long)args[1], (unsigned long long)args[2], ra, vd.action.type,
						vd.action.errnum);
				} else {
					continue;
				}
			} else {
				fprintf(stderr,
					"  %s abi %s nr %d (%s) args %#llx %#llx %#llx %#llx: run %#x bpf %#x oci %#x "
					"(want %#x)%s\n",
					what, stockade_arch_name(abi), nr, name ? name : "?", (unsigned long long)args[0],
					(unsigned long long)args[1], (unsigned long long)args[2],
					(unsigned long long)args[3], ra, rb, rc, want_c, bad ? " [sim refused]" : "");
			}
			st->mismatches++;
		}
		free(vecs);
		free(name);
	}
}

/* Did the exporter list a call as lost to libseccomp's compiling (oci_verify.c)? */
static bool lost_call(const char *s)
{
	return strstr(s, ", which runc and crun compile the profile with, decides ") != NULL;
}

/* One policy on one arch: run vs bpf vs oci, every ABI.  With lost_calls
 * (custom shapes), calls the exporter lists as lost to libseccomp's
 * compiling may be, and there is no `run` filter: libseccomp compiling the
 * plan's terms loses rules the same way, so stockade's own filter, checked
 * against the policy, stands in for it. */
static void equivalence_ex(const char *what, const stockade_plan *plan, uint32_t arch, bool lost_calls)
{
	struct sock_filter *a = NULL, *c = NULL;
	char *bpf = NULL, *json = NULL, **dropped = NULL, errbuf[256];
	size_t alen = 0, blen = 0, clen = 0, jlen = 0, nextra;
	uint32_t extra[2];
	stockade_error *err = NULL;
	struct case_stats st = { 0 };
	struct ref_env env = { .arch = arch, .caps = ref_docker_caps, .kmaj = 6, .kmin = 1 };
	bool refuse = plan->compat == SK_COMPAT_REFUSE && plan->seccomp_enabled;

	if (plan->seccomp_enabled && !lost_calls) {
		a = run_filter(plan, arch, &alen);
		CHECK_MSG(a != NULL, "%s: no run filter for %s", what, stockade_arch_name(arch));
	}
	CHECK_INT_EQ(stockade_plan_export(plan, arch, STOCKADE_FORMAT_BPF, 0, &bpf, &blen, NULL, &err), 0);
	CHECK_INT_EQ(stockade_plan_export(plan, arch, STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY, &json, &jlen,
					  &dropped, &err),
		     0);
	if (err)
		fprintf(stderr, "  %s: %s\n", what, err->msg);
	/* Only compat refuse may be lost, and under compat filter conditions
	 * on 64-bit values, which libseccomp cuts to 32 bits on 32-bit ABIs. */
	for (size_t k = 0; dropped && dropped[k]; k++)
		CHECK_MSG(!strncmp(dropped[k], "note: ", 6) || (!strncmp(dropped[k], "compat_arches: refuse", 21) && refuse) ||
				  (strstr(dropped[k], "compares a 64-bit value") && !refuse) ||
				  (lost_calls && lost_call(dropped[k])),
			  "%s %s: lost %s", what, stockade_arch_name(arch), dropped[k]);
	if (json && ref_oci_compile(json, &env, &c, &clen, errbuf, sizeof(errbuf)) < 0)
		CHECK_MSG(false, "%s %s: the runtimes would refuse the exported profile: %s", what,
			  stockade_arch_name(arch), errbuf);
	if (lost_calls && bpf && (a = malloc(blen)) != NULL) {
		memcpy(a, bpf, blen);
		alen = blen / sizeof(struct sock_filter);
	}
	if (!a && !plan->seccomp_enabled && bpf) {
		/* stockade run loads nothing: everything runs.  The exported
		 * filter must say the same. */
		static const struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
		a = malloc(sizeof(allow));
		memcpy(a, allow, sizeof(allow));
		alen = 1;
	}
	if (a && bpf && c) {
		sk_compat_arches(arch, extra, &nextra);
		compare_abi(what, plan, arch, true, a, alen, (struct sock_filter *)bpf,
			    blen / sizeof(struct sock_filter), c, clen, false, dropped, false, &st);
		for (size_t i = 0; i < nextra; i++)
			compare_abi(what, plan, extra[i], !refuse && plan->seccomp_enabled, a, alen,
				    (struct sock_filter *)bpf, blen / sizeof(struct sock_filter), c, clen, refuse, dropped,
				    false, &st);
		CHECK_MSG(st.mismatches == 0, "%s %s: %zu mismatches", what, stockade_arch_name(arch),
			  st.mismatches);
		CHECK(compare_only || st.calls > 300);
	}
	stockade_error_free(err);
	stockade_strv_free(dropped);
	free(a);
	free(bpf);
	free(json);
	free(c);
}

static void equivalence(const char *what, const stockade_plan *plan, uint32_t arch)
{
	equivalence_ex(what, plan, arch, false);
}

static const uint32_t test_arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64 };

TEST(equivalence_presets)
{
	for (size_t i = 0; i < sk_presets_len; i++) {
		stockade_plan *plan = plan_from(sk_presets[i].name, NULL);

		CHECK_MSG(plan != NULL, "preset %s", sk_presets[i].name);
		for (size_t k = 0; plan && k < ARRAY_SIZE(test_arches); k++)
			equivalence(sk_presets[i].name, plan, test_arches[k]);
		stockade_plan_free(plan);
	}
}

TEST(equivalence_presets_compat_filter)
{
	static const char *const bases[] = { "agent", "strict", "minimal", "debug", "sealed-memfd" };

	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		char text[160];
		stockade_plan *plan;

		snprintf(text, sizeof(text), "version: 1\nextends: %s\nseccomp:\n  compat_arches: filter\n", bases[i]);
		plan = plan_from(NULL, text);
		CHECK_MSG(plan != NULL, "%s + compat filter", bases[i]);
		for (size_t k = 0; plan && k < ARRAY_SIZE(test_arches); k++)
			equivalence(bases[i], plan, test_arches[k]);
		stockade_plan_free(plan);
	}
}

/* Without --lossy, compat refuse is refused by name; with compat filter the
 * presets export exactly. */
TEST(equivalence_oci_refuses_what_it_cannot_say)
{
	stockade_plan *plan = plan_from("agent", NULL);
	stockade_error *err = NULL;
	char *json = NULL;
	size_t len = 0;

	if (!plan)
		return;
	CHECK_INT_EQ(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_OCI, 0, &json, &len, NULL, &err),
		     -ENOTSUP);
	CHECK(json == NULL);
	CHECK(err && strstr(err->msg, "compat_arches: refuse") && strstr(err->msg, "presets/agent.yaml:"));
	CHECK(err && err->hint && strstr(err->hint, "--lossy"));
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* ---- custom shapes: the order of one call's OCI entries ---- */

/*
 * libseccomp 2.5.4 builds a syscall's rule tree in the order runc and crun
 * add the profile's entries and loses some of them, depending on the shape:
 * no one order is right for all (attack8 finding 3).  A custom policy's
 * export must either decide `call` as the policy does on every ABI of the
 * profile, or, when no order of its entries does, be refused by name
 * without --lossy and list the call as lost with it.
 */
static size_t order_refusals;

static void custom_shape(const char *what, const char *text, const char *call, size_t *exact, size_t *refused)
{
	stockade_plan *plan = plan_from(NULL, text);

	CHECK_MSG(plan != NULL, "%s does not build", what);
	if (!plan)
		return;
	compare_only = call;
	for (size_t k = 0; k < ARRAY_SIZE(test_arches); k++) {
		stockade_error *err = NULL;
		char *json = NULL, **dropped = NULL;
		size_t len = 0;
		bool lost = false, order_lost = false;

		equivalence_ex(what, plan, test_arches[k], true);
		CHECK_INT_EQ(stockade_plan_export(plan, test_arches[k], STOCKADE_FORMAT_OCI, STOCKADE_EXPORT_LOSSY,
						  &json, &len, &dropped, &err),
			     0);
		for (size_t d = 0; dropped && dropped[d]; d++)
			if (lost_call(dropped[d]) || strstr(dropped[d], "compares a 64-bit value")) {
				CHECK_MSG(!strncmp(dropped[d], call, strlen(call)), "%s: lost %s", what, dropped[d]);
				lost = true;
				order_lost |= lost_call(dropped[d]);
			}
		free(json);
		json = NULL;
		stockade_strv_free(dropped);
		stockade_error_free(err);
		err = NULL;
		if (lost) {
			(*refused)++;
			CHECK_INT_EQ(stockade_plan_export(plan, test_arches[k], STOCKADE_FORMAT_OCI, 0, &json, &len, NULL,
							  &err),
				     -ENOTSUP);
			CHECK(json == NULL);
			CHECK_MSG(err && strstr(err->msg, call), "%s: %s", what, err ? err->msg : "no error");
			CHECK(err && err->hint && strstr(err->hint, "--lossy"));
			/* refused for its order: the policy line and both ways out */
			order_refusals += order_lost;
			if (order_lost)
				CHECK(err && strstr(err->msg, "decides it otherwise in") && strstr(err->msg, "(test:") &&
				      strstr(err->hint, "--format bpf"));
		} else {
			(*exact)++;
			if (plan->compat == SK_COMPAT_FILTER)
				CHECK_INT_EQ(stockade_plan_export(plan, test_arches[k], STOCKADE_FORMAT_OCI, 0, &json,
								  &len, NULL, &err),
					     0);
		}
		free(json);
		stockade_error_free(err);
	}
	compare_only = NULL;
	stockade_plan_free(plan);
}

static const char *const shape_defaults[] = { "errno:ENOSYS", "errno:EACCES", "trap", "log" };

/* The reviewer's reproducers: fcntl(fd, F_SETOWN, 1) must be EPERM. */
static const char r1_rules[] = "    - {syscall: fcntl, args: [\"arg1 == 8\", \"arg2 != 0\"], action: \"errno:EPERM\"}\n"
			       "    - {syscall: fcntl, action: allow}\n";
static const char s5_rules[] = "    - {syscall: fcntl, args: [\"arg1 == 8\", \"arg2 != 0\"], action: \"errno:EPERM\"}\n"
			       "    - {syscall: fcntl, args: [\"arg1 == 8\"], action: allow}\n"
			       "    - {syscall: fcntl, args: [\"arg1 != 4\"], action: allow}\n"
			       "    - {syscall: fcntl, args: [\"arg2 & 0x2000\"], action: \"errno:EPERM\"}\n"
			       "    - {syscall: fcntl, action: allow}\n";
/* Two refusals libseccomp 2.5.4 compiles to something else in every order
 * (with the default trap, fcntl(0, 4, 0) gets it instead of the kill). */
static const char two_refusals_rules[] =
	"    - {syscall: fcntl, args: [\"arg2 != 0\", \"arg1 <= 16\"], action: \"errno:EACCES\"}\n"
	"    - {syscall: fcntl, args: [\"arg1 > 3\"], action: kill}\n";
/* strict's setpriority: an allowing `a0 == 0 && a1 == 0` among refusals. */
static const char setprio_rules[] = "    - {syscall: setpriority, args: [\"arg0 != 0\"], action: \"errno:EPERM\"}\n"
				    "    - {syscall: setpriority, args: [\"arg1 == 0\"], action: allow}\n"
				    "    - {syscall: setpriority, action: \"errno:EPERM\"}\n";

static void shape_text(char *buf, size_t size, const char *def, bool compat_filter, const char *rules)
{
	snprintf(buf, size, "version: 1\nextends: minimal\nseccomp:\n%s  default_action: \"%s\"\n  rules:\n%s",
		 compat_filter ? "  compat_arches: filter\n" : "", def, rules);
}

TEST(oci_order_reviewer_shapes)
{
	static const struct {
		const char *name, *rules, *call;
		bool compat_filter;
	} shapes[] = {
		{ "r1", r1_rules, "fcntl", false },
		{ "r1 compat filter", r1_rules, "fcntl", true },
		{ "s5 compat filter", s5_rules, "fcntl", true },
		{ "s5", s5_rules, "fcntl", false },
		{ "setpriority compat filter", setprio_rules, "setpriority", true },
		{ "two refusals compat filter", two_refusals_rules, "fcntl", true },
	};
	size_t exact = 0, refused = 0;

	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++)
		for (size_t d = 0; d < ARRAY_SIZE(shape_defaults); d++) {
			char text[1024], what[128];

			shape_text(text, sizeof(text), shape_defaults[d], shapes[i].compat_filter, shapes[i].rules);
			snprintf(what, sizeof(what), "%s, default %s", shapes[i].name, shape_defaults[d]);
			custom_shape(what, text, shapes[i].call, &exact, &refused);
		}
	fprintf(stderr, "  reviewer shapes: %zu exported exactly, %zu refused by name\n", exact, refused);
	/* the refusal for no right order happened, and was checked */
	CHECK(order_refusals > 0);
}

/* 2 or 3 rules on one call, allowing and refusing, with conditions on two
 * arguments, drawn by a fixed generator (the same shapes every run). */
TEST(oci_order_generated_shapes)
{
	static const char *const conds[] = { "arg1 == 8", "arg1 != 4", "arg1 > 3",     "arg1 <= 16",
					     "arg2 != 0", "arg2 == 0", "arg2 & 0x2000", "arg2 == 1" };
	static const char *const refusals[] = { "errno:EPERM", "errno:EACCES", "trap" };
	uint32_t seed = 20261207;
	size_t exact = 0, refused = 0;

	for (int shape = 0, tries = 0; shape < 24 && tries < 400; tries++) {
		char rules[1024], text[1400], what[64];
		size_t at = 0, nrules;
		int failed = harness_failed_checks;
		stockade_policy *p = NULL;
		stockade_plan *plan = NULL;
		bool builds;

#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
		nrules = 2 + NEXT() % 2;
		for (size_t r = 0; r < nrules; r++) {
			/* the first refuses, the second allows, the third either */
			bool allow = r == 1 || (r == 2 && NEXT() % 2);
			unsigned nc = 1 + NEXT() % 2, c1 = NEXT() % 4, c2 = 4 + NEXT() % 4;

			if (r + 1 == nrules && NEXT() % 3 == 0)
				nc = 0; /* an unconditional last rule */
			else if (nc == 1 && NEXT() % 2)
				c1 = c2; /* the one condition on the other argument */
			at += (size_t)snprintf(rules + at, sizeof(rules) - at,
					       "    - {syscall: fcntl, args: [%s%s%s%s%s], action: \"%s\"}\n",
					       nc ? "\"" : "", nc ? conds[c1] : "", nc > 1 ? "\", \"" : nc ? "\"" : "",
					       nc > 1 ? conds[c2] : "", nc > 1 ? "\"" : "",
					       allow ? "allow" : refusals[NEXT() % ARRAY_SIZE(refusals)]);
		}
#undef NEXT
		shape_text(text, sizeof(text), shape_defaults[shape % ARRAY_SIZE(shape_defaults)], shape % 3 != 2,
			   rules);
		/* A draw whose later rule never matches is refused by the
		 * policy loader (a mistake in a policy): draw again. */
		builds = stockade_policy_new(&p, NULL) == 0 &&
			 stockade_policy_add_text(p, "test", text, strlen(text), NULL) == 0 &&
			 stockade_plan_build(p, &plan, NULL) == 0;
		stockade_plan_free(plan);
		stockade_policy_free(p);
		if (!builds)
			continue;
		snprintf(what, sizeof(what), "generated shape %d", shape++);
		custom_shape(what, text, "fcntl", &exact, &refused);
		if (harness_failed_checks != failed)
			fprintf(stderr, "  %s:\n%s", what, text);
	}
	CHECK_INT_EQ(exact + refused, 48);
	fprintf(stderr, "  generated shapes: %zu exported exactly, %zu refused by name\n", exact, refused);
}

/* ---- import: Docker's default profile ---- */

static const char *const docker_profiles[] = {
	/* golang-github-containers-common (Podman, Buildah, CRI-O) */
	"/usr/share/containers/seccomp.json",
	/* golang-github-docker-docker-dev (moby's profiles/seccomp) */
	"/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json",
};

static stockade_plan *import_plan(const char *path, uint32_t arch, const char *caps, const char *kernel)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_set_oci_arch(p, arch, &err) < 0 ||
	    stockade_policy_set_oci_caps(p, caps, &err) < 0 || stockade_policy_set_oci_kernel(p, kernel, &err) < 0 ||
	    stockade_policy_add_oci(p, path, &err) < 0 || stockade_plan_build(p, &plan, &err) < 0) {
		fprintf(stderr, "  import %s: %s\n", path, err && err->msg ? err->msg : "?");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static uint64_t caps_bits(const char *caps)
{
	if (!strcmp(caps, "docker"))
		return ref_docker_caps;
	if (!strcmp(caps, "all"))
		return (1ULL << 41) - 1;
	return 0;
}

/* The imported policy's own meaning (sk_plan_decide) against what the
 * runtimes make of the JSON, on one ABI.  Calls stockade cannot name are
 * left out (see compare_abi). */
static size_t import_semantics(const char *what, const stockade_plan *plan, uint32_t abi,
			       const struct sock_filter *ref, size_t rlen)
{
	size_t bad = 0;

	for (int n = 0; n < SK_NR_LIMIT && bad < 10; n++) {
		int nr = abi == SCMP_ARCH_X32 ? n | X32_BIT : n;
		char *name = sk_syscall_name(abi, nr);
		struct sk_argvec *vecs = NULL;
		size_t nvecs = 0;

		if (!name || !sk_syscall_known(name) || sk_probe_args(plan, name, &vecs, &nvecs) < 0) {
			free(name);
			continue;
		}
		for (size_t v = 0; v < nvecs && bad < 10; v++) {
			struct sk_verdict vd;
			struct sk_action act;
			uint64_t a[6];
			bool sim_bad = false;
			uint32_t rr = run(ref, rlen, abi, nr, vecs[v].a, &sim_bad);

			for (int i = 0; i < 6; i++)
				a[i] = sk_arch_args32(abi) ? (uint32_t)vecs[v].a[i] : vecs[v].a[i];
			sk_plan_decide(plan, name, a, &vd);
			if (!sim_bad && sk_action_from_ret(rr, &act) == 0 && sk_action_eq(act, vd.action))
				continue;
			fprintf(stderr, "  %s %s %s(%#llx, %#llx, %#llx): runtimes %#x, imported policy %d/%d\n", what,
				abi == SCMP_ARCH_ARM ? "arm" : stockade_arch_name(abi), name,
				(unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2], rr,
				vd.action.type, vd.action.errnum);
			bad++;
		}
		free(vecs);
		free(name);
	}
	return bad;
}

/*
 * Two claims.  The import means what the runtimes make of the JSON, for
 * every architecture, capability set and kernel tried (the policy's own
 * semantics against the reference loader, every ABI).  And for Docker's
 * default capabilities, stockade's compiled filter for the imported policy
 * decides every call as the runtimes' filter does.  (With other capability
 * sets the compiled filter is not compared: libseccomp 2.5.4 drops some
 * rules of the resulting 32-bit trees, a compiler bug tracked separately.)
 */
TEST(import_docker_default_profile)
{
	static const char *const capsets[] = { "docker", "none", "all" };
	static const char *const kernels[] = { "6.1", "4.7", "3.10" };
	size_t found = 0;

	for (size_t f = 0; f < ARRAY_SIZE(docker_profiles); f++) {
		char *text = ref_read_file(docker_profiles[f]);

		if (!text)
			continue;
		found++;
		for (size_t k = 0; k < ARRAY_SIZE(test_arches); k++) {
			for (size_t c = 0; c < ARRAY_SIZE(capsets); c++) {
				for (size_t kv = 0; kv < ARRAY_SIZE(kernels); kv++) {
					uint32_t arch = test_arches[k], extra[2];
					struct ref_env env = { .arch = arch, .caps = caps_bits(capsets[c]) };
					stockade_plan *plan = import_plan(docker_profiles[f], arch, capsets[c], kernels[kv]);
					struct sock_filter *ref = NULL;
					struct sk_filter_prog mine = { 0 };
					struct case_stats st = { 0 };
					size_t rlen = 0, nextra;
					char errbuf[256], what[300];

					sscanf(kernels[kv], "%d.%d", &env.kmaj, &env.kmin);
					snprintf(what, sizeof(what), "%s (caps %s, kernel %s)", docker_profiles[f],
						 capsets[c], kernels[kv]);
					CHECK_MSG(plan != NULL, "%s does not import", what);
					if (!plan)
						continue;
					CHECK_MSG(ref_oci_compile(text, &env, &ref, &rlen, errbuf, sizeof(errbuf)) == 0,
						  "%s: %s", what, errbuf);
					/* Docker's archMap covers every compat ABI. */
					CHECK(plan->compat == SK_COMPAT_FILTER);
					sk_compat_arches(arch, extra, &nextra);
					if (ref) {
						size_t bad = import_semantics(what, plan, arch, ref, rlen);
						for (size_t i = 0; i < nextra; i++)
							bad += import_semantics(what, plan, extra[i], ref, rlen);
						CHECK_MSG(bad == 0, "%s %s: the import means something else", what,
							  stockade_arch_name(arch));
					}
					if (strcmp(capsets[c], "docker") == 0)
						CHECK(sk_filter_compile(plan, arch, &mine, NULL) == 0);
					if (ref && mine.insns) {
						compare_abi(what, plan, arch, true, mine.insns, mine.len, NULL, 0, ref,
							    rlen, false, NULL, true, &st);
						for (size_t i = 0; i < nextra; i++)
							compare_abi(what, plan, extra[i], false, mine.insns, mine.len, NULL,
								    0, ref, rlen, false, NULL, true, &st);
						CHECK_MSG(st.mismatches == 0, "%s %s: %zu mismatches", what,
							  stockade_arch_name(arch), st.mismatches);
					}
					sk_filter_release(&mine);
					free(ref);
					stockade_plan_free(plan);
				}
			}
		}
		free(text);
	}
	if (!found)
		SKIP("no Docker default profile installed (apt-get install golang-github-containers-common "
		     "or golang-github-docker-docker-dev)");
}

/* Spot checks that do not depend on the reference loader: what Docker's
 * profile means for a few well-known calls. */
TEST(import_docker_default_profile_verdicts)
{
	const char *path = NULL;
	stockade_plan *plan;
	struct sk_verdict v;
	uint64_t a[6] = { 0 };

	for (size_t f = 0; f < ARRAY_SIZE(docker_profiles) && !path; f++)
		if (access(docker_profiles[f], R_OK) == 0)
			path = docker_profiles[f];
	if (!path)
		SKIP("no Docker default profile installed");
	plan = import_plan(path, SCMP_ARCH_X86_64, "docker", "6.1");
	if (!plan)
		return;
	/* The default: ENOSYS (containers-common) or EPERM (moby). */
	CHECK(plan->default_action.type == SK_ACT_ERRNO);
	sk_plan_decide(plan, "read", a, &v);
	CHECK_INT_EQ(v.action.type, SK_ACT_ALLOW);
	CHECK(v.at.file && !strcmp(v.at.file, path) && v.at.line > 0);
	sk_plan_decide(plan, "bpf", a, &v); /* needs CAP_SYS_ADMIN */
	CHECK_INT_EQ(v.action.type, SK_ACT_ERRNO);
	CHECK_INT_EQ(v.action.errnum, EPERM);
	sk_plan_decide(plan, "kexec_load", a, &v);
	CHECK_INT_EQ(v.action.type, SK_ACT_ERRNO);
	sk_plan_decide(plan, "chroot", a, &v); /* CAP_SYS_CHROOT is a Docker default */
	CHECK_INT_EQ(v.action.type, SK_ACT_ALLOW);
	a[0] = 0; /* personality(PER_LINUX) */
	sk_plan_decide(plan, "personality", a, &v);
	CHECK_INT_EQ(v.action.type, SK_ACT_ALLOW);
	a[0] = 0x0040000; /* ADDR_NO_RANDOMIZE */
	sk_plan_decide(plan, "personality", a, &v);
	CHECK_INT_EQ(v.action.type, SK_ACT_ERRNO);
	a[0] = 0xffffffff; /* the query */
	sk_plan_decide(plan, "personality", a, &v);
	CHECK_INT_EQ(v.action.type, SK_ACT_ALLOW);
	stockade_plan_free(plan);
}
