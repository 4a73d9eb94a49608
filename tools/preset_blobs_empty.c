/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* No precomputed presets: the table of the stage-1 library that
 * tools/gen_presets.c links against to compute them (see the Makefile). */
#include "plan/preset_plans.h"

const struct sk_preset_blob sk_preset_blobs[1] = { { 0 } };
const size_t sk_preset_blobs_len = 0;
const struct sk_preset_variant sk_preset_variants[1] = { { 0 } };
const size_t sk_preset_variants_len = 0;

/* Nor their layers (policy/layer_blob.h): the generator parses them. */
#include "policy/layer_blob.h"

const struct sk_layer_blob sk_layer_blobs[1] = { { 0 } };
const size_t sk_layer_blobs_len = 0;

/* Nor their texts' hashes (policy/policy.h): computed when asked. */
#include "policy/policy.h"

const uint64_t sk_preset_text_hashes[1] = { 0 };
const size_t sk_preset_text_hashes_len = 0;
