/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem, network, scope and landlock keys: parsing (errors at
 * file:line:col), layer semantics, the socket rules the network mode adds,
 * and path expansion.  What the filesystem lists expand to on a scratch
 * tree is in test_landlock_walk.c.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plan_helpers.h"

/* The error a policy text gives (NULL if it loads and builds). */
static stockade_error *load_error(const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) == 0 && stockade_policy_add_text(p, ORIGIN, text, strlen(text), &err) == 0)
		stockade_plan_build(p, &plan, &err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return err;
}

static void check_error(int line, const char *text, const char *msg, int eline, int ecol)
{
	stockade_error *err = load_error(text);

	if (!err) {
		fprintf(stderr, "  test_landlock_policy.c:%d: loaded, want an error with \"%s\"\n", line, msg);
		harness_failed_checks++;
		return;
	}
	if (!err->msg || !strstr(err->msg, msg) || err->line != eline || err->column != ecol) {
		fprintf(stderr, "  test_landlock_policy.c:%d: got %d:%d \"%s\", want %d:%d \"%s\"\n", line, err->line,
			err->column, err->msg ? err->msg : "", eline, ecol, msg);
		harness_failed_checks++;
	}
	stockade_error_free(err);
}

#define ERROR_AT(text, msg, line, col) check_error(__LINE__, text, msg, line, col)

TEST(landlock_parse_errors)
{
	ERROR_AT("filesystem:\n  reed: [/]\n", "unknown key `reed` in filesystem, did you mean `read`?", 2, 3);
	ERROR_AT("filesystem:\n  read: /\n", "filesystem.read must be a list of paths", 2, 9);
	ERROR_AT("filesystem:\n  read: [~bob/x]\n", "`~user` is not supported", 2, 10);
	ERROR_AT("filesystem:\n  read: [$HOMEDIR/x]\n", "unknown variable", 2, 10);
	ERROR_AT("filesystem:\n  read: [$HOMEx]\n", "unknown variable", 2, 10);
	ERROR_AT("filesystem:\n  read: [\"${HOME/x\"]\n", "without its `}`", 2, 11);
	ERROR_AT("filesystem:\n  read: [/a/$HOME]\n", "only allowed at the start", 2, 13);
	ERROR_AT("filesystem:\n  write: [/tmp/*]\n", "wildcards are only allowed in deny and read_only", 2, 16);
	ERROR_AT("filesystem:\n  deny: [~/.*/id_rsa]\n", "only allowed in the last component", 2, 13);
	ERROR_AT("filesystem:\n  deny: [~/.aws, ~/.aws]\n", "`~/.aws` is listed twice in filesystem.deny", 2, 18);
	ERROR_AT("filesystem:\n  read: [\"\"]\n", "an empty path", 2, 11);
	ERROR_AT("filesystem:\n  replace: maybe\n", "filesystem.replace must be true or false", 2, 12);
	ERROR_AT("network:\n  mode: offline\n", "network.mode is `none`", 2, 9);
	ERROR_AT("network:\n  tcp_connect: [80, 70000]\n", "`70000` is not a port number", 2, 21);
	ERROR_AT("network:\n  tcp_bind: [-1]\n", "`-1` is not a port number", 2, 14);
	ERROR_AT("network:\n  tcp_bind: [http]\n", "`http` is not a port number", 2, 14);
	ERROR_AT("network:\n  tcp_connect: [443, 443]\n", "port 443 is listed twice", 2, 22);
	ERROR_AT("network:\n  mod: none\n", "did you mean `mode`?", 2, 3);
	/* network.allow, hosts, tcp_connect addresses (issue 15) */
	ERROR_AT("network:\n  allow: [\"https://registry.npmjs.org\"]\n", "not a URL", 2, 12);
	ERROR_AT("network:\n  allow: [\"*example.com\"]\n", "`*` only as `*.` at the start", 2, 12);
	ERROR_AT("network:\n  allow: [a..b]\n", "empty label", 2, 11);
	ERROR_AT("network:\n  allow: [github.com:0]\n", "the port after `:`", 2, 11);
	ERROR_AT("network:\n  allow: [github.com:70000]\n", "the port after `:`", 2, 11);
	ERROR_AT("network:\n  allow: github.com\n", "network.allow must be a list", 2, 10);
	ERROR_AT("network:\n  hosts: [a.test]\n", "network.hosts must be a mapping", 2, 10);
	ERROR_AT("network:\n  hosts:\n    a.test: 10.0.0\n", "not an IPv4 or IPv6 address", 3, 13);
	ERROR_AT("network:\n  hosts:\n    \"*.a.test\": 127.0.0.2\n", "a pin names one host", 3, 6);
	ERROR_AT("network:\n  private: [corp.example:443]\n", "without a port", 2, 13);
	ERROR_AT("network:\n  private: corp.example\n", "network.private must be a list", 2, 12);
	ERROR_AT("network:\n  tcp_connect: [\"127.0.0.1\"]\n", "is not a port number", 2, 18);
	ERROR_AT("network:\n  tcp_connect: [\"127.0.0.1:99999\"]\n", "is not a port number", 2, 18);
	ERROR_AT("network:\n  tcp_connect: [\"::1:80\"]\n", "is not a port number", 2, 18);
	ERROR_AT("network:\n  tcp_connect: [\"[::1]:80\", \"[::1]:80\"]\n", "is listed twice", 2, 30);
	ERROR_AT("scope:\n  signals: sometimes\n", "scope.signals must be true or false", 2, 12);
	ERROR_AT("scope:\n  abstract: true\n", "unknown key `abstract` in scope", 2, 3);
	ERROR_AT("landlock: maybe\n", "landlock is `best_effort`", 1, 11);
	ERROR_AT("landlock: [required]\n", "landlock must be a single value", 1, 11);
	/* A network mode needs the filter that enforces it. */
	ERROR_AT("seccomp:\n  enabled: false\nnetwork:\n  mode: none\n", "needs the seccomp filter", 0, 0);
}

