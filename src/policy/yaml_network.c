/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parts of `network:` that name hosts and addresses (docs/network.md):
 *
 *   network:
 *     mode: proxy
 *     allow:                      # reached through stockade's proxy
 *       - registry.npmjs.org      # ports 443 and 80
 *       - "*.githubusercontent.com"   # any name below it (not the domain itself)
 *       - github.com:443
 *     hosts:                      # resolved by the proxy only, private addresses too
 *       registry.test: 127.0.0.1
 *     private: ["*.corp.example"] # resolved by DNS, private addresses accepted
 *     tcp_connect: ["127.0.0.1:5432", "[::1]:8080", 9000]
 *
 * The same syntax for --allow-host and --tcp-connect.  The YAML section
 * itself is yaml_access.c's parse_network().
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/yaml.h"

static int oom(stockade_error **err)
{
	return sk_error(err, ENOMEM, "out of memory");
}

/* ":PORT" at s (the whole rest of the string); 1..65535. */
static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int sk_host_pattern_parse(const char *s, char **pattern, uint16_t *port, const char **msg)
{
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s), label = 0;
	const char *name = s;
	char *out;

	*port = 0;
	if (strstr(s, "://") || strchr(s, '/')) {
		*msg = "a host name, not a URL (registry.npmjs.org, not https://registry.npmjs.org/)";
		return -EINVAL;
	}
	if (colon && parse_port(colon + 1, port) < 0) {
		*msg = "the port after `:` is a number from 1 to 65535";
		return -EINVAL;
	}
	if (n >= 2 && name[0] == '*' && name[1] == '.')
		name += 2, n -= 2;
	if (n == 0 || n > 253) {
		*msg = "a host name is 1 to 253 characters (`*.example.com` for the names below a domain)";
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '.') {
			if (label == 0 || name[i - 1] == '-') {
				*msg = "empty label or a label ending in `-`";
				return -EINVAL;
			}
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_') {
			*msg = ch == '*' ? "`*` only as `*.` at the start (`*.example.com`)"
					 : "a host name has letters, digits, `-` and `.` (no scheme, path or address)";
			return -EINVAL;
		}
		if (label == 0 && ch == '-') {
			*msg = "a label cannot start with `-`";
			return -EINVAL;
		}
		if (++label > 63) {
			*msg = "a label is at most 63 characters";
			return -EINVAL;
		}
	}
	if (label == 0) {
		*msg = "the name ends in `.`";
		return -EINVAL;
	}
	out = malloc((size_t)(name - s) + n + 1);
	if (!out)
		return -ENOMEM;
	memcpy(out, s, (size_t)(name - s));
	for (size_t i = 0; i < n; i++)
		out[(size_t)(name - s) + i] = (char)tolower((unsigned char)name[i]);
	out[(size_t)(name - s) + n] = '\0';
	*pattern = out;
	return 0;
}

int sk_tcp_connect_parse(const char *s, struct sk_port_ref *out, const char **msg)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;

	*out = (struct sk_port_ref){ 0 };
	*msg = "a port number (0 to 65535) or ADDRESS:PORT (127.0.0.1:5432, [::1]:8080)";
	if (!strchr(s, ':')) {
		char *end;
		unsigned long v;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*end || errno || v > 65535)
			return -EINVAL;
		out->port = (uint16_t)v;
		return 0;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - s - 1);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = close + 1;
		if (inet_pton(AF_INET6, host, out->addr) != 1)
			return -EINVAL;
		out->family = AF_INET6;
		/* ::ffff:a.b.c.d is a.b.c.d (as connect() mediation compares) */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (!memcmp(out->addr, mapped, 12)) {
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
			out->family = AF_INET;
		}
	} else {
		colon = strchr(s, ':');
		n = (size_t)(colon - s);
		if (n >= sizeof(host) || strchr(colon + 1, ':'))
			return -EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
		if (inet_pton(AF_INET, host, out->addr) != 1)
			return -EINVAL;
		out->family = AF_INET;
	}
	if (parse_port(colon + 1, &out->port) < 0)
		return -EINVAL;
	return 0;
}

int sk_host_pin_check(const char *addr)
{
	uint8_t buf[16];

	return inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1 ? 0 : -EINVAL;
}

