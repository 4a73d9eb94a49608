/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `filesystem`, `network`, `scope` and `landlock` keys of a policy:
 *
 *   filesystem:
 *     replace: false        # true: drop what lower layers listed
 *     read: [PATH...]       # read files, list directories
 *     write: [PATH...]      # read, create, change, rename, remove
 *     exec: [PATH...]       # read and execute
 *     deny: [PATTERN...]    # no access, carved out of the grants
 *     read_only: [PATTERN...] # no write access, carved out of the grants
 *     allow_broad_write: false # true: a write root may be /, a system
 *                           # directory or the home directory (landlock/walk.c)
 *     devices: [NAME...]    # /dev by name: the rest of /dev is carved out
 *   network:
 *     mode: none | unix | proxy | full
 *     allow: [HOST[:PORT]...] # through the proxy (yaml_network.c)
 *     hosts: {NAME: ADDRESS}  # pinned for the proxy
 *     private: [HOST...]      # the proxy may reach their private addresses
 *     tcp_connect: [PORT | ADDRESS:PORT...]
 *     tcp_bind: [PORT...]
 *     replace: false        # true: drop the ports and hosts lower layers listed
 *   scope:
 *     signals: true
 *     abstract_unix_sockets: true
 *   landlock: best_effort | required | off
 *   capabilities:
 *     keep: [CAP_CHOWN, ...] # what root's command keeps; [all]: everything
 *   isolation: auto | required | off   # namespaces (run/isolate.c)
 *   sockets:
 *     allow: [PATH...]      # host sockets left reachable (/PATH, ~/PATH, $VAR[/PATH])
 *   environment: (policy/yaml_env.c)
 *
 * Paths are checked here; ~, $HOME, $CWD, $TMPDIR and relative paths are
 * expanded when the sandbox starts (src/landlock).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/yaml.h"

static const char *const fs_key[SK_FS_NKINDS] = {
	[SK_FS_READ] = "read",	       [SK_FS_WRITE] = "write",	      [SK_FS_EXEC] = "exec",
	[SK_FS_DENY] = "deny",	       [SK_FS_READ_ONLY] = "read_only",
};

static const char *const tcp_key[SK_TCP_NDIRS] = {
	[SK_TCP_CONNECT] = "tcp_connect",
	[SK_TCP_BIND] = "tcp_bind",
};

static int oom(struct ctx *c)
{
	return sk_error(c->err, ENOMEM, "out of memory");
}

static size_t seq_len(yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int parse_paths(struct ctx *c, yaml_node_t *n, enum sk_fs_kind kind)
{
	struct sk_layer *l = c->layer;
	bool pattern = kind == SK_FS_DENY || kind == SK_FS_READ_ONLY;
	char what[32];

	snprintf(what, sizeof(what), "filesystem.%s", fs_key[kind]);
	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "%s must be a list of paths", what);
	if (seq_len(n) > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "%s has %zu entries; the limit is %d", what, seq_len(n), MAX_LIST_ITEMS);
	l->fs[kind] = calloc(seq_len(n) ? seq_len(n) : 1, sizeof(*l->fs[kind]));
	if (!l->fs[kind])
		return oom(c);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s, *msg;
		size_t off;

		if (expect_scalar(c, item, what, &s) < 0)
			return -EINVAL;
		if (sk_path_check(s, pattern, &msg, &off) < 0)
			return at_node(c, item, quote_offset(item) + (int)off, "%s: %s", what, msg);
		for (size_t k = 0; k < l->nfs[kind]; k++)
			if (strcmp(l->fs[kind][k].path, s) == 0)
				return at_node(c, item, quote_offset(item), "`%s` is listed twice in %s", s, what);
		l->fs[kind][l->nfs[kind]].path = strdup(s);
		if (!l->fs[kind][l->nfs[kind]].path)
			return oom(c);
		l->fs[kind][l->nfs[kind]].at = origin_of(c, item);
		l->nfs[kind]++;
	}
	return 0;
}

/* filesystem.undeny: the lower layers' deny carve-outs replace: true drops
 * after all, by the paths they were written with. */
