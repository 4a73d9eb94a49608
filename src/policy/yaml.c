/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy file -> layer.  Uses libyaml's document loader so every node keeps
 * its line and column; every error names file:line:col.  Unknown keys,
 * unknown syscalls and bad constants are errors: a policy is applied whole or
 * not at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "policy/yaml.h"

int at_node(struct ctx *c, yaml_node_t *n, int col_offset, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int line = n ? (int)n->start_mark.line + 1 : 0;
	int col = n ? (int)n->start_mark.column + 1 + col_offset : 0;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	sk_error_at(c->err, EINVAL, c->file, c->text, line, col, "%s:%d:%d: %s", c->file, line, col,
		    msg ? msg : "invalid policy");
	free(msg);
	return -EINVAL;
}

int quote_offset(yaml_node_t *n)
{
	return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			       n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
		       ? 1
		       : 0;
}

/* Where a node was written; for a quoted scalar, its first character (the
 * column errors about the same value point at). */
struct sk_origin origin_of(struct ctx *c, yaml_node_t *n)
{
	return (struct sk_origin){ .file = c->layer->file, .line = (int)n->start_mark.line + 1,
				   .column = (int)n->start_mark.column + 1 +
					     (n->type == YAML_SCALAR_NODE ? quote_offset(n) : 0) };
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int expect_scalar(struct ctx *c, yaml_node_t *n, const char *what, const char **out)
{
	*out = scalar(n);
	if (!*out)
		return at_node(c, n, 0, "%s must be a single value", what);
	if (strlen(*out) != n->data.scalar.length)
		return at_node(c, n, 0, "%s contains a NUL byte", what);
	return 0;
}

int expect_bool(struct ctx *c, yaml_node_t *n, const char *what, bool *out)
{
	const char *s;

	if (expect_scalar(c, n, what, &s) < 0)
		return -EINVAL;
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		*out = false;
	else
		return at_node(c, n, quote_offset(n), "%s must be true or false, not `%s`", what, s);
	return 0;
}

static int unknown_key(struct ctx *c, yaml_node_t *key, const char *section, const char *const *known)
{
	const char *k = scalar(key), *best = stockade_suggest(k, known, SIZE_MAX);

	if (best)
		return at_node(c, key, 0, "unknown key `%s` in %s, did you mean `%s`?", k, section, best);
	return at_node(c, key, 0, "unknown key `%s` in %s", k, section);
}

/* Iterate a mapping, rejecting duplicate and non-scalar keys. */
#define for_each_pair(c, map, pair)                                                                            \
	for (yaml_node_pair_t *pair = (map)->data.mapping.pairs.start; pair < (map)->data.mapping.pairs.top;   \
	     pair++)

int check_keys(struct ctx *c, yaml_node_t *map, const char *section, const char *const *known)
{
	for_each_pair(c, map, p)
	{
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		const char *ks = scalar(k);
		bool ok = false;

		if (!ks)
			return at_node(c, k, 0, "keys in %s must be plain names", section);
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], ks) == 0;
		if (!ok)
			return unknown_key(c, k, section, known);
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const char *qs = scalar(yaml_document_get_node(c->doc, q->key));
			if (qs && strcmp(qs, ks) == 0)
				return at_node(c, k, 0, "`%s` is given twice in %s", ks, section);
		}
	}
	return 0;
}

yaml_node_t *lookup(struct ctx *c, yaml_node_t *map, const char *key)
{
	for_each_pair(c, map, p)
	{
		const char *ks = scalar(yaml_document_get_node(c->doc, p->key));
		if (ks && strcmp(ks, key) == 0)
			return yaml_document_get_node(c->doc, p->value);
	}
	return NULL;
}

static int parse_action(struct ctx *c, yaml_node_t *n, const char *what, struct sk_action *out)
{
	const char *s;
	int ret;

	if (expect_scalar(c, n, what, &s) < 0)
		return -EINVAL;
	ret = sk_action_parse(s, out);
	if (ret == -ENOENT)
		return at_node(c, n, quote_offset(n), "unknown errno name in `%s` (use a name such as EPERM, or a number)",
			       s);
	if (ret == -ERANGE)
		return at_node(c, n, quote_offset(n), "errno in `%s` must be between 1 and 4095", s);
	if (ret < 0)
		return at_node(c, n, quote_offset(n),
			       "unknown action `%s`; one of: allow, log, errno:NAME, trap, kill, kill-thread", s);
	return 0;
}

