/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans of the built-in presets, computed at build time (tools/gen_presets.c
 * writes build/gen/preset_blobs.c) so that a run whose policy is nothing but
 * built-in presets skips parsing their YAML and building the plan.
 *
 * A blob is a plan in a compact, versioned binary form (plan_blob.c): every
 * field of struct stockade_plan and its sandbox part, strings as numbers into
 * the plan's string table.  Loading checks every bound; a blob that does not
 * load, or whose fingerprint (the preset texts of its chain, the blob format
 * version, STOCKADE_VERSION and the libseccomp version) differs from this
 * library's, is not used: the policy is then parsed and built as usual.
 * STOCKADE_NO_PRESET_CACHE=1 in the environment turns the cache off.
 */
#ifndef STOCKADE_PLAN_BLOB_H
#define STOCKADE_PLAN_BLOB_H

#include "plan.h"

#define SK_PLAN_BLOB_VERSION 1

/* One precomputed plan: for the presets added in the order `key` lists them
 * ("strict,debug") to an empty policy. */
struct sk_preset_blob {
	const char *key;
	const char *chain; /* the presets whose layers it holds, bottom first ("agent,strict,debug") */
	const char *name;  /* stockade_policy_name() of that policy */
	const unsigned char *data; /* the fingerprint is in its header */
	size_t len;
};

/* The table (build/gen/preset_blobs.c, or tools/preset_blobs_empty.c for the
 * stage-1 library the generator links against). */
extern const struct sk_preset_blob sk_preset_blobs[];
extern const size_t sk_preset_blobs_len;

/* Serialize a plan into a malloc'd buffer.  -ENOTSUP if the plan points at a
 * string it does not own (nothing a blob could restore). */
int sk_plan_blob_write(const stockade_plan *plan, uint64_t fingerprint, unsigned char **out, size_t *len);
/* Rebuild a plan from a blob; -ESTALE if its fingerprint is not
 * `fingerprint`, -EINVAL for anything malformed, -ENOMEM. */
int sk_plan_blob_read(const unsigned char *data, size_t len, uint64_t fingerprint, stockade_plan **out);

/* The fingerprint of the presets of `chain` ("agent,strict") as this library
 * has them; 0 if one is unknown. */
uint64_t sk_preset_fingerprint(const char *chain);
/* The blob for `key` ("strict,debug") if its fingerprint is this library's;
 * NULL if none, stale, or the cache is off. */
const struct sk_preset_blob *sk_preset_blob_find(const char *key);
/* The plan of a blob sk_preset_blob_find() returned (and so checked the
 * fingerprint of); -errno if it does not load. */
int sk_preset_blob_load(const struct sk_preset_blob *blob, stockade_plan **out);
/* STOCKADE_NO_PRESET_CACHE=1 */
bool sk_preset_cache_disabled(void);

#endif