static int parse_undeny(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;

	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "filesystem.undeny must be a list of paths, as the lower layers' deny: wrote them");
	if (seq_len(n) > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "filesystem.undeny has %zu entries; the limit is %d", seq_len(n), MAX_LIST_ITEMS);
	l->undeny = calloc(seq_len(n) ? seq_len(n) : 1, sizeof(*l->undeny));
	if (!l->undeny)
		return oom(c);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s;

		if (expect_scalar(c, item, "filesystem.undeny", &s) < 0)
			return -EINVAL;
		if (!(l->undeny[l->nundeny].path = strdup(s)))
			return oom(c);
		l->undeny[l->nundeny++].at = origin_of(c, item);
	}
	return 0;
}

/* A name beneath /dev: "null", "pts", "dri/renderD128"; no pattern, no
 * way out of /dev.  -1 and where the fault is, or 0. */
static int device_name_check(const char *s, const char **msg, size_t *off)
{
	*off = 0;
	if (!*s) {
		*msg = "an empty name";
		return -1;
	}
	if (s[0] == '/') {
		*msg = "a name inside /dev, without /dev/ (\"null\", \"pts\")";
		return -1;
	}
	for (const char *p = s; *p; p++) {
		*off = (size_t)(p - s);
		if (sk_path_glob_char(*p) || *p == '$' || *p == '~' || (unsigned char)*p < 0x20) {
			*msg = "a device is named exactly: no pattern, variable or control character";
			return -1;
		}
		if (p == s || p[-1] == '/') {
			size_t len = strcspn(p, "/");

			if (!len || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
				*msg = "an empty, `.` or `..` component";
				return -1;
			}
		}
	}
	if (s[strlen(s) - 1] == '/') {
		*off = strlen(s) - 1;
		*msg = "a trailing slash";
		return -1;
	}
	return 0;
}

/* filesystem.devices: the entries of /dev the command may open. */
static int parse_devices(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;

	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "filesystem.devices must be a list of names in /dev (null, zero, tty, pts, ...)");
	if (seq_len(n) > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "filesystem.devices has %zu entries; the limit is %d", seq_len(n), MAX_LIST_ITEMS);
	l->devices = calloc(seq_len(n) ? seq_len(n) : 1, sizeof(*l->devices));
	if (!l->devices)
		return oom(c);
	l->devices_at = origin_of(c, n);
	l->devices_set = true;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s, *msg;
		size_t off;

		if (expect_scalar(c, item, "filesystem.devices", &s) < 0)
			return -EINVAL;
		if (device_name_check(s, &msg, &off) < 0)
			return at_node(c, item, quote_offset(item) + (int)off, "filesystem.devices: %s", msg);
		for (size_t k = 0; k < l->ndevices; k++)
			if (strcmp(l->devices[k].path + 5, s) == 0)
				return at_node(c, item, quote_offset(item), "`%s` is listed twice in filesystem.devices", s);
		if (asprintf(&l->devices[l->ndevices].path, "/dev/%s", s) < 0) {
			l->devices[l->ndevices].path = NULL;
			return oom(c);
		}
		l->devices[l->ndevices++].at = origin_of(c, item);
	}
	return 0;
}

