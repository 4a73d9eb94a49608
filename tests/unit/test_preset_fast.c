/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A policy file on a built-in preset takes the preset's layers from their
 * compiled-in blobs (policy/layer_blob.h) and, when its filter key is the
 * preset's, the preset's compiled-in filter (plan/preset_plans.h).  For every
 * preset and a set of policy files (the fuzz corpus among them), the plan
 * built that way equals the plan built from the presets' YAML
 * (STOCKADE_NO_PRESET_CACHE=1), field by field, and the filter it loads is
 * the one generated from that plan, byte for byte; so the shortcut cannot
 * drift from the slow path.
 */
#include <dirent.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "plan/preset_plans.h"
#include "policy/layer_blob.h"
#include "seccomp/seccomp.h"
#include "plan_eq.h"

/* Policy texts: what the benchmarks time, and one of each kind of entry. */
static const char *const texts[] = {
	"extends: agent\nnetwork:\n  mode: none\n",
	"extends: agent\nnetwork:\n  mode: none\n  tcp_connect: [8000]\n",
	"extends: agent\nnetwork:\n  mode: proxy\n  allow: [registry.npmjs.org, \"*.githubusercontent.com\", github.com:443]\n"
	"  hosts: {registry.npmjs.org: 127.0.0.1, raw.githubusercontent.com: 127.0.0.1, github.com: 127.0.0.1}\n",
	"extends: agent\n",
	"extends: agent\nname: mine\ndescription: agent and a few paths\nfilesystem:\n  read: [/opt/tools]\n"
	"  write: [$CWD/out, /tmp/x]\n  deny: [~/.aws]\nenvironment:\n  keep: [AWS_REGION]\n",
	"extends: agent\nfilesystem:\n  replace: true\n  read: [/usr, /etc]\n  write: [$CWD]\n",
	"extends: agent\nnetwork:\n  mode: unix\n",
	"extends: agent\nnetwork:\n  mode: full\n",
	"extends: agent\nnetwork:\n  mode: none\n  tcp_connect: [\"127.0.0.1:5432\", 8080]\n  tcp_bind: [3000]\n",
	"extends: agent\nseccomp:\n  allow: [ptrace]\n",
	"extends: agent\nseccomp:\n  deny: [memfd_create]\n",
	"extends: agent\nseccomp:\n  rules:\n    - syscall: personality\n      args: [\"arg0 == 0\"]\n      action: allow\n",
	"extends: agent\nseccomp:\n  default_action: errno:ENOSYS\n",
	"extends: agent\nseccomp: {compat_arches: filter, deny_action: kill-thread, deny: [getcwd]}\n",
	"extends: agent\nseccomp:\n  mode: audit\n",
	"extends: agent\nisolation: \"off\"\n",
	"extends: agent\ncapabilities:\n  keep: [CAP_NET_BIND_SERVICE]\n",
	"extends: agent\nscope:\n  signals: false\n  abstract_unix_sockets: false\n",
	"extends: strict\n",
	"extends: strict\nseccomp:\n  allow: [memfd_create]\nnetwork:\n  mode: none\n  tcp_connect: [443]\n",
	"extends: debug\n",
	"extends: sealed-memfd\nfilesystem:\n  read: [/srv]\n",
	"extends: gpu\n",
	"extends: minimal\nseccomp:\n  deny: [ptrace]\n",
	"extends: none\nseccomp:\n  deny: [ptrace]\n",
	"extends: none\n",
	/* mode proxy as `stockade run` has it: the proxy's address added */
	"extends: agent\nnetwork:\n  mode: proxy\n  allow: [registry.npmjs.org]\n  tcp_connect: [\"127.0.0.1:41000\", 8080]\n",
	"extends: strict\nname: s\nnetwork:\n  mode: proxy\n  tcp_connect: [\"127.0.0.1:41000\"]\nfilesystem:\n  write: [/srv]\n",
};