TEST(landlock_parse_accepts)
{
	stockade_error *err = load_error("filesystem:\n"
					 "  replace: true\n"
					 "  read: [/, ~, \"~/x y\", $HOME/a, \"${CWD}/b\", $TMPDIR, rel/dir, ./x, ../up, /trailing/]\n"
					 "  write: [$CWD]\n"
					 "  exec: [/usr]\n"
					 "  deny: [~/.ssh/id_*, \"~/.*_history\", ~/.aws, \"$HOME/[ab]?c\"]\n"
					 "  read_only: [$CWD/.git/hooks]\n"
					 "network:\n  mode: unix\n  tcp_connect: [0, 443, 65535, \"127.0.0.1:5432\", \"[::1]:8080\"]\n"
					 "  tcp_bind: []\n  allow: [registry.npmjs.org, \"*.githubusercontent.com\", github.com:443]\n"
					 "  hosts:\n    registry.test: 127.0.0.1\n    v6.test: \"::1\"\n"
					 "  private: [\"*.corp.example\", intranet]\n"
					 "scope:\n  signals: true\n  abstract_unix_sockets: false\n"
					 "landlock: required\n");

	CHECK_MSG(err == NULL, "%s", err && err->msg ? err->msg : "");
	stockade_error_free(err);
}

TEST(landlock_presets)
{
	stockade_plan *agent = plan_of("agent", NULL), *strict = plan_of("strict", NULL), *none = plan_of("none", NULL);

	if (!agent || !strict || !none)
		goto out;
	CHECK(agent->access.fs);
	CHECK_INT_EQ(agent->access.net, SK_NET_NONE);
	CHECK(agent->access.scope_signals && agent->access.scope_abstract);
	CHECK_INT_EQ(agent->access.landlock, SK_LANDLOCK_BEST_EFFORT);
	CHECK(agent->access.tcp_handled[SK_TCP_CONNECT] && agent->access.tcp_handled[SK_TCP_BIND]);
	CHECK(agent->net_fallback == NULL);
	/* strict replaces agent's lists: no read of / any more, the secrets again. */
	bool reads_root = false, denies_keys = false;
	for (size_t i = 0; i < strict->access.npaths; i++) {
		const struct sk_fs_path *p = &strict->access.paths[i];
		reads_root |= p->kind == SK_FS_READ && !strcmp(p->path, "/");
		denies_keys |= p->kind == SK_FS_DENY && !strcmp(p->path, "~/.ssh/id_*");
		CHECK_MSG(!strcmp(p->at.file, "presets/strict.yaml"), "%s comes from %s", p->path, p->at.file);
	}
	CHECK(!reads_root);
	CHECK(denies_keys);
	CHECK_INT_EQ(strict->access.net, SK_NET_NONE);
	/* none: nothing. */
	CHECK(!none->access.fs);
	CHECK_INT_EQ(none->access.net, SK_NET_FULL);
	CHECK(!none->access.scope_signals && !none->access.scope_abstract);
out:
	stockade_plan_free(agent);
	stockade_plan_free(strict);
	stockade_plan_free(none);
}