static int parse_filesystem(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "replace", "read", "write", "exec", "deny", "read_only", "allow_broad_write", "undeny", "devices", NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "filesystem must be a mapping (read, write, exec, deny, read_only, devices, replace)");
	if (check_keys(c, n, "filesystem", keys) < 0)
		return -EINVAL;
	l->fs_set = true;
	l->fs_at = origin_of(c, n);
	if ((v = lookup(c, n, "replace")) && expect_bool(c, v, "filesystem.replace", &l->fs_replace) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "allow_broad_write"))) {
		if (expect_bool(c, v, "filesystem.allow_broad_write", &l->broad_write) < 0)
			return -EINVAL;
		l->broad_write_set = true;
	}
	for (int k = 0; k < SK_FS_NKINDS; k++)
		if ((v = lookup(c, n, fs_key[k])) && parse_paths(c, v, (enum sk_fs_kind)k) < 0)
			return -EINVAL;
	if ((v = lookup(c, n, "devices")) && parse_devices(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "undeny"))) {
		if (!l->fs_replace)
			return at_node(c, v, 0, "filesystem.undeny goes with replace: true (without it, the lower layers' "
						"deny: carve-outs apply to their own grants only)");
		if (parse_undeny(c, v) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_ports(struct ctx *c, yaml_node_t *n, enum sk_tcp_dir dir)
{
	struct sk_layer *l = c->layer;
	char what[32];

	snprintf(what, sizeof(what), "network.%s", tcp_key[dir]);
	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "%s must be a list of TCP port numbers", what);
	if (seq_len(n) > 65536)
		return at_node(c, n, 0, "%s has %zu entries; there are 65536 ports", what, seq_len(n));
	l->tcp[dir] = calloc(seq_len(n) ? seq_len(n) : 1, sizeof(*l->tcp[dir]));
	if (!l->tcp[dir])
		return oom(c);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s;
		char *end;
		unsigned long port;

		if (expect_scalar(c, item, what, &s) < 0)
			return -EINVAL;
		errno = 0;
		port = strtoul(s, &end, 10);
		if (!*s || *s == '-' || *s == '+' || *end || errno || port > 65535)
			return at_node(c, item, quote_offset(item), "%s: `%s` is not a port number (0 to 65535)",
				       what, s);
		for (size_t k = 0; k < l->ntcp[dir]; k++)
			if (l->tcp[dir][k].port == port)
				return at_node(c, item, quote_offset(item), "port %lu is listed twice in %s", port,
					       what);
		l->tcp[dir][l->ntcp[dir]].port = (uint16_t)port;
		l->tcp[dir][l->ntcp[dir]].at = origin_of(c, item);
		l->ntcp[dir]++;
	}
	return 0;
}

static int net_mode_parse(const char *s, enum sk_net_mode *out)
{
	if (!strcmp(s, "none"))
		*out = SK_NET_NONE;
	else if (!strcmp(s, "unix"))
		*out = SK_NET_UNIX;
	else if (!strcmp(s, "full"))
		*out = SK_NET_FULL;
	else if (!strcmp(s, "proxy"))
		*out = SK_NET_PROXY;
	else
		return -EINVAL;
	return 0;
}

static int parse_network(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "mode",	"allow",    "hosts",   "private",
					    "tcp_connect", "tcp_bind", "replace", NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0,
			       "network must be a mapping (mode, allow, hosts, private, tcp_connect, tcp_bind, replace)");
	if (check_keys(c, n, "network", keys) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "mode"))) {
		const char *s;
		if (expect_scalar(c, v, "network.mode", &s) < 0)
			return -EINVAL;
		if (net_mode_parse(s, &l->net_mode) < 0)
			return at_node(c, v, quote_offset(v),
				       "network.mode is `none` (no sockets but AF_UNIX), `unix` (AF_UNIX and "
				       "netlink route), `proxy` (and the hosts of network.allow through stockade's "
				       "proxy) or `full`, not `%s`",
				       s);
		l->net_at = origin_of(c, v);
	}
	if ((v = lookup(c, n, "replace")) && expect_bool(c, v, "network.replace", &l->net_replace) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "tcp_connect")) && sk_parse_tcp_connect(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "tcp_bind")) && parse_ports(c, v, SK_TCP_BIND) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "allow")) && sk_parse_net_allow(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "hosts")) && sk_parse_net_hosts(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, n, "private")) && sk_parse_net_private(c, v) < 0)
		return -EINVAL;
	return 0;
}

static int parse_scope(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "signals", "abstract_unix_sockets", NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "scope must be a mapping (signals, abstract_unix_sockets)");
	if (check_keys(c, n, "scope", keys) < 0)
		return -EINVAL;
	l->scope_at = origin_of(c, n);
	if ((v = lookup(c, n, "signals"))) {
		if (expect_bool(c, v, "scope.signals", &l->scope_signals) < 0)
			return -EINVAL;
		l->scope_signals_set = true;
	}
	if ((v = lookup(c, n, "abstract_unix_sockets"))) {
		if (expect_bool(c, v, "scope.abstract_unix_sockets", &l->scope_abstract) < 0)
			return -EINVAL;
		l->scope_abstract_set = true;
	}
	return 0;
}

static int parse_landlock(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;
	const char *s;

	if (expect_scalar(c, n, "landlock", &s) < 0)
		return -EINVAL;
	if (!strcmp(s, "required"))
		l->landlock = SK_LANDLOCK_REQUIRED;
	else if (!strcmp(s, "best_effort"))
		l->landlock = SK_LANDLOCK_BEST_EFFORT;
	else if (!strcmp(s, "off"))
		l->landlock = SK_LANDLOCK_OFF;
	else
		return at_node(c, n, quote_offset(n),
			       "landlock is `best_effort` (use what the kernel supports), `required` (refuse to "
			       "run otherwise) or `off`, not `%s`",
			       s);
	l->landlock_at = origin_of(c, n);
	return 0;
}

