/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layers as blobs (policy/layer_blob.h).  The format, all integers in host
 * byte order (a blob is only read by the binary it was built for):
 *
 *   blob    := "SKLB" u32:version u64:fingerprint str:extends origin:extends_at
 *              str:file str:name str:description
 *              image(struct sk_layer) u8:origin_flag*  array*
 *   array   := (image(element) u8:origin_flag str*)*   one per element, n from the image
 *   str     := u32:0 (NULL) | u32:len+1 bytes
 *   origin  := u8:flag i32:line i32:column
 *
 * An image is the struct's bytes with every pointer field cleared: the
 * scalars (flags, actions, conditions, modes, counts) travel as they are,
 * and the pointers are rebuilt on loading.  An origin's file is the layer's
 * own (flag 1) or NULL (flag 0): that is all the parser makes.
 *
 * A field added to struct sk_layer or to one of its list elements must be
 * looked at here: a scalar needs nothing, a pointer must be cleared and
 * rebuilt like the others.  The sizes below stop the build until someone
 * has (on LP64 targets, where they are known); a pointer added into a hole
 * of the struct, which leaves its size alone, is caught when the blobs are
 * written: an image with a word that looks like an address is refused
 * (looks_like_pointer), and the build stops there.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/layer_blob.h"

#define MAGIC "SKLB"

#if __SIZEOF_POINTER__ == 8 && __SIZEOF_LONG__ == 8
_Static_assert(sizeof(struct sk_layer) == 632, "struct sk_layer changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_name_ref) == 40, "struct sk_name_ref changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_rule) == 192, "struct sk_rule changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_path_ref) == 24, "struct sk_path_ref changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_port_ref) == 40, "struct sk_port_ref changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_host_ref) == 32, "struct sk_host_ref changed: update policy/layer_blob.c");
_Static_assert(sizeof(struct sk_host_pin) == 32, "struct sk_host_pin changed: update policy/layer_blob.c");
#endif

/* ---- what a layer points to ---- */

enum elem_type { E_NAME, E_RULE, E_PATH, E_PORT, E_HOST, E_PIN };

static const size_t elem_size[] = {
	[E_NAME] = sizeof(struct sk_name_ref), [E_RULE] = sizeof(struct sk_rule),
	[E_PATH] = sizeof(struct sk_path_ref), [E_PORT] = sizeof(struct sk_port_ref),
	[E_HOST] = sizeof(struct sk_host_ref), [E_PIN] = sizeof(struct sk_host_pin),
};

/* An element's strings (at most 2) and its origin. */
static size_t elem_fields(enum elem_type t, void *e, char **str[2], struct sk_origin **at)
{
	static struct sk_origin none;

	*at = &none; /* (every type sets it) */
	switch (t) {
	case E_NAME: {
		struct sk_name_ref *r = e;
		str[0] = &r->name;
		*at = &r->at;
		return 1;
	}
	case E_RULE: {
		struct sk_rule *r = e;
		str[0] = &r->syscall;
		str[1] = &r->reason;
		*at = &r->at;
		return 2;
	}
	case E_PATH: {
		struct sk_path_ref *r = e;
		str[0] = &r->path;
		*at = &r->at;
		return 1;
	}
	case E_PORT: {
		struct sk_port_ref *r = e;
		*at = &r->at;
		return 0;
	}
	case E_HOST: {
		struct sk_host_ref *r = e;
		str[0] = &r->pattern;
		*at = &r->at;
		return 1;
	}
	case E_PIN: {
		struct sk_host_pin *r = e;
		str[0] = &r->name;
		str[1] = &r->addr;
		*at = &r->at;
		return 2;
	}
	}
	return 0;
}

struct array {
	void **items;
	size_t *n;
	enum elem_type type;
};

#define MAX_ARRAYS (6 + SK_FS_NKINDS + SK_TCP_NDIRS + SK_ENV_NKINDS + 4)