int sk_check_name(const char *name, char *msg, size_t size)
{
	if (name[0] == '@') {
		if (sk_group_lookup(name))
			return 0;
		struct sk_suggest s;

		sk_suggest_init(&s, name);
		for (size_t i = 0; i < sk_groups_len; i++)
			sk_suggest_add(&s, sk_groups[i].name);
		if (s.best)
			snprintf(msg, size, "unknown syscall group `%s`, did you mean `%s`?", name, s.best);
		else
			snprintf(msg, size, "unknown syscall group `%s` (`stockade groups` lists them)", name);
		return -ENOENT;
	}
	if (sk_syscall_known(name))
		return 0;
	const char *best = sk_syscall_suggest(name);
	if (best)
		snprintf(msg, size, "unknown syscall `%s`, did you mean `%s`?", name, best);
	else
		snprintf(msg, size, "unknown syscall `%s` on x86_64, i386, x32 and aarch64", name);
	return -ENOENT;
}

static int parse_names(struct ctx *c, yaml_node_t *n, const char *what, struct sk_name_ref **out, size_t *count)
{
	size_t len;

	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "%s must be a list of syscall or @group names", what);
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "%s has %zu entries; the limit is %d", what, len, MAX_LIST_ITEMS);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return sk_error(c->err, ENOMEM, "out of memory");
	*count = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s;
		char msg[200];

		if (expect_scalar(c, item, what, &s) < 0)
			return -EINVAL;
		if (sk_check_name(s, msg, sizeof(msg)) < 0)
			return at_node(c, item, quote_offset(item), "%s", msg);
		for (size_t k = 0; k < *count; k++)
			if (strcmp((*out)[k].name, s) == 0)
				return at_node(c, item, quote_offset(item), "`%s` is listed twice in %s", s, what);
		(*out)[*count].name = strdup(s);
		if (!(*out)[*count].name)
			return sk_error(c->err, ENOMEM, "out of memory");
		(*out)[*count].at = origin_of(c, item);
		(*count)++;
	}
	return 0;
}

static int add_rule(struct ctx *c, const struct sk_rule *r, const char *syscall, const char *reason)
{
	struct sk_layer *l = c->layer;
	struct sk_rule *n = realloc(l->rules, (l->nrules + 1) * sizeof(*n));

	if (!n)
		return sk_error(c->err, ENOMEM, "out of memory");
	l->rules = n;
	n[l->nrules] = *r;
	n[l->nrules].syscall = strdup(syscall);
	n[l->nrules].reason = reason ? strdup(reason) : NULL;
	if (!n[l->nrules].syscall || (reason && !n[l->nrules].reason)) {
		free(n[l->nrules].syscall);
		free(n[l->nrules].reason);
		return sk_error(c->err, ENOMEM, "out of memory");
	}
	l->nrules++;
	return 0;
}

