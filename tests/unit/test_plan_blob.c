/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The precomputed plans of the built-in presets (plan/preset_plans.h): for every
 * preset and overlay pair, the plan loaded from its blob equals the plan
 * parsed and built as usual, field by field, compiles to the same BPF and
 * carries that BPF for the native architecture;
 * `stockade show` prints the same with and without the cache; a corrupt or
 * stale blob is not used.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plan/preset_plans.h"
#include "plan_eq.h"

/* The plan of the presets in `key`, through the cache or not. */
static stockade_plan *build(const char *key, bool cached)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	char buf[256], *save = NULL;

	if (!cached)
		setenv("STOCKADE_NO_PRESET_CACHE", "1", 1);
	snprintf(buf, sizeof(buf), "%s", key);
	CHECK(stockade_policy_new(&p, NULL) == 0);
	for (char *n = strtok_r(buf, ",", &save); p && n; n = strtok_r(NULL, ",", &save))
		CHECK(stockade_policy_add_preset(p, n, NULL) == 0);
	CHECK_MSG(p && (sk_preset_blob_for(p) != NULL) == cached, "%s: %s", key,
		  cached ? "not from the cache" : "from the cache");
	CHECK(p && stockade_plan_build(p, &plan, NULL) == 0);
	stockade_policy_free(p);
	unsetenv("STOCKADE_NO_PRESET_CACHE");
	return plan;
}

static void bpf_same(const char *key, const stockade_plan *a, const stockade_plan *b, uint32_t arch)
{
	void *pa = NULL, *pb = NULL;
	size_t la = 0, lb = 0;

	CHECK(stockade_plan_compile_bpf(a, arch, &pa, &la, NULL) == 0);
	CHECK(stockade_plan_compile_bpf(b, arch, &pb, &lb, NULL) == 0);
	CHECK_MSG(la == lb && pa && pb && !memcmp(pa, pb, la), "%s: BPF for %s differs", key, stockade_arch_name(arch));
	free(pa);
	free(pb);
}

/* The filter a blob carries is the one the slow path generates now. */
static void cached_bpf_fresh(const char *key, const stockade_plan *fast, const stockade_plan *slow)
{
	for (; fast && slow; fast = fast->net_fallback, slow = slow->net_fallback) {
		void *p = NULL;
		size_t len = 0;

		CHECK_MSG(!slow->bpf, "%s: a plan built from YAML has no filter yet", key);
		if (!fast->seccomp_enabled) {
			CHECK_MSG(!fast->bpf, "%s: a filter for a plan without one", key);
			continue;
		}
		CHECK(stockade_plan_compile_bpf(slow, 0, &p, &len, NULL) == 0);
		CHECK_MSG(fast->bpf && fast->bpf_len * sizeof(*fast->bpf) == len && !memcmp(fast->bpf, p, len),
			  "%s: the blob's filter is not the one generated now (%zu vs %zu instructions)", key,
			  fast->bpf_len, len / sizeof(*fast->bpf));
		free(p);
	}
}

TEST(plan_blob_presets_equal_slow_path)
{
	CHECK(sk_preset_blobs_len > 0);
	for (size_t i = 0; i < sk_preset_blobs_len; i++) {
		const char *key = sk_preset_blobs[i].key;
		stockade_plan *fast = build(key, true), *slow = build(key, false);

		if (fast && slow) {
			CHECK(plan_eq(key, fast, slow));
			CHECK_MSG(fast->nstrings == 0, "%s: the built-in blob's strings were copied", key);
			cached_bpf_fresh(key, fast, slow);
			/* What follows changes the plans: the cached filters no longer apply. */
			for (stockade_plan *q = fast; q; q = q->net_fallback) {
				free(q->bpf);
				q->bpf = NULL;
				q->bpf_len = 0;
			}
			for (int compat = 0; compat < 2; compat++) {
				fast->compat = slow->compat = compat ? SK_COMPAT_FILTER : SK_COMPAT_REFUSE;
				bpf_same(key, fast, slow, SCMP_ARCH_X86_64);
				bpf_same(key, fast, slow, SCMP_ARCH_AARCH64);
			}
		}
		stockade_plan_free(fast);
		stockade_plan_free(slow);
	}
}

TEST(plan_blob_policy_name_and_layers)
{
	stockade_policy *p = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "strict", NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "debug", NULL) == 0);
	CHECK_INT_EQ(p->npending, 2);
	CHECK(!strcmp(stockade_policy_name(p), "debug"));
	/* Anything else on top parses them first, in order. */
	CHECK(stockade_policy_allow(p, "ptrace", NULL) == 0);
	CHECK_INT_EQ(p->npending, 0);
	CHECK_INT_EQ(p->nlayers, 4);
	if (p->nlayers == 4)
		CHECK(!strcmp(p->layers[0]->file, "presets/agent.yaml") && !strcmp(p->layers[1]->file, "presets/strict.yaml") &&
		      !strcmp(p->layers[2]->file, "presets/debug.yaml") && !strcmp(p->layers[3]->file, "command line"));
	CHECK(!strcmp(stockade_policy_name(p), "debug"));
	stockade_policy_free(p);
	/* An unknown preset is refused as before, and nothing is pending. */
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_preset(p, "agnet", NULL), -ENOENT);
	CHECK_INT_EQ(p->npending + p->nlayers, 0);
	stockade_policy_free(p);
}

/* The build hashed the preset texts with the blobs (gen_presets): the
 * texts compiled in are the ones hashed, each of them. */