int sk_layer_add_allow(struct sk_layer *l, const char *s, struct sk_origin at, const char **msg,
		       stockade_error **err)
{
	struct sk_host_ref *n;
	char *pattern = NULL;
	uint16_t port;
	int ret = sk_host_pattern_parse(s, &pattern, &port, msg);

	if (ret == -ENOMEM)
		return oom(err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < l->nnet_allow; i++)
		if (l->net_allow[i].port == port && !strcmp(l->net_allow[i].pattern, pattern)) {
			free(pattern);
			return 0;
		}
	n = realloc(l->net_allow, (l->nnet_allow + 1) * sizeof(*n));
	if (!n) {
		free(pattern);
		return oom(err);
	}
	l->net_allow = n;
	n[l->nnet_allow++] = (struct sk_host_ref){ .pattern = pattern, .port = port, .at = at };
	return 0;
}

int sk_layer_add_tcp_connect(struct sk_layer *l, const struct sk_port_ref *ref, stockade_error **err)
{
	struct sk_port_ref *n;

	for (size_t i = 0; i < l->ntcp[SK_TCP_CONNECT]; i++) {
		const struct sk_port_ref *o = &l->tcp[SK_TCP_CONNECT][i];
		if (o->port == ref->port && o->family == ref->family && !memcmp(o->addr, ref->addr, sizeof(o->addr)))
			return 1;
	}
	n = realloc(l->tcp[SK_TCP_CONNECT], (l->ntcp[SK_TCP_CONNECT] + 1) * sizeof(*n));
	if (!n)
		return oom(err);
	l->tcp[SK_TCP_CONNECT] = n;
	n[l->ntcp[SK_TCP_CONNECT]++] = *ref;
	return 0;
}

const char *sk_net_mode_name(enum sk_net_mode m)
{
	switch (m) {
	case SK_NET_NONE:
		return "none";
	case SK_NET_UNIX:
		return "unix";
	case SK_NET_PROXY:
		return "proxy";
	case SK_NET_FULL:
	case SK_NET_UNSET:
		break;
	}
	return "full";
}

enum sk_net_mode sk_policy_net_mode(const stockade_policy *p)
{
	enum sk_net_mode m = SK_NET_UNSET;

	for (size_t li = 0; li < p->nlayers; li++)
		if (p->layers[li]->net_mode)
			m = p->layers[li]->net_mode;
	return m;
}

/* ---- YAML ---- */

int sk_parse_net_allow(struct ctx *c, yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "network.allow must be a list of host names (registry.npmjs.org, "
				  "\"*.example.com\", github.com:443)");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		const char *s, *msg = NULL;
		int ret;

		if (expect_scalar(c, item, "network.allow", &s) < 0)
			return -EINVAL;
		ret = sk_layer_add_allow(c->layer, s, origin_of(c, item), &msg, c->err);
		if (ret == -EINVAL)
			return at_node(c, item, quote_offset(item), "network.allow: `%s`: %s", s, msg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int sk_parse_net_hosts(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;

	if (n->type != YAML_MAPPING_NODE)
		return at_node(c, n, 0, "network.hosts must be a mapping of host name to address (registry.test: "
				  "127.0.0.1)");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const char *name, *addr, *msg = NULL;
		struct sk_host_pin *np;
		char *pattern = NULL;
		uint16_t port;
		int ret;

		if (expect_scalar(c, k, "network.hosts", &name) < 0 || expect_scalar(c, v, "network.hosts", &addr) < 0)
			return -EINVAL;
		ret = sk_host_pattern_parse(name, &pattern, &port, &msg);
		if (ret == 0 && (port || pattern[0] == '*')) {
			msg = "a pin names one host, without `*.` or a port";
			ret = -EINVAL;
		}
		if (ret == -ENOMEM)
			return oom(c->err);
		if (ret < 0) {
			free(pattern);
			return at_node(c, k, quote_offset(k), "network.hosts: `%s`: %s", name, msg);
		}
		if (sk_host_pin_check(addr) < 0) {
			free(pattern);
			return at_node(c, v, quote_offset(v),
				       "network.hosts: `%s` is not an IPv4 or IPv6 address (127.0.0.1, ::1)", addr);
		}
		np = realloc(l->net_pins, (l->nnet_pins + 1) * sizeof(*np));
		if (!np) {
			free(pattern);
			return oom(c->err);
		}
		l->net_pins = np;
		np[l->nnet_pins] = (struct sk_host_pin){ .name = pattern, .addr = strdup(addr), .at = origin_of(c, k) };
		if (!np[l->nnet_pins].addr) {
			free(pattern);
			return oom(c->err);
		}
		l->nnet_pins++;
	}
	return 0;
}

