/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The layer stack: presets, policy files with their `extends:` chains, and
 * command-line overrides, in the order they take effect. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "policy/layer_blob.h"
#include "policy/policy.h"

/* extends chains deeper than this are a loop or a mistake */
#define MAX_EXTENDS_DEPTH 16
#define MAX_FILE_BYTES (1024 * 1024)

int stockade_policy_new(stockade_policy **out, stockade_error **err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : sk_error(err, ENOMEM, "out of memory");
}

void stockade_policy_free(stockade_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nlayers; i++)
		sk_layer_free(p->layers[i]);
	free(p->layers);
	free(p);
}

static int push_layer(stockade_policy *p, struct sk_layer *l, stockade_error **err)
{
	struct sk_layer **n;
	int ret = sk_policy_materialize(p, err);

	if (ret < 0) {
		sk_layer_free(l);
		return ret;
	}
	n = realloc(p->layers, (p->nlayers + 1) * sizeof(*n));
	if (!n) {
		sk_layer_free(l);
		return sk_error(err, ENOMEM, "out of memory");
	}
	p->layers = n;
	p->layers[p->nlayers++] = l;
	return 0;
}

int sk_policy_push(stockade_policy *p, struct sk_layer *l, stockade_error **err)
{
	return push_layer(p, l, err);
}

const char *stockade_policy_name(const stockade_policy *p)
{
	/* A preset's document is named after it (a unit test checks). */
	if (p->npending)
		return p->pending[p->npending - 1]->name;
	for (size_t i = p->nlayers; i-- > 0;)
		if (p->layers[i]->name)
			return p->layers[i]->name;
	return "custom";
}

static int add_file_at(stockade_policy *p, const char *path, const struct sk_origin *from, stockade_error **err);

/* Load what `extends:` names: a preset, or a file relative to the includer. */
static int add_extends(stockade_policy *p, const char *ext, const struct sk_origin *at, const char *includer_dir,
		       stockade_error **err)
{
	if (strncmp(ext, "oci:", 4) == 0)
		return sk_policy_add_oci_at(p, ext + 4, includer_dir, at, err);
	if (!strchr(ext, '/') && !strstr(ext, ".yaml") && !strstr(ext, ".yml")) {
		int ret = stockade_policy_add_preset(p, ext, err);
		if (ret < 0)
			sk_error_wrap(err, "%s:%d:%d: extends", at->file, at->line, at->column);
		return ret;
	}
	if (ext[0] == '/' || !includer_dir)
		return add_file_at(p, ext, at, err);

	_cleanup_free_ char *joined = NULL;
	if (asprintf(&joined, "%s/%s", includer_dir, ext) < 0)
		return sk_error(err, ENOMEM, "out of memory");
	return add_file_at(p, joined, at, err);
}

/* An error about what `extends:` names (unknown preset, missing file, too
 * deep) that has no place yet is located at the `extends:` value. */
static void locate_error(stockade_error **err, const struct sk_origin *at, const char *text)
{
	if (!err || !*err || (*err)->file || !(*err)->msg)
		return;
	_cleanup_free_ char *msg = steal_pointer(&(*err)->msg);
	_cleanup_free_ char *hint = steal_pointer(&(*err)->hint);
	sk_error_at(err, (*err)->status, at->file, text, at->line, at->column, "%s", msg);
	if (*err && hint)
		(*err)->hint = steal_pointer(&hint);
}

/* Put a parsed layer on the stack, after what it extends (ext, owned). */
static int add_layer(stockade_policy *p, struct sk_layer *l, char *ext, struct sk_origin ext_at, bool builtin,
		     const char *dir, stockade_error **err)
{
	bool bottom = !p->nlayers && !p->npending;
	int ret;

	if (ext) {
		p->depth++;
		ret = add_extends(p, ext, &ext_at, dir, err);
		p->depth--;
		if (ret < 0) {
			locate_error(err, &ext_at, l->text);
			sk_layer_free(l);
			free(ext);
			return ret;
		}
	}
	l->builtin = builtin;
	ret = push_layer(p, l, err);
	if (ret == 0 && bottom && !ext && !builtin)
		p->unanchored = l;
	free(ext);
	return ret;
}

