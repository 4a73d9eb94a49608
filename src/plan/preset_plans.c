/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans as blobs (plan/preset_plans.h).  The format, all integers in host byte order
 * (a blob is only read by the binary it was built for):
 *
 *   blob   := "SKPB" u32:version u64:fingerprint plan
 *   plan   := strings str:name u8:seccomp_enabled u8:audit origin:audit_at
 *             action:default origin:default_at u32:compat
 *             origin:compat_at u32:nentries entry* access u8:has_fallback plan?
 *   strings:= u32:n str*                   the plan's string table, in order
 *   str    := u32:len bytes NUL
 *   ref    := u32                          0 = NULL, else string number + 1
 *   origin := ref i32:line i32:column
 *   action := u32:type i32:errnum
 *   entry  := ref:name u8:has_base action origin:base_at ref:via u32:nrules
 *             rule* region:base_region
 *   rule   := u8:nconds cond* action origin ref:reason region
 *   region := u32:nterms (u8:n cond*)*
 *   cond   := u8:arg u8:op u64:mask u64:value
 *   access := u32:landlock origin u8:fs u8:broad_write u32:npaths (ref u32:kind u64:layer
 *             origin)* u32:net origin origin:tcp_at (u32:n u16*)[2] u8:tcp_handled[2]
 *             u8:tcp_sockets u8:scope_signals u8:scope_abstract origin
 *             u8:caps u64:caps_keep origin u32:isolation origin
 *             u32:nsockets (ref origin)*
 *             u32:nenv (ref u32:kind origin)*
 *   bpf    := u32:n (u16 u8 u8 u32)*       the native filter, n = 0 if none
 *   mbpf   := bpf                          its notifying form for the usual
 *                                          mediation (plan.h: mbpf), n = 0 if none
 *   fence  := u8:known u32:closed          plan.h: fence_closed
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "plan/preset_plans.h"

#define MAGIC "SKPB"

/* ---- writing ---- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int err;
	/* Compare mode: the bytes are compared with ref instead of kept
	 * (len: how many matched; chunk: the next ones, not compared yet). */
	const unsigned char *ref;
	size_t ref_len, pending;
	bool differs;
	unsigned char chunk[512];
};

static void flush_cmp(struct wbuf *w)
{
	if (!w->differs && (w->pending > w->ref_len - w->len || memcmp(w->ref + w->len, w->chunk, w->pending) != 0))
		w->differs = true;
	if (!w->differs)
		w->len += w->pending;
	w->pending = 0;
}

static void put(struct wbuf *w, const void *data, size_t n)
{
	if (w->ref) {
		/* The pieces are a few bytes long: gathered, and compared a
		 * chunk at a time (flush_cmp). */
		if (w->differs)
			return;
		if (w->pending + n > sizeof(w->chunk)) {
			flush_cmp(w);
			if (w->differs)
				return;
		}
		if (n > sizeof(w->chunk)) {
			if (n > w->ref_len - w->len || memcmp(w->ref + w->len, data, n) != 0)
				w->differs = true;
			else
				w->len += n;
			return;
		}
		memcpy(w->chunk + w->pending, data, n);
		w->pending += n;
		return;
	}
	if (w->err)
		return;
	w->err = sk_bytes_append(&w->p, &w->len, &w->cap, 4096, data, n);
}

#define PUT(w, type, v)                                                                                        \
	do {                                                                                                   \
		type _v = (type)(v);                                                                           \
		put(w, &_v, sizeof(_v));                                                                       \
	} while (0)

static void put_ref(struct wbuf *w, const stockade_plan *plan, const char *s)
{
	if (!s) {
		PUT(w, uint32_t, 0);
		return;
	}
	for (size_t i = 0; i < plan->nstrings; i++)
		if (plan->strings[i] == s) {
			PUT(w, uint32_t, i + 1);
			return;
		}
	w->err = -ENOTSUP; /* not the plan's own string */
}