TEST(landlock_devices_errors)
{
	ERROR_AT("filesystem:\n  devices: null\n", "filesystem.devices must be a list of names in /dev", 2, 12);
	ERROR_AT("filesystem:\n  devices: [/dev/null]\n", "filesystem.devices: a name inside /dev, without /dev/", 2, 13);
	ERROR_AT("filesystem:\n  devices: [tty*]\n", "no pattern, variable or control character", 2, 16);
	ERROR_AT("filesystem:\n  devices: [pts/../sda]\n", "an empty, `.` or `..` component", 2, 17);
	ERROR_AT("filesystem:\n  devices: [\"dri//card0\"]\n", "an empty, `.` or `..` component", 2, 18);
	ERROR_AT("filesystem:\n  devices: [pts/]\n", "a trailing slash", 2, 16);
	ERROR_AT("filesystem:\n  devices: [null, zero, null]\n", "`null` is listed twice in filesystem.devices", 2, 25);
}

/* /dev by name: the layer carves /dev out, the names sit just above its
 * carve-outs and below the next layer's. */
TEST(landlock_devices_in_the_plan)
{
	stockade_plan *p;

	p = plan_from("filesystem:\n  read: [/]\n  devices: [null, pts]\n",
		      "filesystem:\n  deny: [/dev/pts]\n", (const char *)NULL);
	if (p) {
		bool deny_dev = false, null = false, pts = false, upper = false;

		for (size_t i = 0; i < p->access.npaths; i++) {
			const struct sk_fs_path *x = &p->access.paths[i];

			deny_dev |= x->kind == SK_FS_DENY && !strcmp(x->path, "/dev") &&
				    x->layer == sk_fs_place(0, SK_FS_AT_GRANTS);
			null |= x->kind == SK_FS_WRITE && !strcmp(x->path, "/dev/null") &&
				x->layer == sk_fs_place(0, SK_FS_AT_DEVICES);
			pts |= x->kind == SK_FS_WRITE && !strcmp(x->path, "/dev/pts") &&
			       x->layer == sk_fs_place(0, SK_FS_AT_DEVICES);
			upper |= x->kind == SK_FS_DENY && !strcmp(x->path, "/dev/pts") &&
				 x->layer == sk_fs_place(1, SK_FS_AT_CARVES);
		}
		CHECK(deny_dev && null && pts && upper);
	}
	stockade_plan_free(p);
	/* replace: true drops the names but keeps the carve-out of /dev, as
	 * it keeps the lower layers' deny: entries ... */
	p = plan_from("filesystem:\n  read: [/]\n  devices: [null]\n",
		      "filesystem:\n  replace: true\n  read: [/]\n", (const char *)NULL);
	if (p) {
		size_t deny_dev = 0, names = 0;

		for (size_t i = 0; i < p->access.npaths; i++) {
			deny_dev += p->access.paths[i].kind == SK_FS_DENY && !strcmp(p->access.paths[i].path, "/dev");
			names += !strcmp(p->access.paths[i].path, "/dev/null");
		}
		CHECK_INT_EQ(deny_dev, 1);
		CHECK_INT_EQ(names, 0);
	}
	stockade_plan_free(p);
	/* ... unless the replacing layer names it in undeny:. */
	p = plan_from("filesystem:\n  read: [/]\n  devices: [null]\n",
		      "filesystem:\n  replace: true\n  read: [/]\n  undeny: [/dev]\n", (const char *)NULL);
	if (p) {
		for (size_t i = 0; i < p->access.npaths; i++)
			CHECK_MSG(strncmp(p->access.paths[i].path, "/dev", 4), "%s is still there", p->access.paths[i].path);
	}
	stockade_plan_free(p);
}