int sk_parse_net_private(struct ctx *c, yaml_node_t *n)
{
	struct sk_layer *l = c->layer;

	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "network.private must be a list of host names whose private addresses the "
				  "proxy may reach (\"*.corp.example\")");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		struct sk_host_ref *np;
		const char *s, *msg = NULL;
		char *pattern = NULL;
		uint16_t port;
		int ret;

		if (expect_scalar(c, item, "network.private", &s) < 0)
			return -EINVAL;
		ret = sk_host_pattern_parse(s, &pattern, &port, &msg);
		if (ret == 0 && port) {
			msg = "a name or `*.domain`, without a port (the port is network.allow's)";
			ret = -EINVAL;
		}
		if (ret == -ENOMEM)
			return oom(c->err);
		if (ret < 0) {
			free(pattern);
			return at_node(c, item, quote_offset(item), "network.private: `%s`: %s", s, msg);
		}
		np = realloc(l->net_private, (l->nnet_private + 1) * sizeof(*np));
		if (!np) {
			free(pattern);
			return oom(c->err);
		}
		l->net_private = np;
		np[l->nnet_private++] = (struct sk_host_ref){ .pattern = pattern, .at = origin_of(c, item) };
	}
	return 0;
}

int sk_parse_tcp_connect(struct ctx *c, yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return at_node(c, n, 0, "network.tcp_connect must be a list of ports or ADDRESS:PORT entries");
	if ((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) > MAX_LIST_ITEMS)
		return at_node(c, n, 0, "network.tcp_connect has more than %d entries", MAX_LIST_ITEMS);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		struct sk_port_ref ref;
		const char *s, *msg;
		int ret;

		if (expect_scalar(c, item, "network.tcp_connect", &s) < 0)
			return -EINVAL;
		if (sk_tcp_connect_parse(s, &ref, &msg) < 0)
			return at_node(c, item, quote_offset(item), "network.tcp_connect: `%s` is not %s", s, msg);
		ref.at = origin_of(c, item);
		ret = sk_layer_add_tcp_connect(c->layer, &ref, c->err);
		if (ret < 0)
			return ret;
		if (ret > 0 && !ref.family)
			return at_node(c, item, quote_offset(item), "port %u is listed twice in network.tcp_connect",
				       ref.port);
		if (ret > 0)
			return at_node(c, item, quote_offset(item), "`%s` is listed twice in network.tcp_connect", s);
	}
	return 0;
}

void sk_layer_free_network(struct sk_layer *l)
{
	for (size_t i = 0; i < l->nnet_allow; i++)
		free(l->net_allow[i].pattern);
	free(l->net_allow);
	for (size_t i = 0; i < l->nnet_pins; i++) {
		free(l->net_pins[i].name);
		free(l->net_pins[i].addr);
	}
	free(l->net_pins);
	for (size_t i = 0; i < l->nnet_private; i++)
		free(l->net_private[i].pattern);
	free(l->net_private);
}

/* ---- command-line overrides ---- */

int stockade_policy_allow_host(stockade_policy *p, const char *host, stockade_error **err)
{
	struct sk_layer *l = sk_policy_cli_layer(p, err);
	const char *msg = NULL;
	int ret;

	if (!l)
		return -ENOMEM;
	ret = sk_layer_add_allow(l, host, (struct sk_origin){ .file = l->file }, &msg, err);
	if (ret == -EINVAL)
		return sk_error(err, EINVAL, "--allow-host %s: %s", host, msg);
	if (ret < 0)
		return ret;
	/* A host to reach means the proxy, unless a mode was chosen. */
	if (!l->net_mode) {
		l->net_mode = SK_NET_PROXY;
		l->net_at = (struct sk_origin){ .file = l->file };
	}
	return 0;
}

int stockade_policy_tcp_connect(stockade_policy *p, const char *entry, stockade_error **err)
{
	struct sk_layer *l = sk_policy_cli_layer(p, err);
	struct sk_port_ref ref;
	const char *msg;
	int ret;

	if (!l)
		return -ENOMEM;
	if (sk_tcp_connect_parse(entry, &ref, &msg) < 0)
		return sk_error(err, EINVAL, "--tcp-connect %s: not %s", entry, msg);
	ref.at = (struct sk_origin){ .file = l->file };
	ret = sk_layer_add_tcp_connect(l, &ref, err);
	return ret < 0 ? ret : 0;
}
