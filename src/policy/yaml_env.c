/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `environment` key of a policy: which of the caller's variables the
 * command gets.
 *
 *   environment:
 *     drop: [PATTERN...]    # names the command does not get ("*_TOKEN", "AWS_*")
 *     keep: [PATTERN...]    # names it gets although a drop pattern matches
 *     set: {NAME: value}    # variables it gets, whatever the caller has
 *     drop_values: credentials   # or none: also drop variables whose value
 *                                # is a credential (run/env_values.c)
 *
 * Patterns are shell globs (*, ?, [...]) over the variable's name, matched
 * without regard to case.  Every list adds to the lower layers'; a keep
 * pattern of any layer wins over a drop pattern of any layer, so a policy
 * file or `--keep-env NAME` brings back a variable a preset drops; set
 * comes last (a later layer's value for a name wins).  drop_values is one
 * word: the last layer that says it decides (so a policy extending agent
 * can say `none`), and keep patterns win over it too.  Applied by the run
 * stage (run/env.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/yaml.h"

static const char *const env_key[SK_ENV_NKINDS] = {
	[SK_ENV_DROP] = "drop",
	[SK_ENV_KEEP] = "keep",
	[SK_ENV_SET] = "set",
	[SK_ENV_VALUES] = "drop_values",
};

/* A name is [A-Za-z_][A-Za-z0-9_]*; a pattern may add the glob characters
 * * ? [ ] !.  Returns the offset of the first bad character, or -1. */
static int bad_char(const char *s, bool pattern)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
			  (p > s && *p >= '0' && *p <= '9') ||
			  (pattern && ((*p >= '0' && *p <= '9') || strchr("*?[]!-", *p)));

		if (!ok)
			return (int)(p - s);
	}
	return -1;
}

static int add_entry(struct ctx *c, struct sk_layer *l, enum sk_env_kind k, yaml_node_t *at, const char *text)
{
	struct sk_path_ref *e = &l->env[k][l->nenv[k]];

	e->path = strdup(text);
	if (!e->path)
		return sk_error(c->err, ENOMEM, "out of memory");
	e->at = origin_of(c, at);
	l->nenv[k]++;
	return 0;
}

static int parse_patterns(struct ctx *c, yaml_node_t *n, enum sk_env_kind k)
{
	struct sk_layer *l = c->layer;
	char what[32];
	size_t len;

	snprintf(what, sizeof(what), "environment.%s", env_key[k]);
	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "%s must be a list of variable names or patterns (\"*_TOKEN\")", what);
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "%s has %zu entries; the limit is %d", what, len, MAX_LIST_ITEMS);
	l->env[k] = calloc(len ? len : 1, sizeof(*l->env[k]));
	if (!l->env[k])
		return sk_error(c->err, ENOMEM, "out of memory");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s;
		int off;

		if (expect_scalar(c, item, what, &s) < 0)
			return -EINVAL;
		if ((off = bad_char(s, true)) >= 0)
			return at_node(c, item, quote_offset(item) + off,
				       "%s: `%s` is not a variable name or pattern (letters, digits, _ and * ? [ ])", what,
				       s);
		for (size_t i = 0; i < l->nenv[k]; i++)
			if (!strcmp(l->env[k][i].path, s))
				return at_node(c, item, quote_offset(item), "`%s` is listed twice in %s", s, what);
		if (add_entry(c, l, k, item, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int parse_set(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;
	size_t len;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "environment.set must be a mapping of NAME: value");
	len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (len > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "environment.set has %zu entries; the limit is %d", len, MAX_LIST_ITEMS);
	l->env[SK_ENV_SET] = calloc(len ? len : 1, sizeof(*l->env[SK_ENV_SET]));
	if (!l->env[SK_ENV_SET])
		return sk_error(c->err, ENOMEM, "out of memory");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
		const char *name, *value;
		char *entry;
		int off, ret;

		if (expect_scalar(c, key, "environment.set", &name) < 0 ||
		    expect_scalar(c, val, "environment.set", &value) < 0)
			return -EINVAL;
		if ((off = bad_char(name, false)) >= 0)
			return at_node(c, key, quote_offset(key) + off,
				       "environment.set: `%s` is not a variable name (letters, digits and _)", name);
		for (size_t i = 0; i < l->nenv[SK_ENV_SET]; i++) {
			const char *have = l->env[SK_ENV_SET][i].path;

			if (!strncmp(have, name, strlen(name)) && have[strlen(name)] == '=')
				return at_node(c, key, quote_offset(key), "`%s` is set twice in environment.set", name);
		}
		if (asprintf(&entry, "%s=%s", name, value) < 0)
			return sk_error(c->err, ENOMEM, "out of memory");
		ret = add_entry(c, l, SK_ENV_SET, key, entry);
		free(entry);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* drop_values: credentials | none. */
static int parse_values(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;
	const char *s;

	if (expect_scalar(c, n, "environment.drop_values", &s) < 0)
		return -EINVAL;
	if (strcmp(s, "credentials") && strcmp(s, "none"))
		return at_node(c, n, quote_offset(n),
			       "environment.drop_values: `%s` is not `credentials` (drop variables whose value is a "
			       "password in a URL or a well-known key) or `none`",
			       s);
	if (!(l->env[SK_ENV_VALUES] = calloc(1, sizeof(*l->env[SK_ENV_VALUES]))))
		return sk_error(c->err, ENOMEM, "out of memory");
	return add_entry(c, l, SK_ENV_VALUES, n, s);
}

int sk_parse_environment(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "drop", "keep", "set", "drop_values", NULL };
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "environment must be a mapping (drop, keep, set, drop_values)");
	if (check_keys(c, n, "environment", keys) < 0)
		return -EINVAL;
	for (int k = SK_ENV_DROP; k <= SK_ENV_KEEP; k++)
		if ((v = lookup(c, n, env_key[k])) && parse_patterns(c, v, (enum sk_env_kind)k) < 0)
			return -EINVAL;
	if ((v = lookup(c, n, "set")) && parse_set(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "drop_values")) && parse_values(c, v) < 0)
		return -EINVAL;
	return 0;
}

void sk_layer_free_env(struct sk_layer *l)
{
	for (int k = 0; k < SK_ENV_NKINDS; k++) {
		for (size_t i = 0; i < l->nenv[k]; i++)
			free(l->env[k][i].path);
		free(l->env[k]);
		l->env[k] = NULL;
		l->nenv[k] = 0;
	}
}

/* ---- command-line overrides ---- */

int stockade_policy_keep_env(stockade_policy *p, const char *pattern, stockade_error **err)
{
	struct sk_layer *l;
	struct sk_path_ref *grown;

	if (bad_char(pattern, true) >= 0)
		return sk_error(err, EINVAL, "--keep-env %s: not a variable name or pattern (letters, digits, _ and * ? [ ])",
				pattern);
	l = sk_policy_cli_layer(p, err);
	if (!l)
		return -ENOMEM;
	grown = realloc(l->env[SK_ENV_KEEP], (l->nenv[SK_ENV_KEEP] + 1) * sizeof(*grown));
	if (!grown)
		return sk_error(err, ENOMEM, "out of memory");
	l->env[SK_ENV_KEEP] = grown;
	grown[l->nenv[SK_ENV_KEEP]] = (struct sk_path_ref){ .path = strdup(pattern), .at = { .file = l->file } };
	if (!grown[l->nenv[SK_ENV_KEEP]].path)
		return sk_error(err, ENOMEM, "out of memory");
	l->nenv[SK_ENV_KEEP]++;
	return 0;
}