/* `devices: []` in an upper layer: /dev carved out with no name, so no
 * device of the lower layers is left (as a list of other names leaves
 * only those); an upper layer without the key leaves them. */
TEST(landlock_devices_empty_list_empties)
{
	stockade_plan *p;

	for (int with_key = 0; with_key < 2; with_key++) {
		p = plan_from("filesystem:\n  read: [/]\n  devices: [null, pts]\n",
			      with_key ? "filesystem:\n  devices: []\n" : "filesystem:\n  read: [/tmp]\n",
			      (const char *)NULL);
		if (!p)
			continue;
		bool upper_carve = false;

		for (size_t i = 0; i < p->access.npaths; i++) {
			const struct sk_fs_path *x = &p->access.paths[i];

			upper_carve |= x->kind == SK_FS_DENY && !strcmp(x->path, "/dev") &&
				       x->layer == sk_fs_place(1, SK_FS_AT_GRANTS);
		}
		CHECK_MSG(upper_carve == (with_key != 0), "devices: [] %s: the upper layer's carve-out of /dev",
			  with_key ? "given" : "absent");
		stockade_plan_free(p);
	}
	/* With replace: true as well, /dev is restated, not carried twice. */
	p = plan_from("filesystem:\n  read: [/]\n  devices: [null]\n",
		      "filesystem:\n  replace: true\n  read: [/]\n  devices: []\n", (const char *)NULL);
	if (p) {
		size_t deny_dev = 0, names = 0;

		for (size_t i = 0; i < p->access.npaths; i++) {
			deny_dev += p->access.paths[i].kind == SK_FS_DENY && !strcmp(p->access.paths[i].path, "/dev");
			names += !strncmp(p->access.paths[i].path, "/dev/", 5);
		}
		CHECK_INT_EQ(deny_dev, 1);
		CHECK_INT_EQ(names, 0);
	}
	stockade_plan_free(p);
}

TEST(landlock_layers_merge_and_replace)
{
	stockade_plan *p;

	/* Lists add up; a layer's replace drops the ones below it. */
	p = plan_from("filesystem:\n  read: [/a]\nnetwork:\n  tcp_connect: [1, 2]\n",
		      "filesystem:\n  read: [/b]\nnetwork:\n  tcp_connect: [2, 3]\n", (const char *)NULL);
	if (p) {
		CHECK_INT_EQ(p->access.npaths, 2);
		CHECK_INT_EQ(p->access.ntcp[SK_TCP_CONNECT], 3);
		CHECK_INT_EQ(p->access.paths[0].layer, 0);
		CHECK_INT_EQ(p->access.paths[1].layer, sk_fs_place(1, SK_FS_AT_GRANTS)); /* plan.h */
		/* mode full: a list restricts its direction only */
		CHECK(p->access.tcp_handled[SK_TCP_CONNECT]);
		CHECK(!p->access.tcp_handled[SK_TCP_BIND]);
	}
	stockade_plan_free(p);
	p = plan_from("filesystem:\n  read: [/a]\nnetwork:\n  tcp_connect: [1]\n",
		      "filesystem:\n  replace: true\n  read: [/b]\nnetwork:\n  replace: true\n  tcp_bind: [9]\n",
		      (const char *)NULL);
	if (p) {
		CHECK_INT_EQ(p->access.npaths, 1);
		CHECK(p->access.npaths == 1 && !strcmp(p->access.paths[0].path, "/b"));
		CHECK_INT_EQ(p->access.ntcp[SK_TCP_CONNECT], 0);
		CHECK_INT_EQ(p->access.ntcp[SK_TCP_BIND], 1);
	}
	stockade_plan_free(p);
	/* Scalars: the last layer that sets one wins. */
	p = plan_from("preset:agent", "network:\n  mode: unix\nscope:\n  signals: false\nlandlock: required\n",
		      (const char *)NULL);
	if (p) {
		CHECK_INT_EQ(p->access.net, SK_NET_UNIX);
		CHECK(!p->access.scope_signals);
		CHECK(p->access.scope_abstract);
		CHECK_INT_EQ(p->access.landlock, SK_LANDLOCK_REQUIRED);
		CHECK_INT_EQ(p->access.net_at.line, 2);
		CHECK_STR_CONTAINS(p->access.net_at.file, ORIGIN);
	}
	stockade_plan_free(p);
}