/* Every list of a layer, in a fixed order. */
static size_t layer_arrays(struct sk_layer *l, struct array *a)
{
	size_t k = 0;

#define ARR(field, count, type) a[k++] = (struct array){ (void **)&l->field, &l->count, type }
	ARR(allow, nallow, E_NAME);
	ARR(deny, ndeny, E_NAME);
	ARR(rules, nrules, E_RULE);
	for (int i = 0; i < SK_FS_NKINDS; i++)
		ARR(fs[i], nfs[i], E_PATH);
	ARR(undeny, nundeny, E_PATH);
	ARR(devices, ndevices, E_PATH);
	for (int d = 0; d < SK_TCP_NDIRS; d++)
		ARR(tcp[d], ntcp[d], E_PORT);
	ARR(net_allow, nnet_allow, E_HOST);
	ARR(net_pins, nnet_pins, E_PIN);
	ARR(net_private, nnet_private, E_HOST);
	ARR(sockets, nsockets, E_PATH);
	for (int i = 0; i < SK_ENV_NKINDS; i++)
		ARR(env[i], nenv[i], E_PATH);
#undef ARR
	return k;
}

/* The layer's own strings, in a fixed order.  (Its text is not in the
 * blob: a loaded layer borrows the preset's, which is the same.) */
#define NSTRINGS 3
static void layer_strings(struct sk_layer *l, char **s[NSTRINGS])
{
	s[0] = &l->file;
	s[1] = &l->name;
	s[2] = &l->description;
}

/* The layer's origins outside its lists, in a fixed order. */
#define NORIGINS 10
static void layer_origins(struct sk_layer *l, struct sk_origin *o[NORIGINS])
{
	o[0] = &l->default_at;
	o[1] = &l->compat_at;
	o[2] = &l->mode_at;
	o[3] = &l->fs_at;
	o[4] = &l->devices_at;
	o[5] = &l->net_at;
	o[6] = &l->scope_at;
	o[7] = &l->landlock_at;
	o[8] = &l->caps_at;
	o[9] = &l->isolation_at;
}

/* ---- fingerprint ---- */


uint64_t sk_layer_blob_fingerprint(const struct sk_preset *ps)
{
	const size_t sizes[] = { sizeof(struct sk_layer), sizeof(struct sk_name_ref), sizeof(struct sk_rule),
				 sizeof(struct sk_path_ref), sizeof(struct sk_port_ref), sizeof(struct sk_host_ref),
				 sizeof(struct sk_host_pin) };
	const char head[] = MAGIC " " STOCKADE_VERSION;
	uint32_t version = SK_LAYER_BLOB_VERSION;
	uint64_t h = 0xcbf29ce484222325ull;

	h = sk_hash64(h, head, sizeof(head));
	h = sk_hash64(h, &version, sizeof(version));
	h = sk_hash64(h, sizes, sizeof(sizes));
	h = sk_hash64(h, ps->name, strlen(ps->name) + 1);
	h = sk_hash64(h, ps->file, strlen(ps->file) + 1);
	uint64_t text = sk_preset_text_hash(ps);
	h = sk_hash64(h, &text, sizeof(text));
	return h ? h : 1;
}

/* ---- writing ---- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int err;
};

static void put(struct wbuf *w, const void *data, size_t n)
{
	if (w->err)
		return;
	w->err = sk_bytes_append(&w->p, &w->len, &w->cap, 16384, data, n);
}

static void put_u8(struct wbuf *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put_str(struct wbuf *w, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;

	if (n > UINT32_MAX) {
		w->err = -E2BIG;
		return;
	}
	put_u32(w, (uint32_t)n);
	if (n)
		put(w, s, n - 1);
}

/* A word of a cleared image that could be an address: at or above 2^40
 * (the user half of every LP64 layout puts heap and data there; the
 * scalars of a layer are flags, enums, counts, line numbers and a
 * capability mask below 2^41, and conditions are skipped).  [skip,
 * skip + skip_len) holds values that may be anything. */