static int parse_rule(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "syscall", "args", "action", "reason", NULL };
	yaml_node_t *sys, *args, *act, *why;
	struct sk_rule rule = { 0 };
	const char *name, *reason = NULL;
	char msg[200];
	/* Conditions that expand to alternatives ("& M" with several bits)
	 * turn the rule into one rule per alternative. */
	struct sk_cond_parse *parsed = NULL;
	size_t nparsed = 0, combos = 1;
	int ret = -EINVAL;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "a rule is a mapping with syscall, args, action and reason");
	if (check_keys(c, n, "a rule", keys) < 0)
		return -EINVAL;
	sys = lookup(c, n, "syscall");
	act = lookup(c, n, "action");
	args = lookup(c, n, "args");
	why = lookup(c, n, "reason");
	if (!sys)
		return at_node(c, n, 0, "this rule has no `syscall`");
	if (!act)
		return at_node(c, n, 0, "this rule has no `action` (allow, errno:NAME, kill, ...)");
	if (expect_scalar(c, sys, "syscall", &name) < 0)
		return -EINVAL;
	if (name[0] == '@')
		return at_node(c, sys, quote_offset(sys),
			       "rules apply to one syscall; groups go in allow or deny (`%s`)", name);
	if (sk_check_name(name, msg, sizeof(msg)) < 0)
		return at_node(c, sys, quote_offset(sys), "%s", msg);
	if (parse_action(c, act, "action", &rule.action) < 0)
		return -EINVAL;
	if (why && expect_scalar(c, why, "reason", &reason) < 0)
		return -EINVAL;
	rule.at = origin_of(c, n);

	if (args) {
		if (args->type != YAML_SEQUENCE_NODE)
			return at_node(c, args, 0, "args must be a list of conditions such as \"arg0 == AF_UNIX\"");
		size_t len = (size_t)(args->data.sequence.items.top - args->data.sequence.items.start);
		if (len > SK_MAX_ARGS)
			return at_node(c, args, 0, "a rule has at most %d conditions", SK_MAX_ARGS);
		parsed = calloc(len ? len : 1, sizeof(*parsed));
		if (!parsed)
			return sk_error(c->err, ENOMEM, "out of memory");
		for (yaml_node_item_t *it = args->data.sequence.items.start; it < args->data.sequence.items.top;
		     it++) {
			yaml_node_t *item = yaml_document_get_node(c->doc, *it);
			const char *text;
			if (expect_scalar(c, item, "a condition", &text) < 0)
				goto out;
			if (sk_cond_parse(text, &parsed[nparsed]) < 0) {
				at_node(c, item, quote_offset(item) + parsed[nparsed].err_col, "%s",
					parsed[nparsed].err_msg);
				goto out;
			}
			combos *= parsed[nparsed].nalt;
			if (combos > 64) {
				at_node(c, item, 0, "these conditions expand to more than 64 rules; split the rule");
				goto out;
			}
			nparsed++;
		}
	}

	if (c->layer->nrules + combos > SK_MAX_PLAN_RULES) {
		ret = at_node(c, n, 0, "the rules expand to more than %d (a `& MASK` with several bits is one rule "
			      "per bit); that is the limit", SK_MAX_PLAN_RULES);
		goto out;
	}
	/* Emit the cartesian product of the alternatives. */
	for (size_t k = 0; k < combos; k++) {
		size_t rest = k;
		rule.nconds = nparsed;
		for (size_t i = 0; i < nparsed; i++) {
			rule.conds[i] = parsed[i].alt[rest % parsed[i].nalt];
			rest /= parsed[i].nalt;
		}
		if ((ret = add_rule(c, &rule, name, reason)) < 0)
			goto out;
	}
	ret = 0;
out:
	free(parsed);
	return ret;
}

static int parse_seccomp(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "enabled", "default_action", "deny_action", "compat_arches",
					    "allow",   "deny",	     "rules",	    "mode",	     NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "seccomp must be a mapping");
	if (check_keys(c, n, "seccomp", keys) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "enabled"))) {
		if (expect_bool(c, v, "seccomp.enabled", &l->enabled) < 0)
			return -EINVAL;
		l->enabled_set = true;
	}
	if ((v = lookup(c, n, "default_action"))) {
		if (parse_action(c, v, "default_action", &l->default_action) < 0)
			return -EINVAL;
		l->default_set = true;
		l->default_at = origin_of(c, v);
	}
	if ((v = lookup(c, n, "deny_action"))) {
		if (parse_action(c, v, "deny_action", &l->deny_action) < 0)
			return -EINVAL;
		if (l->deny_action.type == SK_ACT_ALLOW || l->deny_action.type == SK_ACT_LOG)
			return at_node(c, v, quote_offset(v),
				       "deny_action must deny: errno:NAME, trap, kill or kill-thread");
		l->deny_action_set = true;
	}
	if ((v = lookup(c, n, "compat_arches"))) {
		const char *s;
		if (expect_scalar(c, v, "compat_arches", &s) < 0)
			return -EINVAL;
		if (!strcmp(s, "refuse"))
			l->compat = SK_COMPAT_REFUSE;
		else if (!strcmp(s, "filter"))
			l->compat = SK_COMPAT_FILTER;
		else
			return at_node(c, v, quote_offset(v),
				       "compat_arches is `refuse` (kill 32-bit and x32 calls) or `filter`");
		l->compat_set = true;
		l->compat_at = origin_of(c, v);
	}
	if ((v = lookup(c, n, "mode"))) {
		const char *s;
		if (expect_scalar(c, v, "mode", &s) < 0)
			return -EINVAL;
		if (strcmp(s, "enforce") && strcmp(s, "audit"))
			return at_node(c, v, quote_offset(v),
				       "mode is `enforce` (deny) or `audit` (allow, and report what would be denied)");
		l->audit = strcmp(s, "audit") == 0;
		l->mode_set = true;
		l->mode_at = origin_of(c, v);
	}
	if ((v = lookup(c, n, "allow")) && parse_names(c, v, "allow", &l->allow, &l->nallow) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "deny")) && parse_names(c, v, "deny", &l->deny, &l->ndeny) < 0)
		return -EINVAL;
	/* The same name both allowed and denied in one layer is a contradiction. */
	for (size_t i = 0; i < l->nallow; i++)
		for (size_t j = 0; j < l->ndeny; j++)
			if (strcmp(l->allow[i].name, l->deny[j].name) == 0) {
				char other[64];
				snprintf(other, sizeof(other), "line %d", l->allow[i].at.line);
				return sk_error_at(c->err, EINVAL, c->file, c->text, l->deny[j].at.line,
						   l->deny[j].at.column,
						   "%s:%d:%d: `%s` is both allowed (%s) and denied", c->file,
						   l->deny[j].at.line, l->deny[j].at.column, l->deny[j].name, other);
			}
	if ((v = lookup(c, n, "rules"))) {
		if (v->type != YAML_SEQUENCE_NODE)
			return at_node(c, v, 0, "rules must be a list");
		if (v->data.sequence.items.top - v->data.sequence.items.start > MAX_LIST_ITEMS)
			return at_node(c, v, 0, "too many rules; the limit is %d", MAX_LIST_ITEMS);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (parse_rule(c, yaml_document_get_node(c->doc, *it)) < 0)
				return -EINVAL;
	}
	return 0;
}

