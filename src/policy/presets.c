/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built-in presets: the policy documents under presets/, in the same YAML
 * a user writes, parsed by the same parser.  scripts/embed-presets.sh
 * compiles their text in; errors and origins name them by that path
 * (presets/agent.yaml:60:7), so `stockade show` and `explain` cite a line
 * anyone can open.
 */
#include <string.h>

#include "policy/policy.h"

/* build/gen/preset_texts.c */
extern const char sk_preset_yaml_agent[], sk_preset_yaml_debug[], sk_preset_yaml_gpu[], sk_preset_yaml_minimal[],
	sk_preset_yaml_none[], sk_preset_yaml_sealed_memfd[], sk_preset_yaml_strict[];

const struct sk_preset sk_presets[] = {
	{ "agent", "default: blocks escapes and risky kernel APIs, keeps dev tools working", NULL,
	  "presets/agent.yaml", sk_preset_yaml_agent },
	{ "debug", "overlay: re-allows ptrace, perf and ASLR-off personality for debuggers", "agent",
	  "presets/debug.yaml", sk_preset_yaml_debug },
	{ "gpu", "overlay: gives back the GPU devices (/dev/nvidia*, /dev/dri) for CUDA and DRI", "agent",
	  "presets/gpu.yaml", sk_preset_yaml_gpu },
	{ "minimal", "only the bubblewrap proposal's starter blocklist", NULL, "presets/minimal.yaml",
	  sk_preset_yaml_minimal },
	{ "none", "no syscall filter", NULL, "presets/none.yaml", sk_preset_yaml_none },
	{ "sealed-memfd", "overlay: memfd_create only with MFD_NOEXEC_SEAL", "agent", "presets/sealed-memfd.yaml",
	  sk_preset_yaml_sealed_memfd },
	{ "strict", "allow-list; unknown syscalls get ENOSYS; no memfd, no ptrace", NULL, "presets/strict.yaml",
	  sk_preset_yaml_strict },
};

const size_t sk_presets_len = ARRAY_SIZE(sk_presets);

const struct sk_preset *sk_preset_lookup(const char *name)
{
	for (size_t i = 0; i < sk_presets_len; i++)
		if (strcmp(sk_presets[i].name, name) == 0)
			return &sk_presets[i];
	return NULL;
}


uint64_t sk_preset_text_hash_of(const struct sk_preset *ps)
{
	uint64_t h = sk_hash64(0xcbf29ce484222325ull, ps->text, strlen(ps->text) + 1);

	return h ? h : 1;
}

uint64_t sk_preset_text_hash(const struct sk_preset *ps)
{
	/* Once a process where the build did not: both blob fingerprints
	 * of a run use it. */
	static uint64_t cache[16];
	size_t i = (size_t)(ps - sk_presets);
	bool builtin = ps >= sk_presets && i < sk_presets_len;
	bool cached = builtin && i < ARRAY_SIZE(cache);
	uint64_t h;

	if (builtin && i < sk_preset_text_hashes_len && sk_preset_text_hashes[i])
		return sk_preset_text_hashes[i];
	h = cached ? __atomic_load_n(&cache[i], __ATOMIC_RELAXED) : 0;
	if (h)
		return h;
	h = sk_preset_text_hash_of(ps);
	if (cached)
		__atomic_store_n(&cache[i], h, __ATOMIC_RELAXED);
	return h;
}
