/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Build-time tool: computes the plan of every built-in preset, alone and
 * with each overlay on top, through the normal path (parse, plan build), and
 * writes them as blobs (src/lib/plan/preset_plans.c) into a C file for the library:
 *
 *     gen_presets OUTPUT.c
 *
 * Linked against the stage-1 library, which has no blobs (see the Makefile).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan/preset_plans.h"
#include "policy/layer_blob.h"
#include "run/supervise.h"
#include "seccomp/seccomp.h"

static void put_bytes(FILE *f, const char *name, const unsigned char *data, size_t len)
{
	fprintf(f, "static const unsigned char %s[] = {", name);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%s0x%02x,", i % 16 ? " " : "\n\t", data[i]);
	fprintf(f, "\n};\n");
}

/* Preset `ps`'s layer as the parser makes it, as a blob (policy/layer_blob.h),
 * checked to load back into a layer that writes the same bytes. */
static int emit_layer(FILE *f, const struct sk_preset *ps, size_t idx, char *keys, size_t keysize)
{
	stockade_error *err = NULL;
	struct sk_layer *l = NULL, *back = NULL;
	char *ext = NULL, *ext2 = NULL, name[32];
	struct sk_origin at = { 0 }, at2 = { 0 };
	unsigned char *blob = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	uint64_t fp = sk_layer_blob_fingerprint(ps);
	int ret = sk_layer_parse_yaml(ps->file, ps->text, strlen(ps->text), &l, &ext, &at, &err);

	if (ret < 0) {
		fprintf(stderr, "gen_presets: %s: %s\n", ps->name, err && err->msg ? err->msg : strerror(-ret));
		goto out;
	}
	if ((ret = sk_layer_blob_write(l, ext, &at, fp, &blob, &len)) < 0) {
		fprintf(stderr, "gen_presets: %s: cannot serialize the layer: %s (a field policy/layer_blob.c does not know?)\n",
			ps->name, strerror(-ret));
		goto out;
	}
	if ((ret = sk_layer_blob_read(blob, len, fp, ps->text, &back, &ext2, &at2)) < 0 ||
	    (ret = sk_layer_blob_write(back, ext2, &at2, fp, &again, &len2)) < 0 || len2 != len ||
	    memcmp(blob, again, len)) {
		fprintf(stderr, "gen_presets: %s: the layer blob does not round-trip\n", ps->name);
		ret = -EINVAL;
		goto out;
	}
	snprintf(name, sizeof(name), "layer%zu", idx);
	fprintf(f, "\n/* %s: its layer, %zu bytes */\n", ps->name, len);
	put_bytes(f, name, blob, len);
	snprintf(keys + strlen(keys), keysize - strlen(keys), "\t{ \"%s\", %s, sizeof(%s) },\n", ps->name, name,
		 name);
out:
	stockade_error_free(err);
	sk_layer_free(l);
	sk_layer_free(back);
	free(ext);
	free(ext2);
	free(blob);
	free(again);
	return ret;
}

static int emit_variants(FILE *f, const char *key, const char *chain);