static int add_text(stockade_policy *p, const char *origin, bool builtin, const char *dir, const char *text,
		    size_t len, stockade_error **err)
{
	struct sk_layer *l = NULL;
	char *ext = NULL;
	struct sk_origin ext_at = { 0 };
	int ret;

	if (p->depth >= MAX_EXTENDS_DEPTH)
		return sk_error(err, ELOOP, "%s: extends is nested more than %d deep (does a policy include itself?)",
				origin, MAX_EXTENDS_DEPTH);
	ret = sk_layer_parse_yaml(origin, text, len, &l, &ext, &ext_at, err);
	if (ret < 0)
		return ret;
	return add_layer(p, l, ext, ext_at, builtin, dir, err);
}

int stockade_policy_add_text(stockade_policy *p, const char *origin, const char *text, size_t len,
			     stockade_error **err)
{
	int ret = sk_policy_materialize(p, err);

	if (ret < 0)
		return ret;
	return add_text(p, origin, false, NULL, text, len, err);
}

static int add_preset_now(stockade_policy *p, const struct sk_preset *ps, stockade_error **err);

/* Presets added to an empty policy stay unparsed: the plan stage has the
 * plans of the common sequences compiled in (plan/preset_plans.h) and parses
 * them only when it has no plan for exactly this sequence. */
static bool add_preset_lazily(stockade_policy *p, const struct sk_preset *ps)
{
	if (p->depth || p->nlayers || p->npending >= ARRAY_SIZE(p->pending))
		return false;
	p->pending[p->npending++] = ps;
	return true;
}