TEST(landlock_command_line_overrides)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_policy_set_network(p, "full", NULL) == 0);
	CHECK(stockade_policy_add_path(p, "write", "~/.npm", NULL) == 0);
	CHECK(stockade_policy_set_network(p, "offline", &err) == -EINVAL);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "none, unix, proxy or full");
	stockade_error_free(err);
	err = NULL;
	CHECK(stockade_policy_add_path(p, "write", "/x/*", &err) == -EINVAL);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "wildcards");
	stockade_error_free(err);
	if (stockade_plan_build(p, &plan, NULL) == 0) {
		const struct sk_fs_path *last = &plan->access.paths[plan->access.npaths - 1];
		CHECK_INT_EQ(plan->access.net, SK_NET_FULL);
		CHECK(!strcmp(last->path, "~/.npm") && last->kind == SK_FS_WRITE);
		CHECK(!strcmp(last->at.file, "command line"));
		/* above the preset, so agent's carve-outs do not apply to it */
		CHECK(last->layer > plan->access.paths[0].layer);
		DECIDES(plan, "socket", "allow", AF_INET, SOCK_STREAM, 0);
	} else {
		CHECK(!"the plan builds");
	}
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

/* ---- the socket rules of the network mode ---- */

TEST(landlock_network_socket_rules)
{
	stockade_plan *p = plan_of("agent", NULL);

	/* none: AF_UNIX only, EACCES for the rest, before agent's own rules */
	DECIDES(p, "socket", "allow", AF_UNIX, SOCK_STREAM, 0);
	DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 0);
	DECIDES(p, "socket", "errno:EACCES", AF_INET6, SOCK_DGRAM, 0);
	DECIDES(p, "socket", "errno:EACCES", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	DECIDES(p, "socket", "errno:EACCES", AF_PACKET, SOCK_RAW, 0);
	DECIDES(p, "socket", "errno:EACCES", 0x100000001ULL, SOCK_STREAM, 0);
	/* agent denies io_uring already, with its own errno */
	DECIDES(p, "io_uring_setup", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(p);

	/* unix: and netlink route */
	p = plan_from("preset:agent", "network:\n  mode: unix\n", (const char *)NULL);
	DECIDES(p, "socket", "allow", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	DECIDES(p, "socket", "errno:EACCES", AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */);
	DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 0);
	DECIDES(p, "socket", "allow", AF_UNIX, SOCK_DGRAM, 0);
	stockade_plan_free(p);

	/* full: agent's own families */
	p = plan_from("preset:agent", "network:\n  mode: full\n", (const char *)NULL);
	DECIDES(p, "socket", "allow", AF_INET, SOCK_DGRAM, 0);
	DECIDES(p, "socket", "errno:EAFNOSUPPORT", AF_PACKET, SOCK_RAW, 0);
	stockade_plan_free(p);

	/* Ports under none: plain TCP passes, nothing else; the fallback plan
	 * (no Landlock for the ports) lets no TCP through. */
	p = plan_from("preset:agent", "network:\n  tcp_connect: [443]\n", (const char *)NULL);
	if (p) {
		CHECK(p->access.tcp_sockets);
		DECIDES(p, "socket", "allow", AF_INET, SOCK_STREAM, 0);
		DECIDES(p, "socket", "allow", AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_DGRAM, 0);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 262 /* IPPROTO_MPTCP */);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, IPPROTO_SCTP);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_RAW, IPPROTO_TCP);
		DECIDES(p, "socket", "errno:EACCES", AF_PACKET, SOCK_STREAM, 0);
		CHECK(p->net_fallback != NULL);
		if (p->net_fallback) {
			CHECK(!p->net_fallback->access.tcp_sockets);
			DECIDES(p->net_fallback, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 0);
			DECIDES(p->net_fallback, "socket", "allow", AF_UNIX, SOCK_STREAM, 0);
		}
	}
	stockade_plan_free(p);

	/* The mode takes away, never adds: a policy that denies TCP keeps it
	 * denied (the network gate answers first, with its EACCES). */
	p = plan_from("preset:agent", "seccomp:\n  deny: [socket]\nnetwork:\n  tcp_connect: [443]\n", (const char *)NULL);
	if (p) {
		CHECK(!p->access.tcp_sockets);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 0);
		DECIDES(p, "socket", "errno:EPERM", AF_UNIX, SOCK_STREAM, 0);
	}
	stockade_plan_free(p);

	/* Mode proxy: plain TCP passes seccomp (Landlock limits it to the
	 * proxy's port and tcp_connect), nothing else; hosts and pins are
	 * flattened over the layers, a later pin of a name winning. */
	p = plan_from("preset:agent",
		      "network:\n  mode: proxy\n  allow: [a.test, \"*.b.test\"]\n  hosts:\n    a.test: 127.0.0.2\n",
		      "network:\n  allow: [a.test, c.test:8443]\n  hosts:\n    a.test: 127.0.0.3\n"
		      "  tcp_connect: [\"127.0.0.1:5432\", 9000]\n",
		      (const char *)NULL);
	if (p) {
		CHECK(p->access.net == SK_NET_PROXY && p->access.tcp_sockets);
		DECIDES(p, "socket", "allow", AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		DECIDES(p, "socket", "allow", AF_INET6, SOCK_STREAM, IPPROTO_TCP);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_DGRAM, 0);
		DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_RAW, IPPROTO_TCP);
		DECIDES(p, "socket", "errno:EACCES", AF_NETLINK, SOCK_RAW, 0);
		DECIDES(p, "socket", "allow", AF_UNIX, SOCK_STREAM, 0);
		CHECK(p->access.tcp_handled[SK_TCP_CONNECT] && p->access.tcp_handled[SK_TCP_BIND]);
		CHECK(p->access.ntcp[SK_TCP_CONNECT] == 2 && p->access.ntcp[SK_TCP_BIND] == 0);
		CHECK_MSG(p->access.nhosts == 3, "%zu hosts", p->access.nhosts);
		CHECK(p->access.nhosts == 3 && !strcmp(p->access.hosts[1].pattern, "*.b.test") &&
		      p->access.hosts[2].port == 8443);
		CHECK(p->access.npins == 1 && !strcmp(p->access.pins[0].addr, "127.0.0.3"));
		CHECK(p->access.ntcp_addrs == 1 && p->access.tcp_addrs[0].family == AF_INET &&
		      p->access.tcp_addrs[0].port == 5432);
		CHECK(p->access.ntcp_bare == 1 && p->access.tcp_bare[0] == 9000);
		/* Addresses are checked at connect(): Fast Open cannot go around it. */
		{
			const uint64_t fo[SK_MAX_ARGS] = { 3, 0, 0, MSG_FASTOPEN }, ns[SK_MAX_ARGS] = { 3, 0, 0, MSG_NOSIGNAL };
			struct sk_verdict v;
			sk_plan_decide(p, "sendto", fo, &v);
			CHECK(v.action.type == SK_ACT_ERRNO && v.action.errnum == EACCES);
			sk_plan_decide(p, "sendto", ns, &v);
			CHECK(v.action.type == SK_ACT_ALLOW);
		}
		DECIDES(p, "sendmsg", "errno:EACCES", 3, 0, MSG_FASTOPEN | MSG_DONTWAIT);
		DECIDES(p, "sendmsg", "allow", 3, 0, MSG_DONTWAIT);
	}
	stockade_plan_free(p);
	/* An empty allow list is valid: everything refused, and reported. */
	p = plan_from("preset:strict", "network:\n  mode: proxy\n", (const char *)NULL);
	CHECK(p && p->access.net == SK_NET_PROXY && p->access.nhosts == 0);
	stockade_plan_free(p);
	/* --allow-host implies mode proxy; --tcp-connect takes an address. */
	stockade_policy *pol = NULL;
	stockade_error *e = NULL;
	CHECK(stockade_policy_new(&pol, &e) == 0);
	CHECK(stockade_policy_add_preset(pol, "agent", &e) == 0);
	CHECK(stockade_policy_allow_host(pol, "Registry.NPMjs.org", &e) == 0);
	CHECK(stockade_policy_tcp_connect(pol, "[::1]:8080", &e) == 0);
	{
		struct sk_port_ref ref;
		const char *msg;
		CHECK(sk_tcp_connect_parse("[::ffff:127.0.0.1]:80", &ref, &msg) == 0 && ref.family == AF_INET &&
		      ref.addr[0] == 127 && ref.addr[3] == 1 && ref.addr[4] == 0 && ref.port == 80);
	}
	CHECK(stockade_policy_allow_host(pol, "http://x", &e) == -EINVAL);
	stockade_error_free(e);
	e = NULL;
	CHECK(stockade_plan_build(pol, &p, &e) == 0);
	CHECK(p && p->access.net == SK_NET_PROXY && p->access.nhosts == 1 &&
	      !strcmp(p->access.hosts[0].pattern, "registry.npmjs.org") && p->access.ntcp_addrs == 1);
	stockade_plan_free(p);
	stockade_policy_free(pol);

	/* io_uring opens sockets the socket() rules never see. */
	p = plan_from("preset:minimal", "network:\n  mode: none\n", (const char *)NULL);
	DECIDES(p, "io_uring_setup", "errno:EACCES", 0, 0, 0);
	DECIDES(p, "socket", "errno:EACCES", AF_INET, SOCK_STREAM, 0);
	stockade_plan_free(p);
	p = plan_of("minimal", NULL);
	DECIDES(p, "io_uring_setup", "allow", 0, 0, 0);
	stockade_plan_free(p);
}