static int dup_scalar(struct ctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char *s;

	if (expect_scalar(c, n, what, &s) < 0)
		return -EINVAL;
	*out = strdup(s);
	return *out ? 0 : sk_error(c->err, ENOMEM, "out of memory");
}

static int parse_top(struct ctx *c, yaml_node_t *root, char **extends, struct sk_origin *extends_at)
{
	static const char *const keys[] = { "version", "name",	  "description", "extends", "seccomp",
					    "filesystem", "network", "scope",	     "landlock",    "capabilities", "isolation",
					    "sockets",	  "environment", NULL };
	yaml_node_t *v;

	if (!root)
		return sk_error_at(c->err, EINVAL, c->file, c->text, 1, 1, "%s: the policy is empty", c->file);
	if (root->type != YAML_MAPPING_NODE)
		return at_node(c, root, 0, "a policy is a mapping (version, extends, seccomp, ...)");
	if (check_keys(c, root, "the policy", keys) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "version"))) {
		const char *s;
		if (expect_scalar(c, v, "version", &s) < 0)
			return -EINVAL;
		if (strcmp(s, "1") != 0)
			return at_node(c, v, quote_offset(v),
				       "unsupported policy version `%s`; this stockade reads version 1", s);
	}
	if ((v = lookup(c, root, "name")) && dup_scalar(c, v, "name", &c->layer->name) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "description")) && dup_scalar(c, v, "description", &c->layer->description) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "extends"))) {
		if (dup_scalar(c, v, "extends", extends) < 0)
			return -EINVAL;
		*extends_at = origin_of(c, v);
	}
	if ((v = lookup(c, root, "seccomp")) && parse_seccomp(c, v) < 0)
		return -EINVAL;
	return sk_parse_access(c, root);
}

void sk_layer_free(struct sk_layer *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nallow; i++)
		free(l->allow[i].name);
	for (size_t i = 0; i < l->ndeny; i++)
		free(l->deny[i].name);
	for (size_t i = 0; i < l->nrules; i++) {
		free(l->rules[i].syscall);
		free(l->rules[i].reason);
	}
	free(l->allow);
	free(l->deny);
	free(l->rules);
	free(l->file);
	if (!l->text_borrowed)
		free(l->text);
	free(l->name);
	free(l->description);
	sk_layer_free_access(l);
	free(l);
}

/* A policy is a handful of levels deep.  libyaml's scanner costs O(depth)
 * per token inside flow collections, so 100k nested `[` took minutes: the
 * event parser, which stops as soon as the limit is passed, measures the
 * depth before the document loader sees the text. */
