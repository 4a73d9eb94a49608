/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in presets' layers, parsed at build time (tools/gen_presets.c
 * writes them into build/gen/preset_blobs.c beside the plans): a policy
 * file that `extends: agent` gets agent's layer from its blob instead of
 * parsing 16 KiB of YAML on every run (~0.4 ms; libyaml reads a text
 * twice, once for its nesting and once for the document).
 *
 * A blob is the layer as the parser left it, in a versioned binary form
 * (policy/layer_blob.c): its struct image with the pointers taken out, and
 * each list and string after it.  Loading checks every bound; a blob whose
 * fingerprint (the preset's name, file and text, the format version, the
 * layout of struct sk_layer, STOCKADE_VERSION) is not this library's is
 * not used: the preset is then parsed.  STOCKADE_NO_PRESET_CACHE=1 turns
 * these off too.
 */
#ifndef STOCKADE_LAYER_BLOB_H
#define STOCKADE_LAYER_BLOB_H

#include "policy/policy.h"

#define SK_LAYER_BLOB_VERSION 1

struct sk_layer_blob {
	const char *preset; /* its name, "agent" */
	const unsigned char *data;
	size_t len;
};

/* The table (build/gen/preset_blobs.c; empty in the stage-1 library). */
extern const struct sk_layer_blob sk_layer_blobs[];
extern const size_t sk_layer_blobs_len;

/* The fingerprint a blob of preset `ps` carries. */
uint64_t sk_layer_blob_fingerprint(const struct sk_preset *ps);
/* Serialize a layer as sk_layer_parse_yaml() returned it, with what it
 * extends (NULL if nothing); malloc'd into *out.  -ENOTSUP if an origin
 * names another file than the layer's. */
int sk_layer_blob_write(const struct sk_layer *l, const char *extends, const struct sk_origin *extends_at,
			uint64_t fingerprint, unsigned char **out, size_t *len);
/* The layer back, as sk_layer_parse_yaml() would return it from `text`
 * (extends_at points at the layer's file), borrowing `text`, which must
 * outlive it (a built-in preset's); -ESTALE for another fingerprint,
 * -EINVAL for anything malformed (or no text), -ENOMEM. */
int sk_layer_blob_read(const unsigned char *data, size_t len, uint64_t fingerprint, const char *text,
		       struct sk_layer **out, char **extends, struct sk_origin *extends_at);
/* The layer of built-in preset `ps` from the table: 0, or -ENOENT when
 * there is none (or the cache is off), -ESTALE, -EINVAL, -ENOMEM; the
 * caller then parses the preset's text. */
int sk_preset_layer_load(const struct sk_preset *ps, struct sk_layer **out, char **extends,
			 struct sk_origin *extends_at);

#endif
