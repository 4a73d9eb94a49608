/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy as written: a stack of layers (presets, files, command-line
 * overrides), each remembering where every entry came from.  ir.c resolves
 * the stack into a plan.
 */
#ifndef STOCKADE_POLICY_H
#define STOCKADE_POLICY_H

#include "internal.h"

/* Where a decision was written.  `file` points into the owning layer or plan. */
struct sk_origin {
	const char *file; /* "preset:agent", a path, or "command line" */
	int line, column; /* 1-based; 0 when not from a file */
};

enum sk_compat {
	SK_COMPAT_REFUSE = 0, /* 32-bit / x32 entry points kill the process */
	SK_COMPAT_FILTER,     /* they get the same rules as the native arch */
};

struct sk_name_ref {
	char *name; /* syscall or "@group" */
	struct sk_origin at;
	bool has_action; /* deny entries from the command line may carry one */
	struct sk_action action;
};

struct sk_rule {
	char *syscall;
	struct sk_origin at;
	struct sk_cond conds[SK_MAX_ARGS];
	size_t nconds;
	struct sk_action action;
	char *reason; /* why the rule exists, shown by `show` and the docs */
};

struct sk_layer {
	char *file; /* origin name */
	char *text; /* the source, for error lines; may be NULL */
	char *name;
	char *description;

	bool enabled_set, enabled;
	bool default_set;
	struct sk_action default_action;
	struct sk_origin default_at;
	bool deny_action_set;
	struct sk_action deny_action;
	bool compat_set;
	enum sk_compat compat;
	struct sk_origin compat_at;

	struct sk_name_ref *allow;
	size_t nallow;
	struct sk_name_ref *deny;
	size_t ndeny;
	struct sk_rule *rules;
	size_t nrules;
};

struct stockade_policy {
	struct sk_layer **layers;
	size_t nlayers;
	size_t depth; /* extends nesting while loading */
};

/* Parse one YAML document into a new layer.  `extends` receives the value of
 * the `extends:` key (or NULL) and its location so the caller can load it
 * first.  `file` names the source in errors. */
int sk_layer_parse_yaml(const char *file, const char *text, size_t len, struct sk_layer **out, char **extends,
			struct sk_origin *extends_at, stockade_error **err);
void sk_layer_free(struct sk_layer *layer);

/* Check a syscall or @group name against the tables; on failure write a
 * message with a "did you mean" suggestion into msg and return -ENOENT. */
int sk_check_name(const char *name, char *msg, size_t size);

/* Parse a condition string ("arg0 & CLONE_NEWUSER", "arg1 == AF_UNIX").  A
 * "!=" on a masked value becomes several conditions in alternative rules, so
 * the result is a list of condition sets: *nsets sets of one condition each
 * for the "any bit differs" form, or one set otherwise. */
struct sk_cond_parse {
	struct sk_cond alt[64];
	size_t nalt;   /* > 1: the rule is an OR of these single conditions */
	int err_col;   /* 0-based offset of the error within the text */
	const char *err_msg;
	char err_buf[160];
};
int sk_cond_parse(const char *text, struct sk_cond_parse *out);

/* The inverse of sk_cond_parse for one condition ("arg1 & 0x8 == 0x8"). */
const char *sk_cond_format(const struct sk_cond *c, char *buf, size_t size);

/* Parse a value: number, symbolic constant, or an OR of them ("A|B|0x10"). */
int sk_value_parse(const char *text, size_t len, uint64_t *out, size_t *bad_offset, const char **bad_name);

#endif