TEST(preset_text_hashes_are_the_texts)
{
	CHECK_INT_EQ(sk_preset_text_hashes_len, sk_presets_len);
	for (size_t i = 0; i < sk_presets_len && i < sk_preset_text_hashes_len; i++) {
		CHECK(sk_preset_text_hashes[i] != 0);
		CHECK(sk_preset_text_hashes[i] == sk_preset_text_hash_of(&sk_presets[i]));
		CHECK(sk_preset_text_hash(&sk_presets[i]) == sk_preset_text_hashes[i]);
	}
	/* Another text, another hash. */
	struct sk_preset other = sk_presets[0];
	other.text = "version: 1\nname: other\n";
	CHECK(sk_preset_text_hash(&other) != sk_preset_text_hashes[0]);
}

TEST(plan_blob_corrupt_or_stale_is_refused)
{
	const struct sk_preset_blob *b = sk_preset_blob_find("agent");
	uint64_t fp = sk_preset_fingerprint("agent");
	stockade_plan *plan = NULL, *slow = build("agent", false);
	unsigned char *copy;

	CHECK(b != NULL);
	if (!b || !slow)
		goto out;
	CHECK(sk_plan_blob_read(b->data, b->len, fp, &plan) == 0);
	stockade_plan_free(plan);
	plan = NULL;
	/* A changed preset text changes the fingerprint. */
	CHECK_INT_EQ(sk_plan_blob_read(b->data, b->len, fp ^ 1, &plan), -ESTALE);
	CHECK(plan == NULL);
	CHECK(sk_preset_fingerprint("agent,strict") != fp && sk_preset_fingerprint("nosuch") == 0);
	/* Every truncation, and a flipped byte anywhere: refused or a plan,
	 * never a crash (ASan checks the rest). */
	copy = malloc(b->len);
	CHECK(copy != NULL);
	for (size_t n = 0; copy && n < b->len; n += 1 + n / 64) {
		memcpy(copy, b->data, n);
		CHECK_MSG(sk_plan_blob_read(copy, n, fp, &plan) < 0, "truncated to %zu bytes: loaded", n);
		stockade_plan_free(plan);
		plan = NULL;
	}
	for (size_t i = 0; copy && i < b->len; i += 1 + i / 32) {
		memcpy(copy, b->data, b->len);
		copy[i] ^= 0xa5;
		if (sk_plan_blob_read(copy, b->len, fp, &plan) == 0) {
			void *prog = NULL;
			size_t len = 0;
			stockade_plan_compile_bpf(plan, SCMP_ARCH_X86_64, &prog, &len, NULL);
			free(prog);
		}
		stockade_plan_free(plan);
		plan = NULL;
	}
	free(copy);
	/* The empty table of the stage-1 library, and a missing key. */
	CHECK(sk_preset_blob_find("agent,agent") == NULL);
	setenv("STOCKADE_NO_PRESET_CACHE", "1", 1);
	CHECK(sk_preset_blob_find("agent") == NULL);
	unsetenv("STOCKADE_NO_PRESET_CACHE");
out:
	stockade_plan_free(slow);
}

/* A blob that does not load: stockade_plan_build parses the presets. */
TEST(plan_blob_fallback_builds)
{
	static const unsigned char junk[] = "SKPB junk";
	static struct sk_preset_blob bad;
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL, *slow = build("strict", false);

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "strict", NULL) == 0);
	CHECK_INT_EQ(p->npending, 1);
	CHECK(sk_preset_blob_for(p) != NULL);
	bad = *sk_preset_blob_for(p);
	bad.data = junk;
	bad.len = sizeof(junk);
	CHECK(sk_plan_build_pending(p, &bad, &plan, NULL) == 0);
	/* (Parsed, the presets are layers again, whose plan may come from
	 * the table's own blob, plan/preset_file.c: its fields are compared.) */
	plan_eq_tables = false;
	CHECK(plan && slow && plan_eq("strict (fallback)", plan, slow));
	plan_eq_tables = true;
	stockade_plan_free(plan);
	stockade_plan_free(slow);
	stockade_policy_free(p);
}

static char *run_show(const char *args, bool cached)
{
	const char *bin = getenv("STOCKADE");
	char cmd[1024], *out = NULL;
	size_t len = 0;
	FILE *f, *m;

	snprintf(cmd, sizeof(cmd), "%s'%s' show %s 2>&1", cached ? "" : "STOCKADE_NO_PRESET_CACHE=1 ", bin, args);
	if (!(f = popen(cmd, "r")))
		return NULL;
	m = open_memstream(&out, &len);
	for (int c; m && (c = fgetc(f)) != EOF;)
		fputc(c, m);
	if (m)
		fclose(m);
	pclose(f);
	return out;
}

TEST(plan_blob_show_identical)
{
	static const char *const args[] = { "", "--preset strict", "--preset strict --preset debug",
					    "--preset sealed-memfd", "--preset none", "--preset minimal --preset debug",
					    "--preset agent --arch aarch64" };
	const char *bin = getenv("STOCKADE");

	if (!bin || access(bin, X_OK) != 0)
		SKIP("no stockade binary ($STOCKADE)");
	for (size_t i = 0; i < ARRAY_SIZE(args); i++) {
		char *a = run_show(args[i], true), *b = run_show(args[i], false);
		CHECK_MSG(a && b && strlen(a) > 20 && !strcmp(a, b), "show %s differs", args[i]);
		free(a);
		free(b);
	}
}