/* ---- paths ---- */

TEST(landlock_path_expand)
{
	char home[] = "/home/u", cwd[] = "/work/proj", tmp[] = "/tmp/t";
	struct sk_path_env env = { .home = home, .cwd = cwd, .tmpdir = tmp };
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "~", "/home/u" },
		{ "~/", "/home/u" },
		{ "~/.ssh/id_*", "/home/u/.ssh/id_*" },
		{ "$HOME/x", "/home/u/x" },
		{ "${HOME}/x", "/home/u/x" },
		{ "$CWD", "/work/proj" },
		{ "$CWD/.git/hooks", "/work/proj/.git/hooks" },
		{ "$TMPDIR/a", "/tmp/t/a" },
		{ "build", "/work/proj/build" },
		{ "./build/../out", "/work/proj/out" },
		{ "../sibling", "/work/sibling" },
		{ "/a//b/./c/", "/a/b/c" },
		{ "/..", "/" },
		{ "/", "/" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		int ret = sk_path_expand(cases[i].in, &env, &out);
		CHECK_MSG(ret == 0 && out && !strcmp(out, cases[i].out), "%s -> %s, want %s", cases[i].in,
			  out ? out : "(error)", cases[i].out);
		free(out);
	}
	env.home = NULL;
	char *out = NULL;
	CHECK_INT_EQ(sk_path_expand("~/.aws", &env, &out), -ENOENT);
	free(out);
}