static int parse_capabilities(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "keep", NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "capabilities must be a mapping (keep)");
	if (check_keys(c, n, "capabilities", keys) < 0)
		return -EINVAL;
	if (!(v = lookup(c, n, "keep")))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return at_node(c, v, 0, "capabilities.keep must be a list of capability names (CAP_CHOWN, ...) or [all]");
	l->caps_set = true;
	l->caps_all = false;
	l->caps_keep = 0;
	l->caps_at = origin_of(c, v);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s, *near;
		int cap;

		if (expect_scalar(c, item, "capabilities.keep", &s) < 0)
			return -EINVAL;
		if (!strcmp(s, "all")) {
			l->caps_all = true;
			continue;
		}
		cap = sk_cap_lookup(s);
		if (cap < 0) {
			char with[64];

			near = sk_cap_suggest(s);
			if (!near && strncasecmp(s, "CAP_", 4) != 0) {
				/* "SYS_ADMIN": the name without its prefix */
				snprintf(with, sizeof(with), "CAP_%s", s);
				near = sk_cap_lookup(with) >= 0 ? sk_cap_name(sk_cap_lookup(with)) : sk_cap_suggest(with);
			}
			if (near)
				return at_node(c, item, quote_offset(item),
					       "capabilities.keep: unknown capability `%s`, did you mean `%s`?", s, near);
			return at_node(c, item, quote_offset(item),
				       "capabilities.keep: unknown capability `%s` (names as in capabilities(7), "
				       "such as CAP_CHOWN, or `all`)",
				       s);
		}
		if (l->caps_keep & (1ULL << cap))
			return at_node(c, item, quote_offset(item), "`%s` is listed twice in capabilities.keep", s);
		l->caps_keep |= 1ULL << cap;
	}
	if (l->caps_all && l->caps_keep)
		return at_node(c, v, 0, "capabilities.keep: `all` keeps everything; list no names beside it");
	return 0;
}

static int isolation_parse(const char *s, enum sk_isolation *out)
{
	if (!strcmp(s, "auto"))
		*out = SK_ISOLATION_AUTO;
	else if (!strcmp(s, "required"))
		*out = SK_ISOLATION_REQUIRED;
	else if (!strcmp(s, "off"))
		*out = SK_ISOLATION_OFF;
	else
		return -EINVAL;
	return 0;
}

static int parse_isolation(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;
	const char *s;

	if (expect_scalar(c, n, "isolation", &s) < 0)
		return -EINVAL;
	if (isolation_parse(s, &l->isolation) < 0)
		return at_node(c, n, quote_offset(n),
			       "isolation is `auto` (namespaces where this kernel lets stockade make them), "
			       "`required` (refuse to run without them) or `off`, not `%s`",
			       s);
	l->isolation_at = origin_of(c, n);
	return 0;
}

/* A socket path: absolute, under ~, or starting with an environment
 * variable ($SSH_AUTH_SOCK), expanded when the command starts. */
static const char *socket_path_check(const char *s)
{
	if (!*s)
		return "the path is empty";
	if (s[0] == '/' || (s[0] == '~' && (s[1] == '/' || !s[1])))
		return NULL;
	if (s[0] == '$' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z') || (s[1] >= 'a' && s[1] <= 'z')))
		return NULL;
	return "a socket path starts with /, ~/ or $VARIABLE";
}

static int parse_sockets(struct ctx *c, yaml_node_t *n)
{
	static const char *const keys[] = { "allow", NULL };
	struct sk_layer *l = c->layer;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "sockets must be a mapping (allow)");
	if (check_keys(c, n, "sockets", keys) < 0)
		return -EINVAL;
	if (!(v = lookup(c, n, "allow")))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return at_node(c, v, 0, "sockets.allow must be a list of socket paths");
	if (seq_len(v) > MAX_LIST_ITEMS)
		return at_node(c, v, 0, "sockets.allow has %zu entries; the limit is %d", seq_len(v), MAX_LIST_ITEMS);
	l->sockets = calloc(seq_len(v) ? seq_len(v) : 1, sizeof(*l->sockets));
	if (!l->sockets)
		return oom(c);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s, *msg;

		if (expect_scalar(c, item, "sockets.allow", &s) < 0)
			return -EINVAL;
		if ((msg = socket_path_check(s)))
			return at_node(c, item, quote_offset(item), "sockets.allow: %s", msg);
		for (size_t k = 0; k < l->nsockets; k++)
			if (!strcmp(l->sockets[k].path, s))
				return at_node(c, item, quote_offset(item), "`%s` is listed twice in sockets.allow", s);
		l->sockets[l->nsockets].path = strdup(s);
		if (!l->sockets[l->nsockets].path)
			return oom(c);
		l->sockets[l->nsockets].at = origin_of(c, item);
		l->nsockets++;
	}
	return 0;
}