static int emit(FILE *f, size_t idx, const char *const *names, size_t nnames, char *keys, size_t keysize)
{
	stockade_error *err = NULL;
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL, *back = NULL;
	unsigned char *blob = NULL, *again = NULL, *fkey = NULL;
	size_t len = 0, len2 = 0, fkey_len = 0;
	char key[256] = "", chain[256] = "";
	uint64_t fp;
	int ret;

	if ((ret = stockade_policy_new(&p, &err)) < 0)
		goto fail;
	for (size_t i = 0; i < nnames; i++) {
		if ((ret = stockade_policy_add_preset(p, names[i], &err)) < 0)
			goto fail;
		snprintf(key + strlen(key), sizeof(key) - strlen(key), "%s%s", i ? "," : "", names[i]);
	}
	if ((ret = sk_policy_materialize(p, &err)) < 0)
		goto fail;
	if (p->nlayers == 0) {
		fprintf(stderr, "gen_presets: %s: no layers\n", key);
		ret = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct sk_layer *l = p->layers[i];
		const struct sk_preset *ps = NULL;

		for (size_t k = 0; l->builtin && k < sk_presets_len; k++)
			if (!strcmp(sk_presets[k].file, l->file))
				ps = &sk_presets[k];
		if (!ps) {
			fprintf(stderr, "gen_presets: %s: layer %s is not a preset\n", key, l->file);
			ret = -EINVAL;
			goto out;
		}
		snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s%s", i ? "," : "", ps->name);
	}
	/* The plan and its native filter (plan.h: bpf), so a run loads it as is. */
	if ((ret = stockade_plan_build(p, &plan, &err)) < 0 || (ret = sk_plan_attach_filters(plan, &err)) < 0)
		goto fail;
	/* And what its filter closes of the supervisor's pid fence. */
	sk_supervise_fence_attach(plan);
	fp = sk_preset_fingerprint(chain);
	if ((ret = sk_plan_blob_write(plan, fp, &blob, &len)) < 0) {
		fprintf(stderr, "gen_presets: %s: cannot serialize the plan: %s\n", key, strerror(-ret));
		goto out;
	}
	/* Self-check: the blob loads and serializes to the same bytes. */
	if ((ret = sk_plan_blob_read(blob, len, fp, &back)) < 0 ||
	    (ret = sk_plan_blob_write(back, fp, &again, &len2)) < 0 || len2 != len || memcmp(blob, again, len)) {
		fprintf(stderr, "gen_presets: %s: the blob does not round-trip\n", key);
		ret = -EINVAL;
		goto out;
	}
	fprintf(f, "\n/* %s: layers %s, %zu bytes */\n", key, chain, len);
	{
		char name[32];
		snprintf(name, sizeof(name), "blob%zu", idx);
		put_bytes(f, name, blob, len);
	}
	/* What a plan built from layers is compared with to take these
	 * filters (sk_plan_reuse_preset_filter). */
	if ((ret = sk_plan_filter_key(plan, &fkey, &fkey_len)) < 0) {
		fprintf(stderr, "gen_presets: %s: cannot write the filter key: %s\n", key, strerror(-ret));
		goto out;
	}
	{
		char name[32];
		snprintf(name, sizeof(name), "fkey%zu", idx);
		put_bytes(f, name, fkey, fkey_len);
		/* bpf, fbpf: the filters; mbpf, fmbpf: their notifying form
		 * for the usual mediation (seccomp.h). */
		for (int fb = 0; fb < 4; fb++) {
			static const char *const arrays[] = { "bpf", "fbpf", "mbpf", "fmbpf" };
			const stockade_plan *q = fb % 2 ? plan->net_fallback : plan;
			const struct sock_filter *insns = q ? (fb < 2 ? q->bpf : q->mbpf) : NULL;
			size_t n = q ? (fb < 2 ? q->bpf_len : q->mbpf_len) : 0;

			fprintf(f, "static const struct sock_filter %s%zu[] = {", arrays[fb], idx);
			for (size_t i = 0; i < n; i++)
				fprintf(f, "%s{ 0x%x, %u, %u, 0x%x },", i % 4 ? " " : "\n\t", insns[i].code, insns[i].jt,
					insns[i].jf, insns[i].k);
			fprintf(f, "%s};\n", n ? "\n" : " { 0 } ");
		}
	}
	snprintf(keys + strlen(keys), keysize - strlen(keys),
		 "\t{ \"%s\", \"%s\", \"%s\", blob%zu, sizeof(blob%zu), fkey%zu, sizeof(fkey%zu), bpf%zu, fbpf%zu, "
		 "%zu, %zu, mbpf%zu, fmbpf%zu, %zu, %zu, 0x%x, 0x%x, %s },\n",
		 key, chain, stockade_policy_name(p), idx, idx, idx, idx, idx, idx, plan->bpf_len,
		 plan->net_fallback ? plan->net_fallback->bpf_len : 0, idx, idx, plan->mbpf_len,
		 plan->net_fallback ? plan->net_fallback->mbpf_len : 0, plan->fence_closed,
		 plan->net_fallback ? plan->net_fallback->fence_closed : 0,
		 plan->fence_known && (!plan->net_fallback || plan->net_fallback->fence_known) ? "true" : "false");
	ret = emit_variants(f, key, chain);
	goto out;
fail:
	fprintf(stderr, "gen_presets: %s: %s\n", key, err && err->msg ? err->msg : strerror(-ret));
out:
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_plan_free(back);
	stockade_policy_free(p);
	free(blob);
	free(again);
	free(fkey);
	return ret;
}

/* The network variants of a chain (plan/preset_plans.h: sk_preset_variant):
 * the chain's presets in `key` and one text layer, as a run on a kernel
 * with Landlock TCP rules builds it (no fallback plan).  A variant that
 * does not build (a chain without a filter) is left out. */
static const struct {
	const char *tag, *text;
	enum sk_net_mode net;
	bool ports, addrs;
} variants[] = {
	{ "none+ports", "network:\n  mode: none\n  tcp_connect: [1]\n", SK_NET_NONE, true, false },
	{ "proxy+address", "network:\n  mode: proxy\n  tcp_connect: [\"127.0.0.1:1\"]\n", SK_NET_PROXY, true, true },
	{ "full", "network:\n  mode: full\n", SK_NET_FULL, false, false },
};