/* Without a usable $HOME, ~ is the home directory /etc/passwd gives the
 * user (read directly, so the static CLI needs no NSS module): here the
 * same as getpwuid() says for an account kept in /etc/passwd. */
TEST(landlock_home_from_passwd)
{
	struct passwd *pw = getpwuid(getuid());
	const char *saved = getenv("HOME");
	char *keep = saved ? strdup(saved) : NULL;
	static const char *const unusable[] = { NULL, "", "relative/home" };

	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/') {
		free(keep);
		SKIP("this user has no home directory in the password database");
	}
	for (size_t i = 0; i < ARRAY_SIZE(unusable); i++) {
		struct sk_path_env env;
		stockade_error *err = NULL;

		if (unusable[i])
			setenv("HOME", unusable[i], 1);
		else
			unsetenv("HOME");
		CHECK_INT_EQ(sk_path_env_current(&env, &err), 0);
		CHECK_MSG(env.home && !strcmp(env.home, pw->pw_dir), "HOME=%s: home %s, want %s",
			  unusable[i] ? unusable[i] : "(unset)", env.home ? env.home : "(none)", pw->pw_dir);
		sk_path_env_free(&env);
		stockade_error_free(err);
	}
	setenv("HOME", "/elsewhere", 1);
	struct sk_path_env env;
	stockade_error *err = NULL;
	CHECK_INT_EQ(sk_path_env_current(&env, &err), 0);
	CHECK_MSG(env.home && !strcmp(env.home, "/elsewhere"), "HOME=/elsewhere: home %s", env.home ? env.home : "(none)");
	sk_path_env_free(&env);
	if (keep)
		setenv("HOME", keep, 1);
	else
		unsetenv("HOME");
	free(keep);
}