/* As `stockade run` builds it where Landlock limits TCP ports (no TCP
 * fallback plan: cmd_run.c), or as the API builds it by default. */
static bool no_fallback;

static stockade_error *load_text(const char *text, bool cached, stockade_plan **plan)
{
	stockade_policy *p = NULL;
	stockade_error *err = NULL;

	*plan = NULL;
	if (!cached)
		setenv("STOCKADE_NO_PRESET_CACHE", "1", 1);
	if (stockade_policy_new(&p, &err) == 0 && (p->tcp_fallback_unneeded = no_fallback, true) &&
	    stockade_policy_add_text(p, "test.yaml", text, strlen(text), &err) == 0) {
		/* A preset's layer comes from its blob exactly when cached. */
		for (size_t i = 0; i < p->nlayers; i++)
			CHECK_MSG(!p->layers[i]->builtin || p->layers[i]->text_borrowed == cached, "%s: layer %zu %s",
				  text, i, cached ? "not from its blob" : "from its blob");
		stockade_plan_build(p, plan, &err);
	}
	stockade_policy_free(p);
	unsetenv("STOCKADE_NO_PRESET_CACHE");
	return err;
}

static bool same_bpf(const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

/* The plan through the blobs equals the plan from YAML, and so do their
 * filters; a filter the fast plan carries is the slow plan's, generated now. */
/* Where the plan's users compare origins by pointer (run/denial.c knows a
 * network rule by its origin being plan->access.net_at), the fast plan's
 * pointers agree as an interned plan's do. */
static void same_pointers(const char *what, const stockade_plan *plan)
{
	const struct sk_origin *at = &plan->access.net_at;

	for (size_t i = 0; i < plan->nentries; i++)
		for (size_t j = 0; j < plan->entries[i].nrules; j++) {
			const struct sk_origin *r = &plan->entries[i].rules[j].at;
			if (r->file && at->file && r->line == at->line && r->column == at->column &&
			    !strcmp(r->file, at->file))
				CHECK_MSG(r->file == at->file, "%s: %s: a network rule's origin is another copy", what,
					  plan->entries[i].name);
		}
}

/* The notifying filter a run loads for the usual mediation (a host daemon's
 * socket, no namespaces): the fast plan's, whether its own prebuilt one or
 * generated now, is the one a full build generates (the slow plan's, which
 * no blob touched: STOCKADE_NO_PRESET_CACHE=1 in effect).  And a mediation
 * that is not the usual one never gets the prebuilt one. */
static void same_mediated(const char *what, const stockade_plan *fast, const stockade_plan *slow)
{
	static const char *const conn[] = { "connect" }, *const swapped[] = { "io_uring_setup", "connect" },
				 *const more[] = { "connect", "io_uring_setup", "listen" };
	const struct sk_notify usual = { .mediate = sk_usual_mediation, .nmediate = ARRAY_SIZE(sk_usual_mediation) },
			       others[] = { { .mediate = conn, .nmediate = 1 },
					    { .mediate = more, .nmediate = 3 },
					    { .mode = SK_NOTIFY_ERRNO, .mediate = sk_usual_mediation, .nmediate = 2 } };
	const struct sk_notify sw = { .mediate = swapped, .nmediate = 2 };
	struct sock_filter *pf = NULL, *ps = NULL, *gs = NULL;
	size_t nf = 0, ns = 0, ng = 0;
	bool bf = false, bs = false;

	if (fast->mbpf) {
		CHECK(sk_bpf_generate_mediated(slow, &usual, 0, &gs, &ng, NULL) == 0);
		CHECK_MSG(gs && same_bpf(fast->mbpf, fast->mbpf_len, gs, ng),
			  "%s: the preset's notifying filter (%zu instructions) is not the one generated (%zu)", what,
			  fast->mbpf_len, ng);
		free(gs);
		gs = NULL;
	}
	if (fast->audit)
		return; /* (plain enforcement refuses it: it needs a supervisor that answers) */
	for (int k = 0; k < 2; k++) {
		const struct sk_notify *nt = k ? &sw : &usual;

		CHECK(sk_seccomp_filter(fast, nt, &pf, &nf, &bf, NULL) == 0);
		CHECK(sk_seccomp_filter(slow, nt, &ps, &ns, &bs, NULL) == 0);
		CHECK_MSG(!bs, "%s: a plan built from YAML lends a notifying filter", what);
		CHECK_MSG(bf == (fast->mbpf != NULL), "%s: the prebuilt notifying filter not taken", what);
		CHECK_MSG(pf && ps && same_bpf(pf, nf, ps, ns), "%s: the notifying filters differ (%zu vs %zu)", what, nf,
			  ns);
		if (!bf)
			free(pf);
		free(ps);
	}
	for (size_t k = 0; k < ARRAY_SIZE(others); k++) {
		CHECK(sk_seccomp_filter(fast, &others[k], &pf, &nf, &bf, NULL) == 0);
		CHECK(sk_bpf_generate_mediated(slow, &others[k], 0, &gs, &ng, NULL) == 0);
		CHECK_MSG(!bf, "%s: mediation %zu (not the usual one) got the prebuilt filter", what, k);
		CHECK_MSG(pf && gs && same_bpf(pf, nf, gs, ng), "%s: mediation %zu: the filters differ", what, k);
		if (!bf)
			free(pf);
		free(gs);
	}
}

static void compare(const char *what, const stockade_plan *fast, const stockade_plan *slow)
{
	same_pointers(what, fast);
	same_pointers(what, slow);
	/* (a plan made from the preset's blob owns only the strings the
	 * layers above it add: its fields are compared, not its table) */
	plan_eq_tables = false;
	CHECK_MSG(plan_eq(what, fast, slow), "%s: the plans differ", what);
	plan_eq_tables = true;
	for (; fast && slow; fast = fast->net_fallback, slow = slow->net_fallback) {
		struct sock_filter *gf = NULL, *gs = NULL;
		size_t nf = 0, ns = 0;

		CHECK_MSG(!slow->bpf && !slow->mbpf, "%s: a plan built from YAML carries a filter", what);
		if (!fast->seccomp_enabled)
			continue;
		CHECK(sk_bpf_generate(fast, 0, &gf, &nf, NULL) == 0);
		CHECK(sk_bpf_generate(slow, 0, &gs, &ns, NULL) == 0);
		CHECK_MSG(gf && gs && same_bpf(gf, nf, gs, ns), "%s: the generated filters differ", what);
		if (fast->bpf)
			CHECK_MSG(same_bpf(fast->bpf, fast->bpf_len, gs, ns),
				  "%s: the preset's filter (%zu instructions) is not the one generated (%zu)", what,
				  fast->bpf_len, ns);
		CHECK_MSG(!fast->mbpf || fast->bpf, "%s: a notifying filter without its plain one", what);
		free(gf);
		free(gs);
		same_mediated(what, fast, slow);
		for (int a = 0; a < 2; a++) {
			uint32_t arch = a ? SCMP_ARCH_AARCH64 : SCMP_ARCH_X86;
			CHECK(sk_bpf_generate(fast, arch, &gf, &nf, NULL) == 0);
			CHECK(sk_bpf_generate(slow, arch, &gs, &ns, NULL) == 0);
			CHECK_MSG(gf && gs && same_bpf(gf, nf, gs, ns), "%s: the filters for %s differ", what,
				  stockade_arch_name(arch));
			free(gf);
			free(gs);
		}
	}
}

/* false if the text does not load (the same way both ways, or a failure) */
static bool compare_text(const char *what, const char *text)
{
	stockade_plan *fast = NULL, *slow = NULL;
	stockade_error *ef = load_text(text, true, &fast), *es = load_text(text, false, &slow);

	/* A text that does not load fails the same way both ways. */
	CHECK_MSG(!ef == !es && (!ef || !strcmp(ef->msg, es->msg)), "%s: %s vs %s", what,
		  ef ? ef->msg : "loads", es ? es->msg : "loads");
	if (fast && slow)
		compare(what, fast, slow);
	stockade_error_free(ef);
	stockade_error_free(es);
	bool loaded = fast && slow;
	stockade_plan_free(fast);
	stockade_plan_free(slow);
	return loaded;
}

TEST(preset_fast_texts_equal_slow_path)
{
	for (int f = 0; f < 2; f++) {
		no_fallback = f;
		for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
			CHECK_MSG(compare_text(texts[i], texts[i]), "%s: does not load", texts[i]);
	}
	no_fallback = false;
}

/* The fuzz corpus and regressions: every policy file tests/ has. */
TEST(preset_fast_corpus_equal_slow_path)
{
	static const char *const dirs[] = { "tests/fuzz/corpus/policy", "tests/fuzz/regressions/policy" };
	char src[4096];
	const char *slash = strrchr(__FILE__, '/');
	size_t files = 0, loaded = 0;

	/* tests/unit/THIS.c: the source tree is two levels up. */
	snprintf(src, sizeof(src), "%.*s/../..", slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		char dir[4200];
		DIR *dp;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "%s/%s", src, dirs[d]);
		if (!(dp = opendir(dir)))
			continue;
		while ((de = readdir(dp))) {
			char path[8400], *text = NULL;
			size_t len = 0;
			FILE *f;

			if (!strstr(de->d_name, ".yaml"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!(f = fopen(path, "r")))
				continue;
			FILE *m = open_memstream(&text, &len);
			for (int c; m && (c = fgetc(f)) != EOF;)
				fputc(c, m);
			if (m)
				fclose(m);
			fclose(f);
			/* (extends: a file or oci: beside it would be looked for
			 * beside test.yaml: the same failure both ways) */
			for (int fb = 0; text && fb < 2; fb++) {
				no_fallback = fb;
				loaded += compare_text(de->d_name, text);
			}
			no_fallback = false;
			free(text);
			files++;
		}
		closedir(dp);
	}
	if (!files)
		SKIP("the policy files under tests/fuzz are not where this binary was built from");
	CHECK_MSG(loaded >= files, "only %zu of %zu policy files load", loaded / 2, files);
}

/* The shortcut is taken: a file that changes nothing the filter is made of
 * loads agent's compiled-in filter; one that adds a TCP port does not. */
TEST(preset_fast_filter_reused_only_when_equal)
{
	stockade_plan *plan = NULL;
	stockade_error *err = load_text(texts[0], true, &plan);
	const struct sk_preset_blob *agent = sk_preset_blob_find("agent");

	CHECK(!err && plan && agent);
	if (plan && agent)
		CHECK_MSG(plan->bpf && same_bpf(plan->bpf, plan->bpf_len, agent->bpf, agent->bpf_len),
			  "a file that changes nothing does not load agent's filter");
	if (plan && agent)
		CHECK_MSG(plan->mbpf && agent->mbpf_len && same_bpf(plan->mbpf, plan->mbpf_len, agent->mbpf, agent->mbpf_len),
			  "a file that changes nothing does not load agent's notifying filter");
	stockade_error_free(err);
	stockade_plan_free(plan);
	err = load_text(texts[1], true, &plan);
	CHECK(!err && plan && !plan->bpf && !plan->mbpf);
	stockade_error_free(err);
	stockade_plan_free(plan);
	/* A syscall rule of its own: the filters are generated. */
	err = load_text(texts[9], true, &plan);
	CHECK(!err && plan && !plan->bpf && !plan->mbpf);
	stockade_error_free(err);
	stockade_plan_free(plan);
	/* Audit mode's filter notifies: never a preset's. */
	err = load_text("extends: agent\nseccomp:\n  mode: audit\n", true, &plan);
	CHECK(!err && plan && !plan->bpf && !plan->mbpf);
	stockade_error_free(err);
	stockade_plan_free(plan);
}

static int on_preset(const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	int ret = -1;

	if (stockade_policy_new(&p, NULL) == 0 && (p->tcp_fallback_unneeded = no_fallback, true) &&
	    stockade_policy_add_text(p, "test.yaml", text, strlen(text), NULL) == 0)
		ret = sk_plan_build_on_preset(p, &plan, NULL);
	CHECK_MSG((ret == 1) == (plan != NULL), "%s: %d", text, ret);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return ret;
}

/* The preset's plan is taken for a file that leaves the syscall and the
 * network rules alone, and only then (the comparisons above check it is
 * the same plan). */
TEST(preset_fast_plan_taken_only_when_it_applies)
{
	CHECK_INT_EQ(on_preset(texts[0]), 1);  /* mode none restated: the rules' origin moves */
	CHECK_INT_EQ(on_preset(texts[3]), 1);  /* nothing */
	CHECK_INT_EQ(on_preset(texts[4]), 1);  /* files, environment */
	CHECK_INT_EQ(on_preset("extends: strict\nfilesystem:\n  read: [/srv]\n"), 1);
	CHECK_INT_EQ(on_preset(texts[7]), 1);  /* mode full: agent's full variant */
	CHECK_INT_EQ(on_preset(texts[1]), 0);  /* a TCP port: a fallback plan to build */
	CHECK_INT_EQ(on_preset(texts[6]), 0);  /* mode unix: no variant */
	CHECK_INT_EQ(on_preset(texts[8]), 0);  /* a tcp_connect address under mode none: no variant */
	CHECK_INT_EQ(on_preset(texts[9]), 0);  /* seccomp.allow */
	CHECK_INT_EQ(on_preset("extends: agent\nseccomp:\n  mode: audit\n"), 0);
	/* As a run with Landlock TCP rules builds them: the variants. */
	no_fallback = true;
	CHECK_INT_EQ(on_preset(texts[0]), 1);
	CHECK_INT_EQ(on_preset(texts[1]), 1);  /* mode none + ports */
	CHECK_INT_EQ(on_preset(texts[2]), 0);  /* mode proxy before the CLI adds its address */
	CHECK_INT_EQ(on_preset(texts[26]), 1); /* ... and after */
	CHECK_INT_EQ(on_preset(texts[27]), 1); /* strict, proxy + address */
	CHECK_INT_EQ(on_preset("extends: strict\nnetwork:\n  tcp_connect: [443]\n"), 1);
	CHECK_INT_EQ(on_preset(texts[19]), 0); /* strict + seccomp.allow */
	CHECK_INT_EQ(on_preset("extends: agent\nnetwork:\n  mode: none\n  tcp_connect: [8000]\nlandlock: \"off\"\n"), 0);
	no_fallback = false;
	setenv("STOCKADE_NO_PRESET_CACHE", "1", 1);
	CHECK_INT_EQ(on_preset(texts[0]), 0);
	unsetenv("STOCKADE_NO_PRESET_CACHE");
}

/* Every preset's layer from its blob is the parsed one: same plan alone
 * (built from layers, not from the plan blobs), same strings. */
TEST(preset_fast_layers_equal_parsed)
{
	CHECK_INT_EQ(sk_layer_blobs_len, sk_presets_len);
	for (size_t i = 0; i < sk_presets_len; i++) {
		const struct sk_preset *ps = &sk_presets[i];
		struct sk_layer *a = NULL, *b = NULL;
		char *ea = NULL, *eb = NULL;
		struct sk_origin aa = { 0 }, ab = { 0 };

		CHECK_MSG(sk_preset_layer_load(ps, &a, &ea, &aa) == 0, "%s: no blob", ps->name);
		CHECK(sk_layer_parse_yaml(ps->file, ps->text, strlen(ps->text), &b, &eb, &ab, NULL) == 0);
		if (a && b) {
			CHECK_MSG(str_eq(a->file, b->file) && str_eq(a->text, b->text) && str_eq(a->name, b->name) &&
					  str_eq(a->description, b->description) && str_eq(ea, eb),
				  "%s: strings", ps->name);
			CHECK_MSG(a->nallow == b->nallow && a->ndeny == b->ndeny && a->nrules == b->nrules &&
					  a->nsockets == b->nsockets && a->ndevices == b->ndevices &&
					  a->nnet_allow == b->nnet_allow && a->net_mode == b->net_mode,
				  "%s: counts", ps->name);
			CHECK(origin_eq(ps->name, &aa, &ab));
			for (size_t k = 0; k < a->nrules && k < b->nrules; k++)
				CHECK_MSG(str_eq(a->rules[k].syscall, b->rules[k].syscall) &&
						  str_eq(a->rules[k].reason, b->rules[k].reason) &&
						  a->rules[k].nconds == b->rules[k].nconds &&
						  conds_eq(a->rules[k].conds, b->rules[k].conds, a->rules[k].nconds) &&
						  sk_action_eq(a->rules[k].action, b->rules[k].action) &&
						  origin_eq(ps->name, &a->rules[k].at, &b->rules[k].at),
					  "%s: rule %zu", ps->name, k);
		}
		sk_layer_free(a);
		sk_layer_free(b);
		free(ea);
		free(eb);
	}
	/* Each preset's plan built from its layers (not its plan blob): the
	 * texts above extend them, and `extends: P` alone is P. */
	for (size_t i = 0; i < sk_presets_len; i++) {
		char text[128];
		snprintf(text, sizeof(text), "extends: %s\n", sk_presets[i].name);
		CHECK(compare_text(sk_presets[i].name, text));
	}
}

TEST(preset_fast_layer_blob_corrupt_or_stale_is_refused)
{
	const struct sk_preset *ps = sk_preset_lookup("agent");
	const struct sk_layer_blob *b = NULL;
	uint64_t fp = ps ? sk_layer_blob_fingerprint(ps) : 0;
	struct sk_layer *l = NULL;
	char *ext = NULL;
	struct sk_origin at;
	unsigned char *copy;

	for (size_t i = 0; i < sk_layer_blobs_len; i++)
		if (!strcmp(sk_layer_blobs[i].preset, "agent"))
			b = &sk_layer_blobs[i];
	CHECK(ps && b);
	if (!ps || !b)
		return;
	CHECK_INT_EQ(sk_layer_blob_read(b->data, b->len, fp ^ 1, ps->text, &l, &ext, &at), -ESTALE);
	CHECK(!l && !ext);
	CHECK(sk_preset_layer_load(sk_preset_lookup("strict"), &l, &ext, &at) == 0 && l && ext && !strcmp(ext, "agent"));
	sk_layer_free(l);
	free(ext);
	l = NULL;
	ext = NULL;
	setenv("STOCKADE_NO_PRESET_CACHE", "1", 1);
	CHECK_INT_EQ(sk_preset_layer_load(ps, &l, &ext, &at), -ENOENT);
	unsetenv("STOCKADE_NO_PRESET_CACHE");
	/* Every truncation, and a flipped byte anywhere: refused or a layer,
	 * never a crash (ASan checks the rest). */
	copy = malloc(b->len);
	CHECK(copy != NULL);
	for (size_t n = 0; copy && n < b->len; n += 1 + n / 64) {
		memcpy(copy, b->data, n);
		CHECK_MSG(sk_layer_blob_read(copy, n, fp, ps->text, &l, &ext, &at) < 0, "truncated to %zu bytes: loaded",
			  n);
		sk_layer_free(l);
		free(ext);
		l = NULL;
		ext = NULL;
	}
	for (size_t i = 0; copy && i < b->len; i += 1 + i / 32) {
		memcpy(copy, b->data, b->len);
		copy[i] ^= 0xa5;
		sk_layer_blob_read(copy, b->len, fp, ps->text, &l, &ext, &at);
		sk_layer_free(l);
		free(ext);
		l = NULL;
		ext = NULL;
	}
	free(copy);
}