static void put_origin(struct wbuf *w, const stockade_plan *plan, const struct sk_origin *o)
{
	put_ref(w, plan, o->file);
	PUT(w, int32_t, o->line);
	PUT(w, int32_t, o->column);
}

static void put_action(struct wbuf *w, struct sk_action a)
{
	PUT(w, uint32_t, a.type);
	PUT(w, int32_t, a.errnum);
}

static void put_conds(struct wbuf *w, const struct sk_cond *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		PUT(w, uint8_t, c[i].arg);
		PUT(w, uint8_t, c[i].op);
		PUT(w, uint64_t, c[i].mask);
		PUT(w, uint64_t, c[i].value);
	}
}

static void put_region(struct wbuf *w, const struct sk_region *r)
{
	PUT(w, uint32_t, r->n);
	for (size_t i = 0; i < r->n; i++) {
		PUT(w, uint8_t, r->terms[i].n);
		put_conds(w, r->terms[i].c, r->terms[i].n);
	}
}

static void put_plan(struct wbuf *w, const stockade_plan *plan)
{
	const struct sk_plan_access *sb = &plan->access;

	PUT(w, uint32_t, plan->nstrings);
	for (size_t i = 0; i < plan->nstrings; i++) {
		PUT(w, uint32_t, strlen(plan->strings[i]));
		put(w, plan->strings[i], strlen(plan->strings[i]) + 1);
	}
	PUT(w, uint32_t, strlen(plan->name));
	put(w, plan->name, strlen(plan->name) + 1);
	PUT(w, uint8_t, plan->seccomp_enabled);
	PUT(w, uint8_t, plan->audit);
	put_origin(w, plan, &plan->audit_at);
	put_action(w, plan->default_action);
	put_origin(w, plan, &plan->default_at);
	PUT(w, uint32_t, plan->compat);
	put_origin(w, plan, &plan->compat_at);
	PUT(w, uint32_t, plan->nentries);
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		put_ref(w, plan, e->name);
		PUT(w, uint8_t, e->has_base);
		put_action(w, e->base);
		put_origin(w, plan, &e->base_at);
		put_ref(w, plan, e->via);
		PUT(w, uint32_t, e->nrules);
		for (size_t j = 0; j < e->nrules; j++) {
			const struct sk_plan_rule *r = &e->rules[j];
			PUT(w, uint8_t, r->nconds);
			put_conds(w, r->conds, r->nconds);
			put_action(w, r->action);
			put_origin(w, plan, &r->at);
			put_ref(w, plan, r->reason);
			put_region(w, &r->region);
		}
		put_region(w, &e->base_region);
	}
	PUT(w, uint32_t, sb->landlock);
	put_origin(w, plan, &sb->landlock_at);
	PUT(w, uint8_t, sb->fs);
	PUT(w, uint8_t, sb->broad_write);
	PUT(w, uint32_t, sb->npaths);
	for (size_t i = 0; i < sb->npaths; i++) {
		put_ref(w, plan, sb->paths[i].path);
		PUT(w, uint32_t, sb->paths[i].kind);
		PUT(w, uint64_t, sb->paths[i].layer);
		put_origin(w, plan, &sb->paths[i].at);
	}
	PUT(w, uint32_t, sb->net);
	put_origin(w, plan, &sb->net_at);
	put_origin(w, plan, &sb->tcp_at);
	for (int d = 0; d < SK_TCP_NDIRS; d++) {
		PUT(w, uint32_t, sb->ntcp[d]);
		for (size_t i = 0; i < sb->ntcp[d]; i++)
			PUT(w, uint16_t, sb->tcp[d][i]);
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++)
		PUT(w, uint8_t, sb->tcp_handled[d]);
	PUT(w, uint8_t, sb->tcp_sockets);
	PUT(w, uint8_t, sb->scope_signals);
	PUT(w, uint8_t, sb->scope_abstract);
	put_origin(w, plan, &sb->scope_at);
	PUT(w, uint8_t, sb->caps);
	PUT(w, uint64_t, sb->caps_keep);
	put_origin(w, plan, &sb->caps_at);
	PUT(w, uint32_t, sb->isolation);
	put_origin(w, plan, &sb->isolation_at);
	PUT(w, uint32_t, sb->nsockets);
	for (size_t i = 0; i < sb->nsockets; i++) {
		put_ref(w, plan, sb->sockets[i].path);
		put_origin(w, plan, &sb->sockets[i].at);
	}
	PUT(w, uint32_t, sb->nenv);
	for (size_t i = 0; i < sb->nenv; i++) {
		put_ref(w, plan, sb->env[i].text);
		PUT(w, uint32_t, sb->env[i].kind);
		put_origin(w, plan, &sb->env[i].at);
	}
	PUT(w, uint32_t, plan->bpf_len);
	if (plan->bpf_len)
		put(w, plan->bpf, plan->bpf_len * sizeof(*plan->bpf));
	PUT(w, uint32_t, plan->mbpf_len);
	if (plan->mbpf_len)
		put(w, plan->mbpf, plan->mbpf_len * sizeof(*plan->mbpf));
	PUT(w, uint8_t, plan->fence_known);
	PUT(w, uint32_t, plan->fence_closed);
	PUT(w, uint8_t, plan->net_fallback != NULL);
	if (plan->net_fallback)
		put_plan(w, plan->net_fallback);
}

