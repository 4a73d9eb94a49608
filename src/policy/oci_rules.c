/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The records of one syscall as the layer's rules, with libseccomp's
 * meaning: the first entry without arguments decides the call outright,
 * conditional entries of different actions that can match the same call
 * are an error, and an entry the earlier ones of its action already cover
 * adds nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/oci_import.h"

int sk_oci_cmp_record(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Can some argument vector satisfy both condition sets? */
static int overlap(const struct record *a, const struct record *b, bool *out)
{
	struct sk_region ra = { 0 }, rb = { 0 };
	int ret;

	*out = false;
	ret = sk_region_from_conds(&ra, a->conds, a->nconds);
	if (ret == 0)
		ret = sk_region_from_conds(&rb, b->conds, b->nconds);
	for (size_t t = 0; ret == 0 && !*out && t < rb.n; t++) {
		struct sk_region tmp = { 0 };
		ret = sk_region_copy(&tmp, &ra);
		if (ret == 0)
			ret = sk_region_intersect(&tmp, &rb.terms[t]);
		if (ret == 0 && tmp.n > 0)
			*out = true;
		sk_region_clear(&tmp);
	}
	sk_region_clear(&ra);
	sk_region_clear(&rb);
	return ret;
}

/* Is a's condition set inside the union of the earlier ones? */
static int covered(const struct record *a, const struct record *const *earlier, size_t n, bool *out)
{
	struct sk_region reach = { 0 };
	int ret = sk_region_from_conds(&reach, a->conds, a->nconds);

	for (size_t i = 0; ret == 0 && i < n && reach.n; i++) {
		struct sk_region prev = { 0 };
		ret = sk_region_from_conds(&prev, earlier[i]->conds, earlier[i]->nconds);
		for (size_t t = 0; ret == 0 && t < prev.n; t++)
			ret = sk_region_subtract(&reach, &prev.terms[t]);
		sk_region_clear(&prev);
	}
	*out = reach.n == 0;
	sk_region_clear(&reach);
	return ret;
}

static void describe_conds(const struct record *r, char *buf, size_t size)
{
	size_t used = 0;
	char c[96];

	buf[0] = '\0';
	for (size_t i = 0; i < r->nconds && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " && " : "",
					 sk_cond_format(&r->conds[i], c, sizeof(c)));
}

static int add_ref(struct importer *im, const struct record *r)
{
	struct sk_layer *l = im->layer;
	bool allow = r->action.type == SK_ACT_ALLOW;
	struct sk_name_ref **list = allow ? &l->allow : &l->deny;
	size_t *count = allow ? &l->nallow : &l->ndeny;
	struct sk_name_ref *n = realloc(*list, (*count + 1) * sizeof(*n));

	if (!n)
		return sk_error(im->err, ENOMEM, "out of memory");
	*list = n;
	n[*count] = (struct sk_name_ref){
		.name = strdup(r->name),
		.at = { .file = l->file, .line = r->line, .column = r->column },
		.has_action = !allow,
		.action = r->action,
	};
	if (!n[*count].name)
		return sk_error(im->err, ENOMEM, "out of memory");
	(*count)++;
	return 0;
}

static int add_rule(struct importer *im, const struct record *r)
{
	struct sk_layer *l = im->layer;
	struct sk_rule *n = realloc(l->rules, (l->nrules + 1) * sizeof(*n));

	if (!n)
		return sk_error(im->err, ENOMEM, "out of memory");
	l->rules = n;
	n[l->nrules] = (struct sk_rule){
		.syscall = strdup(r->name),
		.at = { .file = l->file, .line = r->line, .column = r->column },
		.nconds = r->nconds,
		.action = r->action,
		.reason = r->comment ? strdup(r->comment) : NULL,
	};
	memcpy(n[l->nrules].conds, r->conds, sizeof(r->conds));
	l->nrules++;
	if (!n[l->nrules - 1].syscall || (r->comment && !n[l->nrules - 1].reason))
		return sk_error(im->err, ENOMEM, "out of memory");
	return 0;
}

/* All records of one syscall: [from, to). */
int sk_oci_resolve_syscall(struct importer *im, size_t from, size_t to)
{
	const struct record **kept = NULL;
	size_t nkept = 0;
	int ret = 0;

	for (size_t i = from; i < to; i++)
		if (im->recs[i].uncond)
			return add_ref(im, &im->recs[i]); /* libseccomp: the first one wins outright */
	kept = calloc(to - from, sizeof(*kept));
	if (!kept)
		return sk_error(im->err, ENOMEM, "out of memory");
	for (size_t i = from; ret == 0 && i < to; i++) {
		const struct record *r = &im->recs[i];
		bool hit = false;

		for (size_t j = from; ret == 0 && j < i; j++) {
			const struct record *q = &im->recs[j];
			if (sk_action_eq(q->action, r->action))
				continue;
			ret = overlap(q, r, &hit);
			if (ret == 0 && hit) {
				char a[48], b[48], ca[300], cb[300];
				describe_conds(q, ca, sizeof(ca));
				describe_conds(r, cb, sizeof(cb));
				ret = sk_oci_at(im, r->line, r->column,
						"syscalls[%zu] (%s: %s) and syscalls[%zu] (line %d: %s: %s) "
						"can match the same `%s` call with different actions; "
						"libseccomp orders such rules by its own tree (runc and crun "
						"inherit it), so the profile does not say what happens",
						r->entry, cb, sk_action_format(r->action, b, sizeof(b)), q->entry,
						q->line, ca, sk_action_format(q->action, a, sizeof(a)), r->name);
			}
		}
		if (ret < 0)
			break;
		/* Same action overlapping: a rule the earlier ones already
		 * cover adds nothing (and the plan would call it unreachable). */
		ret = covered(r, kept, nkept, &hit);
		if (ret < 0) {
			ret = sk_error(im->err, -ret, "out of memory");
			break;
		}
		if (hit)
			continue;
		kept[nkept++] = r;
		ret = add_rule(im, r);
	}
	free(kept);
	return ret;
}