static bool looks_like_pointer(const void *img, size_t size, size_t skip, size_t skip_len)
{
	for (size_t off = 0; off + sizeof(uint64_t) <= size; off += sizeof(uint64_t)) {
		uint64_t v;

		if (off + sizeof(v) > skip && off < skip + skip_len)
			continue;
		memcpy(&v, (const unsigned char *)img + off, sizeof(v));
		if (v >> 40 && v >> 40 != 0xffffff) /* (small negative numbers are no address) */
			return true;
	}
	return false;
}

/* Clear an origin's file in an image, writing which it was. */
static void put_origin_flag(struct wbuf *w, const struct sk_layer *l, struct sk_origin *o)
{
	if (!o->file) {
		put_u8(w, 0);
	} else if (o->file == l->file || (l->file && strcmp(o->file, l->file) == 0)) {
		put_u8(w, 1);
	} else {
		w->err = -ENOTSUP;
	}
	o->file = NULL;
}

int sk_layer_blob_write(const struct sk_layer *l, const char *extends, const struct sk_origin *extends_at,
			uint64_t fingerprint, unsigned char **out, size_t *len)
{
	struct wbuf w = { 0 };
	struct sk_layer img, orig;
	struct array arr[MAX_ARRAYS], src[MAX_ARRAYS];
	struct sk_origin *origins[NORIGINS], at = extends_at ? *extends_at : (struct sk_origin){ 0 };
	char **strs[NSTRINGS];
	size_t narr;
	uint32_t version = SK_LAYER_BLOB_VERSION;

	*out = NULL;
	*len = 0;
	put(&w, MAGIC, 4);
	put_u32(&w, version);
	put(&w, &fingerprint, sizeof(fingerprint));
	put_str(&w, extends);
	put_origin_flag(&w, l, &at);
	put(&w, &at.line, sizeof(at.line));
	put(&w, &at.column, sizeof(at.column));

	memcpy(&img, l, sizeof(img));
	layer_strings(&img, strs);
	for (size_t i = 0; i < NSTRINGS; i++) {
		put_str(&w, *strs[i]);
		*strs[i] = NULL;
	}
	img.text = NULL;
	img.text_borrowed = false;
	/* (src: the real lists; arr: the image's, cleared) */
	memcpy(&orig, l, sizeof(orig));
	narr = layer_arrays(&orig, src);
	layer_arrays(&img, arr);
	for (size_t i = 0; i < narr; i++)
		*arr[i].items = NULL;
	layer_origins(&img, origins);
	{
		/* The flags go after the image, which must have the files cleared first. */
		uint8_t flags[NORIGINS];
		for (size_t i = 0; i < NORIGINS; i++) {
			flags[i] = !origins[i]->file ? 0 : 1;
			if (origins[i]->file && origins[i]->file != l->file && strcmp(origins[i]->file, l->file) != 0)
				w.err = -ENOTSUP;
			origins[i]->file = NULL;
		}
		if (looks_like_pointer(&img, sizeof(img), offsetof(struct sk_layer, caps_keep), sizeof(img.caps_keep)))
			w.err = -ENOTSUP; /* a pointer this file does not know: see the top */
		put(&w, &img, sizeof(img));
		put(&w, flags, sizeof(flags));
	}
	for (size_t i = 0; i < narr; i++) {
		size_t size = elem_size[src[i].type];
		union {
			struct sk_name_ref name;
			struct sk_rule rule;
			struct sk_path_ref path;
			struct sk_port_ref port;
			struct sk_host_ref host;
			struct sk_host_pin pin;
		} e;

		for (size_t k = 0; k < *src[i].n; k++) {
			char **s[2];
			struct sk_origin *o;
			const char *keep[2] = { 0 };
			size_t ns;

			memcpy(&e, (const unsigned char *)*src[i].items + k * size, size);
			ns = elem_fields(src[i].type, &e, s, &o);
			for (size_t j = 0; j < ns; j++) {
				keep[j] = *s[j];
				*s[j] = NULL;
			}
			{
				struct sk_origin e_at = *o;
				o->file = NULL;
				if (src[i].type == E_RULE ?
					    looks_like_pointer(&e, size, offsetof(struct sk_rule, conds), sizeof(e.rule.conds)) :
				    src[i].type == E_PORT ?
					    looks_like_pointer(&e, size, offsetof(struct sk_port_ref, addr),
							       sizeof(e.port.addr)) :
					    looks_like_pointer(&e, size, 0, 0))
					w.err = -ENOTSUP;
				put(&w, &e, size);
				put_origin_flag(&w, l, &e_at);
			}
			for (size_t j = 0; j < ns; j++)
				put_str(&w, keep[j]);
		}
	}
	if (w.err) {
		free(w.p);
		return w.err;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

/* ---- reading ---- */

struct rbuf {
	const unsigned char *p, *end;
	bool bad;
};

static bool get(struct rbuf *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

static uint8_t get_u8(struct rbuf *r)
{
	uint8_t v;

	get(r, &v, 1);
	return v;
}

static uint32_t get_u32(struct rbuf *r)
{
	uint32_t v;

	get(r, &v, sizeof(v));
	return v;
}

/* -EINVAL, -ENOMEM or 0 */
static int get_str(struct rbuf *r, char **out)
{
	uint32_t n = get_u32(r);

	*out = NULL;
	if (r->bad)
		return -EINVAL;
	if (n == 0)
		return 0;
	if ((size_t)(r->end - r->p) < n - 1 || memchr(r->p, '\0', n - 1)) {
		r->bad = true;
		return -EINVAL;
	}
	if (!(*out = malloc(n)))
		return -ENOMEM;
	memcpy(*out, r->p, n - 1);
	(*out)[n - 1] = '\0';
	r->p += n - 1;
	return 0;
}

static int get_origin_flag(struct rbuf *r, const struct sk_layer *l, struct sk_origin *o)
{
	uint8_t f = get_u8(r);

	if (r->bad || f > 1)
		return -EINVAL;
	o->file = f ? l->file : NULL;
	return 0;
}

/* What the plan builder indexes by: in range. */
static bool rule_ok(const struct sk_rule *r)
{
	if (r->nconds > SK_MAX_ARGS)
		return false;
	for (size_t i = 0; i < r->nconds; i++)
		if (r->conds[i].arg >= SK_MAX_ARGS || r->conds[i].op > SK_OP_MASKED_EQ)
			return false;
	return true;
}

int sk_layer_blob_read(const unsigned char *data, size_t len, uint64_t fingerprint, const char *text,
		       struct sk_layer **out, char **extends, struct sk_origin *extends_at)
{
	struct rbuf r = { data, data + len, false };
	struct sk_layer *l = NULL;
	struct array arr[MAX_ARRAYS];
	struct sk_origin *origins[NORIGINS], at = { 0 };
	char **strs[NSTRINGS], *ext = NULL, *owned[NSTRINGS] = { 0 };
	unsigned char magic[4];
	uint8_t at_flag, flags[NORIGINS];
	uint64_t fp;
	size_t narr;
	int ret = 0;

	*out = NULL;
	*extends = NULL;
	get(&r, magic, 4);
	if (r.bad || memcmp(magic, MAGIC, 4) != 0 || get_u32(&r) != SK_LAYER_BLOB_VERSION)
		return -EINVAL;
	get(&r, &fp, sizeof(fp));
	if (r.bad)
		return -EINVAL;
	if (fp != fingerprint)
		return -ESTALE;
	if ((ret = get_str(&r, &ext)) < 0)
		return ret;
	at_flag = get_u8(&r);
	get(&r, &at.line, sizeof(at.line));
	get(&r, &at.column, sizeof(at.column));
	for (size_t i = 0; ret == 0 && i < NSTRINGS; i++)
		ret = get_str(&r, &owned[i]);
	if (ret == 0 && !(l = malloc(sizeof(*l))))
		ret = -ENOMEM;
	if (ret == 0 && (!get(&r, l, sizeof(*l)) || !get(&r, flags, sizeof(flags))))
		ret = -EINVAL;
	if (ret < 0) {
		free(ext);
		for (size_t i = 0; i < NSTRINGS; i++)
			free(owned[i]);
		free(l);
		return ret;
	}
	/* From here on l is a layer sk_layer_free() can take: every pointer
	 * NULL (the image has them cleared) or owned. */
	layer_strings(l, strs);
	for (size_t i = 0; i < NSTRINGS; i++)
		*strs[i] = owned[i];
	/* (the text outlives every layer: a built-in preset's) */
	l->text = (char *)(uintptr_t)text;
	l->text_borrowed = text != NULL;
	narr = layer_arrays(l, arr);
	size_t counts[MAX_ARRAYS];
	for (size_t i = 0; i < narr; i++) {
		counts[i] = *arr[i].n;
		*arr[i].n = 0;
		*arr[i].items = NULL;
	}
	layer_origins(l, origins);
	for (size_t i = 0; i < NORIGINS; i++) {
		if (flags[i] > 1)
			ret = -EINVAL;
		origins[i]->file = flags[i] ? l->file : NULL;
	}
	if (!l->file || !l->text || at_flag > 1)
		ret = -EINVAL;
	for (size_t i = 0; ret == 0 && i < narr; i++) {
		size_t size = elem_size[arr[i].type];
		unsigned char *items;

		if (counts[i] == 0)
			continue;
		/* Each element takes at least its image: a count the blob
		 * cannot hold is malformed, not a huge allocation. */
		if (counts[i] > (size_t)(r.end - r.p) / size) {
			ret = -EINVAL;
			break;
		}
		if (!(items = calloc(counts[i], size))) {
			ret = -ENOMEM;
			break;
		}
		*arr[i].items = items;
		for (size_t k = 0; ret == 0 && k < counts[i]; k++) {
			void *e = items + k * size;
			char **s[2];
			struct sk_origin *o;
			size_t ns;

			if (!get(&r, e, size)) {
				memset(e, 0, size);
				ret = -EINVAL;
				break;
			}
			ns = elem_fields(arr[i].type, e, s, &o);
			for (size_t j = 0; j < ns; j++)
				*s[j] = NULL;
			(*arr[i].n)++;
			if (arr[i].type == E_RULE && !rule_ok(e))
				ret = -EINVAL;
			if (ret == 0)
				ret = get_origin_flag(&r, l, o);
			for (size_t j = 0; ret == 0 && j < ns; j++)
				ret = get_str(&r, s[j]);
		}
	}
	if (ret == 0 && r.p != r.end)
		ret = -EINVAL;
	if (ret < 0) {
		free(ext);
		sk_layer_free(l);
		return ret;
	}
	extends_at->file = at_flag ? l->file : NULL;
	extends_at->line = at.line;
	extends_at->column = at.column;
	*extends = ext;
	*out = l;
	return 0;
}

/* ---- the table ---- */

static bool cache_disabled(void)
{
	const char *e = getenv("STOCKADE_NO_PRESET_CACHE");

	return e && *e && strcmp(e, "0") != 0;
}

int sk_preset_layer_load(const struct sk_preset *ps, struct sk_layer **out, char **extends,
			 struct sk_origin *extends_at)
{
	*out = NULL;
	*extends = NULL;
	if (cache_disabled())
		return -ENOENT;
	for (size_t i = 0; i < sk_layer_blobs_len; i++)
		if (strcmp(sk_layer_blobs[i].preset, ps->name) == 0)
			return sk_layer_blob_read(sk_layer_blobs[i].data, sk_layer_blobs[i].len,
						  sk_layer_blob_fingerprint(ps), ps->text, out, extends, extends_at);
	return -ENOENT;
}