/*
 * The filter key: everything of a plan its seccomp filter is generated
 * from (bpf_gen.c reads no other field), origins and reasons left out.
 * Two plans with the same key get the same filter, byte for byte.
 *
 *   key    := u8:seccomp_enabled u8:audit action:default u32:compat
 *             u32:nentries (str:name u8:has_base action:base u32:nrules
 *             (u8:nconds cond* action region)* region:base_region)*
 *             u8:has_fallback key?
 *   str    := u32:len bytes
 */
static void put_filter_key(struct wbuf *w, const stockade_plan *plan)
{
	PUT(w, uint8_t, plan->seccomp_enabled);
	PUT(w, uint8_t, plan->audit);
	put_action(w, plan->default_action);
	PUT(w, uint32_t, plan->compat);
	PUT(w, uint32_t, plan->nentries);
	for (size_t i = 0; i < plan->nentries && !w->differs; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		size_t n = strlen(e->name);

		PUT(w, uint32_t, n);
		put(w, e->name, n);
		PUT(w, uint8_t, e->has_base);
		put_action(w, e->base);
		PUT(w, uint32_t, e->nrules);
		for (size_t j = 0; j < e->nrules; j++) {
			const struct sk_plan_rule *r = &e->rules[j];
			PUT(w, uint8_t, r->nconds);
			put_conds(w, r->conds, r->nconds);
			put_action(w, r->action);
			put_region(w, &r->region);
		}
		put_region(w, &e->base_region);
	}
	PUT(w, uint8_t, plan->net_fallback != NULL);
	if (plan->net_fallback)
		put_filter_key(w, plan->net_fallback);
}