int sk_policy_materialize(stockade_policy *p, stockade_error **err)
{
	const struct sk_preset *pending[ARRAY_SIZE(p->pending)];
	size_t n = p->npending;

	memcpy(pending, p->pending, sizeof(pending));
	p->npending = 0;
	for (size_t i = 0; i < n; i++) {
		int ret = add_preset_now(p, pending[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int sk_policy_parsed_copy(const stockade_policy *p, stockade_policy **out, stockade_error **err)
{
	int ret = stockade_policy_new(out, err);

	if (ret < 0)
		return ret;
	memcpy((*out)->pending, p->pending, sizeof(p->pending));
	(*out)->npending = p->npending;
	if ((ret = sk_policy_materialize(*out, err)) < 0) {
		stockade_policy_free(*out);
		*out = NULL;
	}
	return ret;
}

int stockade_policy_add_preset(stockade_policy *p, const char *name, stockade_error **err)
{
	const struct sk_preset *ps = sk_preset_lookup(name);
	int ret;

	if (!ps) {
		struct sk_suggest s;

		sk_suggest_init(&s, name);
		for (size_t i = 0; i < sk_presets_len; i++)
			sk_suggest_add(&s, sk_presets[i].name);
		if (s.best)
			return sk_error(err, ENOENT, "unknown preset `%s`, did you mean `%s`?", name, s.best);
		return sk_error(err, ENOENT, "unknown preset `%s` (`stockade presets` lists them)", name);
	}
	if (add_preset_lazily(p, ps))
		return 0;
	if ((ret = sk_policy_materialize(p, err)) < 0)
		return ret;
	return add_preset_now(p, ps, err);
}

static int add_preset_now(stockade_policy *p, const struct sk_preset *ps, stockade_error **err)
{
	/* An overlay used on its own goes on top of its base preset. */
	if (ps->base && p->nlayers == 0) {
		const struct sk_preset *base = sk_preset_lookup(ps->base);
		int ret = base ? add_preset_now(p, base, err) : sk_error(err, ENOENT, "unknown preset `%s`", ps->base);
		if (ret < 0)
			return ret;
	}
	/* Parsed when stockade was built (policy/layer_blob.h), else now. */
	struct sk_layer *l = NULL;
	char *ext = NULL;
	struct sk_origin ext_at = { 0 };

	if (p->depth < MAX_EXTENDS_DEPTH && sk_preset_layer_load(ps, &l, &ext, &ext_at) == 0)
		return add_layer(p, l, ext, ext_at, true, NULL, err);
	return add_text(p, ps->file, true, NULL, ps->text, strlen(ps->text), err);
}

static int add_file_at(stockade_policy *p, const char *path, const struct sk_origin *from, stockade_error **err)
{
	_cleanup_free_ char *text = NULL, *real = NULL;
	size_t len = 0;
	int ret;

	/* A relative `extends:` is resolved beside the file itself, not beside
	 * a link to it: a policy symlinked into a directory the sandbox can
	 * write must not take its base layer from there.  The file read is
	 * the resolved one, so the two cannot differ. */
	real = realpath(path, NULL);
	if (!real && errno == ENOMEM)
		return sk_error(err, ENOMEM, "out of memory");
	ret = sk_read_file(real ? real : path, "policy", MAX_FILE_BYTES, &text, &len, err);
	if (ret < 0) {
		if (from)
			sk_error_wrap(err, "%s:%d:%d: extends", from->file, from->line, from->column);
		return ret;
	}
	if (!real && !(real = strdup(path)))
		return sk_error(err, ENOMEM, "out of memory");
	return add_text(p, path, false, dirname(real), text, len, err);
}

int stockade_policy_add_file(stockade_policy *p, const char *path, stockade_error **err)
{
	int ret = sk_policy_materialize(p, err);

	if (ret < 0)
		return ret;
	return add_file_at(p, path, NULL, err);
}

/* Command-line overrides share one layer at the top of the stack. */
static struct sk_layer *cli_layer(stockade_policy *p, stockade_error **err)
{
	struct sk_layer *l;

	if (sk_policy_materialize(p, err) < 0)
		return NULL;
	if (p->nlayers && strcmp(p->layers[p->nlayers - 1]->file, "command line") == 0)
		return p->layers[p->nlayers - 1];
	l = calloc(1, sizeof(*l));
	if (!l || !(l->file = strdup("command line"))) {
		free(l);
		sk_error(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (push_layer(p, l, err) < 0)
		return NULL;
	return l;
}

struct sk_layer *sk_policy_cli_layer(stockade_policy *p, stockade_error **err)
{
	return cli_layer(p, err);
}

static int cli_add(stockade_policy *p, const char *name, bool allow, const char *action, stockade_error **err)
{
	struct sk_layer *l;
	struct sk_name_ref **list, ref = { 0 };
	size_t *count;
	char msg[200];

	if (sk_check_name(name, msg, sizeof(msg)) < 0)
		return sk_error(err, ENOENT, "--%s %s: %s", allow ? "allow" : "deny", name, msg);
	if (action) {
		if (sk_action_parse(action, &ref.action) < 0)
			return sk_error(err, EINVAL, "--deny %s: unknown action `%s`", name, action);
		/* As for deny_action in a policy: a deny must deny. */
		if (ref.action.type == SK_ACT_ALLOW || ref.action.type == SK_ACT_LOG)
			return sk_error(err, EINVAL,
					"--deny %s: `%s` does not deny; use errno:NAME, trap, kill or kill-thread", name,
					action);
		ref.has_action = true;
	}
	l = cli_layer(p, err);
	if (!l)
		return -ENOMEM;
	/* The last flag wins: drop an earlier flag for the same name, opposite
	 * or not (a repeated --deny may carry another action). */
	for (int side = 0; side < 2; side++) {
		struct sk_name_ref *other = side ? l->deny : l->allow;
		size_t *nother = side ? &l->ndeny : &l->nallow;
		for (size_t i = 0; i < *nother; i++) {
			if (strcmp(other[i].name, name) == 0) {
				free(other[i].name);
				memmove(&other[i], &other[i + 1], (*nother - i - 1) * sizeof(*other));
				(*nother)--;
				break;
			}
		}
	}
	list = allow ? &l->allow : &l->deny;
	count = allow ? &l->nallow : &l->ndeny;
	struct sk_name_ref *n = realloc(*list, (*count + 1) * sizeof(*n));
	if (!n)
		return sk_error(err, ENOMEM, "out of memory");
	*list = n;
	ref.name = strdup(name);
	if (!ref.name)
		return sk_error(err, ENOMEM, "out of memory");
	ref.at.file = l->file;
	n[(*count)++] = ref;
	return 0;
}

int stockade_policy_allow(stockade_policy *p, const char *name, stockade_error **err)
{
	return cli_add(p, name, true, NULL, err);
}

int stockade_policy_deny(stockade_policy *p, const char *name, const char *action, stockade_error **err)
{
	return cli_add(p, name, false, action, err);
}