#define MAX_YAML_DEPTH 64

static int check_nesting(const char *file, const char *text, size_t len, stockade_error **err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, ret = 0;
	bool done = false;
	size_t starts = 0;

	/* Every collection starts at an indicator of its own: `[` or `{`,
	 * `-` (a block sequence), `:` or `?` (a mapping).  A text with no
	 * more of them than the limit cannot nest deeper, and a short policy
	 * file is spared a second parser (its buffers are most of the cost). */
	for (size_t i = 0; i < len && starts <= MAX_YAML_DEPTH; i++)
		starts += text[i] == '[' || text[i] == '{' || text[i] == '-' || text[i] == ':' || text[i] == '?';
	if (starts <= MAX_YAML_DEPTH)
		return 0;
	if (!yaml_parser_initialize(&parser))
		return sk_error(err, ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* Syntax errors are left to the loader, which reports them in place. */
	while (!done && yaml_parser_parse(&parser, &ev)) {
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > MAX_YAML_DEPTH) {
				int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
				ret = sk_error_at(err, EINVAL, file, text, line, col,
						  "%s:%d:%d: the policy is nested more than %d levels deep", file, line,
						  col, MAX_YAML_DEPTH);
				done = true;
			}
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		} else if (ev.type == YAML_STREAM_END_EVENT) {
			done = true;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

int sk_layer_parse_yaml(const char *file, const char *text, size_t len, struct sk_layer **out, char **extends,
			struct sk_origin *extends_at, stockade_error **err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct sk_layer *l;
	struct ctx c = { .file = file, .err = err };
	int ret;

	*out = NULL;
	*extends = NULL;
	if (len > MAX_POLICY_BYTES)
		return sk_error(err, EFBIG, "%s: the policy is %zu bytes; the limit is %d", file, len,
				MAX_POLICY_BYTES);
	if (memchr(text, '\0', len))
		return sk_error(err, EINVAL, "%s: the policy contains a NUL byte", file);
	l = calloc(1, sizeof(*l));
	if (!l)
		return sk_error(err, ENOMEM, "out of memory");
	l->file = strdup(file);
	l->text = strndup(text, len);
	if (!l->file || !l->text) {
		sk_layer_free(l);
		return sk_error(err, ENOMEM, "out of memory");
	}
	c.layer = l;
	c.text = l->text;

	if ((ret = check_nesting(file, l->text, len, err)) < 0) {
		sk_layer_free(l);
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		sk_layer_free(l);
		return sk_error(err, ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)l->text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int line = (int)parser.problem_mark.line + 1, col = (int)parser.problem_mark.column + 1;
		ret = sk_error_at(err, EINVAL, file, l->text, line, col, "%s:%d:%d: YAML syntax error: %s%s%s", file,
				  line, col, parser.problem ? parser.problem : "unknown",
				  parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		sk_layer_free(l);
		return ret;
	}
	c.doc = &doc;
	ret = parse_top(&c, yaml_document_get_root_node(&doc), extends, extends_at);
	/* A second document in the same file would be silently ignored: refuse. */
	if (ret == 0) {
		yaml_document_t more;
		if (yaml_parser_load(&parser, &more)) {
			yaml_node_t *r = yaml_document_get_root_node(&more);
			if (r)
				ret = sk_error_at(err, EINVAL, file, l->text, (int)r->start_mark.line + 1, 1,
						  "%s:%d:1: only one YAML document per policy file", file,
						  (int)r->start_mark.line + 1);
			yaml_document_delete(&more);
		} else {
			/* A broken second document must not pass unnoticed either. */
			int line = (int)parser.problem_mark.line + 1, col = (int)parser.problem_mark.column + 1;
			ret = sk_error_at(err, EINVAL, file, l->text, line, col, "%s:%d:%d: YAML syntax error: %s%s%s",
					  file, line, col, parser.problem ? parser.problem : "unknown",
					  parser.context ? " " : "", parser.context ? parser.context : "");
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret < 0) {
		free(*extends);
		*extends = NULL;
		sk_layer_free(l);
		return ret;
	}
	/* extends_at.file must outlive this call: point it at the layer. */
	extends_at->file = l->file;
	*out = l;
	return 0;
}