int sk_plan_filter_key(const stockade_plan *plan, unsigned char **out, size_t *len)
{
	struct wbuf w = { 0 };

	put_filter_key(&w, plan);
	if (w.err) {
		free(w.p);
		return w.err;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

bool sk_plan_filter_key_is(const stockade_plan *plan, const unsigned char *key, size_t len)
{
	struct wbuf w = { .ref = key, .ref_len = len };

	put_filter_key(&w, plan);
	flush_cmp(&w);
	return !w.differs && w.len == len;
}

int sk_plan_blob_write(const stockade_plan *plan, uint64_t fingerprint, unsigned char **out, size_t *len)
{
	struct wbuf w = { 0 };

	put(&w, MAGIC, 4);
	PUT(&w, uint32_t, SK_PLAN_BLOB_VERSION);
	PUT(&w, uint64_t, fingerprint);
	put_plan(&w, plan);
	if (w.err) {
		free(w.p);
		return w.err;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

/* ---- reading: every read checks its bounds; the first failure sticks ---- */

struct rbuf {
	const unsigned char *p;
	size_t len, off;
	int err;
	stockade_plan *plan;
	const char **strs; /* string number -> the plan's copy, or the blob's own */
	size_t nstrs;
	bool borrow; /* the data outlives the plan: point into it, copy nothing */
};

/* Inlined, so that the fixed-size reads below compile to a bounds check and
 * a load rather than a call to memcpy() (musl's is not built for 4 bytes). */
static inline __attribute__((always_inline)) bool get(struct rbuf *r, void *dst, size_t n)
{
	if (r->err || n > r->len - r->off) {
		if (!r->err)
			r->err = -EINVAL;
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

static uint8_t get8(struct rbuf *r)
{
	uint8_t v;
	get(r, &v, sizeof(v));
	return v;
}
static uint16_t get16(struct rbuf *r)
{
	uint16_t v;
	get(r, &v, sizeof(v));
	return v;
}
static uint32_t get32(struct rbuf *r)
{
	uint32_t v;
	get(r, &v, sizeof(v));
	return v;
}
static uint64_t get64(struct rbuf *r)
{
	uint64_t v;
	get(r, &v, sizeof(v));
	return v;
}

static void fail(struct rbuf *r)
{
	if (!r->err)
		r->err = -EINVAL;
}

static bool get_bool(struct rbuf *r)
{
	uint8_t v = get8(r);
	if (v > 1)
		fail(r);
	return v == 1;
}

static uint32_t get_enum(struct rbuf *r, uint32_t max)
{
	uint32_t v = get32(r);
	if (v > max)
		fail(r);
	return v;
}

/* A count of items of at least `item` bytes each that the rest of the blob
 * can hold: bounds every allocation by the blob's size. */
static size_t get_count(struct rbuf *r, size_t item)
{
	uint32_t n = get32(r);
	if (!r->err && n > (r->len - r->off) / item)
		fail(r);
	return r->err ? 0 : n;
}

static const char *get_ref(struct rbuf *r)
{
	uint32_t v = get32(r);
	if (v == 0)
		return NULL;
	if (v > r->nstrs) {
		fail(r);
		return NULL;
	}
	return r->strs[v - 1];
}

static void get_origin(struct rbuf *r, struct sk_origin *o)
{
	o->file = get_ref(r);
	o->line = (int32_t)get32(r);
	o->column = (int32_t)get32(r);
}

static struct sk_action get_action(struct rbuf *r)
{
	struct sk_action a;
	a.type = (enum sk_action_type)get_enum(r, SK_ACT_KILL_PROCESS);
	a.errnum = (int32_t)get32(r);
	return a;
}

static void get_conds(struct rbuf *r, struct sk_cond *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c[i].arg = get8(r);
		c[i].op = get8(r);
		c[i].mask = get64(r);
		c[i].value = get64(r);
		if (c[i].arg >= SK_MAX_ARGS || c[i].op > SK_OP_MASKED_EQ)
			fail(r);
	}
}

static void get_region(struct rbuf *r, struct sk_region *g)
{
	size_t n = get_count(r, 1);

	if (!n)
		return;
	g->terms = calloc(n, sizeof(*g->terms));
	if (!g->terms) {
		r->err = -ENOMEM;
		return;
	}
	g->cap = n;
	for (; g->n < n && !r->err; g->n++) {
		struct sk_term *t = &g->terms[g->n];
		t->n = get8(r);
		if (t->n > SK_MAX_ARGS) {
			fail(r);
			t->n = 0;
		}
		get_conds(r, t->c, t->n);
	}
}

/* A string in place: its bytes, then the NUL that ends it. */
static const char *get_str(struct rbuf *r)
{
	size_t n = get32(r);
	const char *s = (const char *)r->p + r->off;

	/* (A built-in blob's strings were checked where it was made.) */
	if (r->err || n >= r->len - r->off || s[n] != '\0' || (!r->borrow && memchr(s, '\0', n))) {
		fail(r);
		return NULL;
	}
	r->off += n + 1;
	return s;
}

static stockade_plan *get_plan(struct rbuf *r, int depth);

/* A filter of the plan (bpf, mbpf): none where the plan has no filter of
 * its own to load, at most what the kernel takes. */
static void get_filter(struct rbuf *r, const stockade_plan *plan, struct sock_filter **out, size_t *len)
{
	size_t n = get_count(r, sizeof(**out));

	if (n > BPF_MAXINSNS || (n && (!plan->seccomp_enabled || plan->audit)))
		fail(r); /* what sk_seccomp_load() would not load as it is */
	else if (n && !r->err) {
		if (!(*out = malloc(n * sizeof(**out))))
			r->err = -ENOMEM;
		else if (get(r, *out, n * sizeof(**out)))
			*len = n;
	}
}

static void get_plan_body(struct rbuf *r, stockade_plan *plan, int depth)
{
	struct sk_plan_access *sb = &plan->access;
	size_t n = get_count(r, 4);

	r->strs = calloc(n ? n : 1, sizeof(*r->strs));
	if (!r->strs) {
		r->err = -ENOMEM;
		return;
	}
	for (r->nstrs = 0; r->nstrs < n && !r->err; r->nstrs++) {
		const char *s = get_str(r);
		if (r->borrow)
			r->strs[r->nstrs] = s;
		else if (s && sk_plan_intern(plan, s, &r->strs[r->nstrs]) < 0)
			r->err = -ENOMEM;
	}
	if (r->err)
		return;
	const char *name = get_str(r);
	if (name && !(plan->name = strdup(name)))
		r->err = -ENOMEM;
	plan->seccomp_enabled = get_bool(r);
	plan->audit = get_bool(r);
	get_origin(r, &plan->audit_at);
	plan->default_action = get_action(r);
	get_origin(r, &plan->default_at);
	plan->compat = (enum sk_compat)get_enum(r, SK_COMPAT_FILTER);
	get_origin(r, &plan->compat_at);
	n = get_count(r, 4);
	plan->entries = calloc(n ? n : 1, sizeof(*plan->entries));
	if (!plan->entries) {
		r->err = -ENOMEM;
		return;
	}
	for (; plan->nentries < n && !r->err; plan->nentries++) {
		struct sk_plan_entry *e = &plan->entries[plan->nentries];
		e->name = get_ref(r);
		/* sorted by name, for sk_plan_lookup */
		if (!e->name || (plan->nentries && strcmp(e[-1].name, e->name) >= 0))
			fail(r);
		e->has_base = get_bool(r);
		e->base = get_action(r);
		get_origin(r, &e->base_at);
		e->via = get_ref(r);
		size_t nr = get_count(r, 1);
		if (nr) {
			e->rules = calloc(nr, sizeof(*e->rules));
			if (!e->rules) {
				r->err = -ENOMEM;
				break;
			}
		}
		for (; e->nrules < nr && !r->err; e->nrules++) {
			struct sk_plan_rule *rule = &e->rules[e->nrules];
			rule->nconds = get8(r);
			if (rule->nconds > SK_MAX_ARGS) {
				fail(r);
				rule->nconds = 0;
			}
			get_conds(r, rule->conds, rule->nconds);
			rule->action = get_action(r);
			get_origin(r, &rule->at);
			rule->reason = get_ref(r);
			get_region(r, &rule->region);
		}
		get_region(r, &e->base_region);
	}
	if (r->err)
		return;

	sb->landlock = (enum sk_landlock_mode)get_enum(r, SK_LANDLOCK_OFF);
	get_origin(r, &sb->landlock_at);
	sb->fs = get_bool(r);
	sb->broad_write = get_bool(r);
	n = get_count(r, 4);
	sb->paths = calloc(n ? n : 1, sizeof(*sb->paths));
	if (!sb->paths) {
		r->err = -ENOMEM;
		return;
	}
	for (; sb->npaths < n && !r->err; sb->npaths++) {
		struct sk_fs_path *p = &sb->paths[sb->npaths];
		p->path = get_ref(r);
		if (!p->path)
			fail(r);
		p->kind = (enum sk_fs_kind)get_enum(r, SK_FS_NKINDS - 1);
		p->layer = (size_t)get64(r);
		get_origin(r, &p->at);
	}
	sb->net = (enum sk_net_mode)get_enum(r, SK_NET_PROXY);
	get_origin(r, &sb->net_at);
	get_origin(r, &sb->tcp_at);
	for (int d = 0; d < SK_TCP_NDIRS && !r->err; d++) {
		n = get_count(r, 2);
		sb->tcp[d] = calloc(n ? n : 1, sizeof(*sb->tcp[d]));
		if (!sb->tcp[d]) {
			r->err = -ENOMEM;
			return;
		}
		for (; sb->ntcp[d] < n && !r->err; sb->ntcp[d]++)
			sb->tcp[d][sb->ntcp[d]] = get16(r);
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++)
		sb->tcp_handled[d] = get_bool(r);
	sb->tcp_sockets = get_bool(r);
	sb->scope_signals = get_bool(r);
	sb->scope_abstract = get_bool(r);
	get_origin(r, &sb->scope_at);
	sb->caps = get_bool(r);
	sb->caps_keep = get64(r);
	get_origin(r, &sb->caps_at);
	sb->isolation = (enum sk_isolation)get_enum(r, SK_ISOLATION_REQUIRED);
	if (!r->err && sb->isolation == SK_ISOLATION_UNSET)
		fail(r);
	get_origin(r, &sb->isolation_at);
	n = get_count(r, 4);
	sb->sockets = calloc(n ? n : 1, sizeof(*sb->sockets));
	if (!sb->sockets) {
		r->err = -ENOMEM;
		return;
	}
	for (; sb->nsockets < n && !r->err; sb->nsockets++) {
		sb->sockets[sb->nsockets].path = get_ref(r);
		if (!sb->sockets[sb->nsockets].path)
			fail(r);
		get_origin(r, &sb->sockets[sb->nsockets].at);
	}
	n = get_count(r, 4);
	sb->env = calloc(n ? n : 1, sizeof(*sb->env));
	if (!sb->env) {
		r->err = -ENOMEM;
		return;
	}
	for (; sb->nenv < n && !r->err; sb->nenv++) {
		struct sk_env_entry *e = &sb->env[sb->nenv];
		e->text = get_ref(r);
		if (!e->text)
			fail(r);
		e->kind = (enum sk_env_kind)get_enum(r, SK_ENV_NKINDS - 1);
		get_origin(r, &e->at);
	}
	if (!r->err && !plan->name)
		fail(r);
	get_filter(r, plan, &plan->bpf, &plan->bpf_len);
	get_filter(r, plan, &plan->mbpf, &plan->mbpf_len);
	plan->fence_known = get_bool(r);
	plan->fence_closed = get32(r);
	if (get_bool(r) && !r->err) {
		/* the fallback has its own strings */
		free(r->strs);
		r->strs = NULL;
		r->nstrs = 0;
		plan->net_fallback = get_plan(r, depth + 1);
	}
}

static stockade_plan *get_plan(struct rbuf *r, int depth)
{
	stockade_plan *plan;

	if (depth > 1) { /* a fallback has no fallback */
		fail(r);
		return NULL;
	}
	if (!(plan = calloc(1, sizeof(*plan)))) {
		r->err = -ENOMEM;
		return NULL;
	}
	get_plan_body(r, plan, depth);
	if (r->err) {
		stockade_plan_free(plan);
		return NULL;
	}
	return plan;
}

static int blob_read(const unsigned char *data, size_t len, uint64_t fingerprint, bool borrow, stockade_plan **out)
{
	struct rbuf r = { .p = data, .len = len, .borrow = borrow };
	char magic[4];

	*out = NULL;
	if (!data)
		return -EINVAL;
	get(&r, magic, sizeof(magic));
	if (r.err || memcmp(magic, MAGIC, 4) != 0 || get32(&r) != SK_PLAN_BLOB_VERSION)
		return -EINVAL;
	if (get64(&r) != fingerprint)
		return -ESTALE;
	stockade_plan *plan = get_plan(&r, 0);
	free(r.strs);
	if (!r.err && r.off != r.len)
		r.err = -EINVAL; /* trailing bytes */
	if (r.err) {
		stockade_plan_free(plan);
		return r.err;
	}
	*out = plan;
	return 0;
}

int sk_plan_blob_read(const unsigned char *data, size_t len, uint64_t fingerprint, stockade_plan **out)
{
	return blob_read(data, len, fingerprint, false, out);
}

/* ---- the table of built-in presets ---- */


uint64_t sk_preset_fingerprint(const char *chain)
{
	const struct scmp_version *v = seccomp_version();
	uint64_t h = 0xcbf29ce484222325ull;
	char head[96];
	int n = snprintf(head, sizeof(head), "%s %d %s %u.%u.%u", MAGIC, SK_PLAN_BLOB_VERSION, STOCKADE_VERSION,
			 v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);

	h = sk_hash64(h, head, (size_t)n + 1);
	for (const char *c = chain; *c;) {
		size_t len = strcspn(c, ",");
		char name[64];
		const struct sk_preset *ps;

		if (len == 0 || len >= sizeof(name))
			return 0;
		memcpy(name, c, len);
		name[len] = '\0';
		if (!(ps = sk_preset_lookup(name)))
			return 0;
		uint64_t text = sk_preset_text_hash(ps);
		h = sk_hash64(h, name, len + 1);
		h = sk_hash64(h, &text, sizeof(text));
		c += len;
		if (*c == ',')
			c++;
	}
	return h ? h : 1;
}

bool sk_preset_cache_disabled(void)
{
	const char *e = getenv("STOCKADE_NO_PRESET_CACHE");

	return e && *e && strcmp(e, "0") != 0;
}

const struct sk_preset_blob *sk_preset_blob_find(const char *key)
{
	if (sk_preset_cache_disabled())
		return NULL;
	for (size_t i = 0; i < sk_preset_blobs_len; i++) {
		const struct sk_preset_blob *b = &sk_preset_blobs[i];
		uint64_t fp;
		if (strcmp(b->key, key) != 0)
			continue;
		fp = sk_preset_fingerprint(b->chain);
		if (fp == 0 || b->len < 16 || memcmp(b->data + 8, &fp, sizeof(fp)) != 0)
			return NULL;
		return b;
	}
	return NULL;
}

const struct sk_preset_blob *sk_preset_blob_for(const stockade_policy *policy)
{
	char key[256];
	size_t used = 0;

	for (size_t i = 0; i < policy->npending; i++) {
		int w = snprintf(key + used, sizeof(key) - used, "%s%s", i ? "," : "", policy->pending[i]->name);
		if (w < 0 || (size_t)w >= sizeof(key) - used)
			return NULL;
		used += (size_t)w;
	}
	return sk_preset_blob_find(key);
}

/* find() checked the fingerprint: not hashed twice.  A built-in blob lives
 * as long as the program, so the plan's strings point into it: no copy, no
 * interning (its string table has each string once already). */
int sk_preset_blob_load(const struct sk_preset_blob *blob, stockade_plan **out)
{
	uint64_t fp;

	*out = NULL;
	if (!blob->data || blob->len < 16)
		return -EINVAL;
	memcpy(&fp, blob->data + 8, sizeof(fp));
	return blob_read(blob->data, blob->len, fp, true, out);
}