static int emit_variant(FILE *f, size_t idx, const char *key, const char *chain, size_t v, char *vkeys,
			size_t vkeysize)
{
	stockade_error *err = NULL;
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	unsigned char *blob = NULL;
	size_t len = 0;
	char buf[256], *save = NULL, name[32];
	int ret;

	snprintf(buf, sizeof(buf), "%s", key);
	if ((ret = stockade_policy_new(&p, &err)) < 0)
		goto out;
	for (char *n = strtok_r(buf, ",", &save); n && ret == 0; n = strtok_r(NULL, ",", &save))
		ret = stockade_policy_add_preset(p, n, &err);
	if (ret == 0)
		ret = stockade_policy_add_text(p, "<network variant>", variants[v].text, strlen(variants[v].text), &err);
	p->tcp_fallback_unneeded = true;
	if (ret == 0)
		ret = stockade_plan_build(p, &plan, &err);
	if (ret < 0 || plan->net_fallback || plan->access.net != variants[v].net) {
		ret = 0; /* not a variant this chain has */
		goto out;
	}
	if ((ret = sk_plan_attach_filters(plan, &err)) == 0)
		sk_supervise_fence_attach(plan);
	if (ret < 0 || (ret = sk_plan_blob_write(plan, sk_preset_fingerprint(chain), &blob, &len)) < 0) {
		fprintf(stderr, "gen_presets: %s+%s: %s\n", key, variants[v].tag,
			err && err->msg ? err->msg : strerror(-ret));
		goto out;
	}
	snprintf(name, sizeof(name), "vblob%zu", idx);
	fprintf(f, "\n/* %s+%s: %zu bytes */\n", key, variants[v].tag, len);
	put_bytes(f, name, blob, len);
	snprintf(vkeys + strlen(vkeys), vkeysize - strlen(vkeys),
		 "\t{ \"%s\", %d, %d, %d, { \"%s+%s\", \"%s\", \"%s\", %s, sizeof(%s), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false } },\n", chain,
		 (int)variants[v].net, variants[v].ports, variants[v].addrs, key, variants[v].tag, chain,
		 stockade_policy_name(p), name, name);
	ret = 1;
out:
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	free(blob);
	return ret;
}

static char vkeys[65536], vchains[4096];
static size_t nvariants;

/* For the presets a file extends alone (agent, strict, minimal, none; not
 * the overlays, whose combinations would double the binary's blobs). */
static int emit_variants(FILE *f, const char *key, const char *chain)
{
	const struct sk_preset *ps = sk_preset_lookup(key);
	char mark[300];

	if (!ps || ps->base)
		return 0;
	snprintf(mark, sizeof(mark), "|%s|", chain);
	if (strstr(vchains, mark))
		return 0;
	snprintf(vchains + strlen(vchains), sizeof(vchains) - strlen(vchains), "%s", mark);
	for (size_t v = 0; v < ARRAY_SIZE(variants); v++) {
		int ret = emit_variant(f, nvariants, key, chain, v, vkeys, sizeof(vkeys));
		if (ret < 0)
			return ret;
		nvariants += (size_t)ret;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char keys[16384], lkeys[4096];
	char tmp[4096];
	size_t n = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_presets OUTPUT.c\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if (!(f = fopen(tmp, "w"))) {
		perror(tmp);
		return 1;
	}
	fprintf(f, "/* SPDX-License-Identifier: LGPL-2.1-or-later */\n"
		   "/* Generated by tools/gen_presets.c: do not edit. */\n"
		   "#include \"plan/preset_plans.h\"\n"
		   "#include \"policy/layer_blob.h\"\n");
	for (size_t i = 0; i < sk_presets_len; i++)
		if (emit_layer(f, &sk_presets[i], i, lkeys, sizeof(lkeys)) < 0)
			goto fail;
	fprintf(f, "\nconst struct sk_layer_blob sk_layer_blobs[] = {\n%s};\n"
		   "const size_t sk_layer_blobs_len = %zu;\n", lkeys, sk_presets_len);
	/* Each preset alone (an overlay alone goes on its base), then each
	 * preset that is not an overlay with each overlay on top. */
	for (size_t i = 0; i < sk_presets_len; i++) {
		const char *one[] = { sk_presets[i].name };
		if (emit(f, n++, one, 1, keys, sizeof(keys)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < sk_presets_len; i++) {
		if (sk_presets[i].base)
			continue;
		for (size_t j = 0; j < sk_presets_len; j++) {
			const char *two[] = { sk_presets[i].name, sk_presets[j].name };
			if (!sk_presets[j].base)
				continue;
			if (emit(f, n++, two, 2, keys, sizeof(keys)) < 0)
				goto fail;
		}
	}
	fprintf(f, "\nconst struct sk_preset_blob sk_preset_blobs[] = {\n%s};\n"
		   "const size_t sk_preset_blobs_len = %zu;\n", keys, n);
	fprintf(f, "\nconst struct sk_preset_variant sk_preset_variants[] = {\n%s};\n"
		   "const size_t sk_preset_variants_len = %zu;\n", nvariants ? vkeys : "\t{ 0 }\n", nvariants);
	/* Their texts' hashes, computed here rather than at every run
	 * (policy/policy.h: sk_preset_text_hash; the unit tests compare). */
	fprintf(f, "\n#include \"policy/policy.h\"\n\nconst uint64_t sk_preset_text_hashes[] = {");
	for (size_t i = 0; i < sk_presets_len; i++)
		fprintf(f, "%s0x%016llxull,", i % 3 ? " " : "\n\t", (unsigned long long)sk_preset_text_hash(&sk_presets[i]));
	fprintf(f, "\n};\nconst size_t sk_preset_text_hashes_len = %zu;\n", sk_presets_len);
	if (fclose(f) != 0 || rename(tmp, argv[1]) < 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
fail:
	fclose(f);
	remove(tmp);
	return 1;
}
