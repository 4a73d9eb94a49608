/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The YAML helpers of yaml.c, shared with the parsers of the other
 * sections (policy/yaml_access.c).  Every error names file:line:col.
 *
 * The short names are kept for readability inside the parsers; the macros
 * give them a prefix so the static library exports no generic symbol such
 * as `lookup`.
 */
#ifndef STOCKADE_POLICY_YAML_H
#define STOCKADE_POLICY_YAML_H

#include <yaml.h>

#include "policy/policy.h"

#define at_node sk_yaml_at_node
#define origin_of sk_yaml_origin_of
#define quote_offset sk_yaml_quote_offset
#define expect_scalar sk_yaml_expect_scalar
#define expect_bool sk_yaml_expect_bool
#define check_keys sk_yaml_check_keys
#define lookup sk_yaml_lookup

/* A YAML file is small; anything larger is a mistake or an attack. */
#define MAX_POLICY_BYTES (1024 * 1024)
#define MAX_LIST_ITEMS 4096

struct ctx {
	const char *file;
	const char *text;
	yaml_document_t *doc;
	struct sk_layer *layer;
	stockade_error **err;
};

/* An error at node `n` (column shifted by col_offset); returns -EINVAL. */
int at_node(struct ctx *c, yaml_node_t *n, int col_offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct sk_origin origin_of(struct ctx *c, yaml_node_t *n);
/* Column shift from the node start to the scalar's first character. */
int quote_offset(yaml_node_t *n);
int expect_scalar(struct ctx *c, yaml_node_t *n, const char *what, const char **out);
int expect_bool(struct ctx *c, yaml_node_t *n, const char *what, bool *out);
/* Reject unknown (with a suggestion), duplicate and non-scalar keys. */
int check_keys(struct ctx *c, yaml_node_t *map, const char *section, const char *const *known);
yaml_node_t *lookup(struct ctx *c, yaml_node_t *map, const char *key);

/* The `filesystem`, `network`, `scope` and `landlock` keys of a policy
 * (policy/yaml_access.c); `root` is the document's top mapping. */
int sk_parse_access(struct ctx *c, yaml_node_t *root);
/* Free what sk_parse_access stored in a layer. */
void sk_layer_free_access(struct sk_layer *l);
/* The `environment` key (policy/yaml_env.c); `n` is its value. */
int sk_parse_environment(struct ctx *c, yaml_node_t *n);
void sk_layer_free_env(struct sk_layer *l);

/* network.allow, network.hosts, network.tcp_connect (policy/yaml_network.c). */
int sk_parse_net_allow(struct ctx *c, yaml_node_t *n);
int sk_parse_net_hosts(struct ctx *c, yaml_node_t *n);
int sk_parse_net_private(struct ctx *c, yaml_node_t *n);
int sk_parse_tcp_connect(struct ctx *c, yaml_node_t *n);

#endif