int sk_parse_access(struct ctx *c, yaml_node_t *root)
{
	yaml_node_t *v;

	if ((v = lookup(c, root, "filesystem")) && parse_filesystem(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "network")) && parse_network(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "scope")) && parse_scope(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "landlock")) && parse_landlock(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "capabilities")) && parse_capabilities(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "isolation")) && parse_isolation(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "sockets")) && parse_sockets(c, v) < 0)
		return -EINVAL;
	if ((v = lookup(c, root, "environment")) && sk_parse_environment(c, v) < 0)
		return -EINVAL;
	return 0;
}

void sk_layer_free_access(struct sk_layer *l)
{
	for (size_t i = 0; i < l->nundeny; i++)
		free(l->undeny[i].path);
	free(l->undeny);
	for (size_t i = 0; i < l->ndevices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (int k = 0; k < SK_FS_NKINDS; k++) {
		for (size_t i = 0; i < l->nfs[k]; i++)
			free(l->fs[k][i].path);
		free(l->fs[k]);
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++)
		free(l->tcp[d]);
	for (size_t i = 0; i < l->nsockets; i++)
		free(l->sockets[i].path);
	free(l->sockets);
	sk_layer_free_network(l);
	sk_layer_free_env(l);
}

/* ---- command-line overrides ---- */

int stockade_policy_set_network(stockade_policy *p, const char *mode, stockade_error **err)
{
	struct sk_layer *l;
	enum sk_net_mode m;

	if (net_mode_parse(mode, &m) < 0)
		return sk_error(err, EINVAL, "--net %s: the mode is none, unix, proxy or full", mode);
	l = sk_policy_cli_layer(p, err);
	if (!l)
		return -ENOMEM;
	l->net_mode = m;
	l->net_at = (struct sk_origin){ .file = l->file };
	return 0;
}

int stockade_policy_set_isolation(stockade_policy *p, const char *mode, stockade_error **err)
{
	if (isolation_parse(mode, &p->isolation_override) < 0)
		return sk_error(err, EINVAL, "--isolation %s: the mode is auto, required or off", mode);
	return 0;
}

int stockade_policy_add_path(stockade_policy *p, const char *list, const char *path, stockade_error **err)
{
	struct sk_layer *l;
	struct sk_path_ref *n;
	const char *msg;
	size_t off;
	int k;

	for (k = 0; k < SK_FS_NKINDS; k++)
		if (!strcmp(fs_key[k], list))
			break;
	if (k == SK_FS_NKINDS)
		return sk_error(err, EINVAL, "unknown filesystem list `%s`", list);
	if (sk_path_check(path, k == SK_FS_DENY || k == SK_FS_READ_ONLY, &msg, &off) < 0)
		return sk_error(err, EINVAL, "--%s %s: %s", list, path, msg);
	l = sk_policy_cli_layer(p, err);
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < l->nfs[k]; i++)
		if (!strcmp(l->fs[k][i].path, path))
			return 0;
	n = realloc(l->fs[k], (l->nfs[k] + 1) * sizeof(*n));
	if (!n)
		return sk_error(err, ENOMEM, "out of memory");
	l->fs[k] = n;
	n[l->nfs[k]].path = strdup(path);
	if (!n[l->nfs[k]].path)
		return sk_error(err, ENOMEM, "out of memory");
	n[l->nfs[k]].at = (struct sk_origin){ .file = l->file };
	l->nfs[k]++;
	l->fs_set = true;
	l->fs_at.file = l->file;
	return 0;
}
