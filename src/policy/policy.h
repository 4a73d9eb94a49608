/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy as written: a stack of layers (presets, files, command-line
 * overrides), each remembering where every entry came from.  plan/plan.c resolves
 * the stack into a plan.
 */
#ifndef STOCKADE_POLICY_H
#define STOCKADE_POLICY_H

#include "tables/tables.h"

/* Where a decision was written.  `file` points into the owning layer or plan. */
struct sk_origin {
	const char *file; /* "presets/agent.yaml", a path, or "command line" */
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

/* ---- filesystem, network, scope, landlock, capabilities (policy/yaml_access.c) ---- */

/* The path lists of `filesystem:`.  read, write and exec grant; deny and
 * read_only carve out of what the same or lower layers grant. */
enum sk_fs_kind {
	SK_FS_READ = 0,
	SK_FS_WRITE,
	SK_FS_EXEC,
	SK_FS_DENY,
	SK_FS_READ_ONLY,
	SK_FS_NKINDS,
};

enum sk_net_mode {
	SK_NET_UNSET = 0,
	SK_NET_FULL, /* no restriction (the socket families the seccomp policy allows) */
	SK_NET_UNIX, /* AF_UNIX and NETLINK_ROUTE only */
	SK_NET_NONE, /* AF_UNIX only */
	SK_NET_PROXY, /* AF_UNIX, and TCP to stockade's proxy (network.allow) and tcp_connect */
};

enum sk_tcp_dir {
	SK_TCP_CONNECT = 0,
	SK_TCP_BIND,
	SK_TCP_NDIRS,
};

enum sk_landlock_mode {
	SK_LANDLOCK_UNSET = 0,
	SK_LANDLOCK_BEST_EFFORT, /* use what the kernel has; say on stderr what is missing */
	SK_LANDLOCK_REQUIRED,	 /* refuse to run unless everything asked is enforced */
	SK_LANDLOCK_OFF,	 /* no Landlock at all */
};

/* isolation: whether the command runs in its own pid, IPC, mount and UTS
 * namespaces (run/isolate.c, docs/isolation.md).  A plan no layer sets it
 * in is OFF: the command is exec'd in place, as before the key existed. */
enum sk_isolation {
	SK_ISOLATION_UNSET = 0,
	SK_ISOLATION_OFF,      /* never: exec in place */
	SK_ISOLATION_AUTO,     /* where the kernel lets this process make them; else say so and go on */
	SK_ISOLATION_REQUIRED, /* refuse to run without them */
};

/* A path as written ("~/.ssh/id_*", "$CWD", "build"); expanded at apply time. */
struct sk_path_ref {
	char *path;
	struct sk_origin at;
};

/* The lists of `environment:`: patterns of variable names the command
 * does not get (drop) or gets although a drop pattern matches (keep),
 * NAME=value entries it gets (set), and the value rule (drop_values: one
 * entry, "credentials" or "none"; the last layer's wins). */
enum sk_env_kind {
	SK_ENV_DROP = 0,
	SK_ENV_KEEP,
	SK_ENV_SET,
	SK_ENV_VALUES,
	SK_ENV_NKINDS,
};

struct sk_port_ref {
	uint16_t port;
	/* tcp_connect "127.0.0.1:5432", "[::1]:8080": family AF_INET or
	 * AF_INET6 and the address (network byte order); 0 for any host. */
	uint8_t family;
	uint8_t addr[16];
	struct sk_origin at;
};

/* network.allow: a host name or `*.domain` pattern (lower case), reached
 * through the proxy on `port`, or on 80 and 443 when port is 0. */
struct sk_host_ref {
	char *pattern;
	uint16_t port;
	struct sk_origin at;
};

/* network.hosts: a name the proxy resolves to `addr` (numeric), also
 * where the address is private or loopback. */
struct sk_host_pin {
	char *name;
	char *addr;
	struct sk_origin at;
};

struct sk_layer {
	char *file; /* origin name */
	/* The seccomp part of the layers below is dropped (--oci-profile on a
	 * preset: the profile replaces the syscall rules only). */
	bool seccomp_replace;
	bool builtin; /* a built-in preset (file is "presets/NAME.yaml") */
	bool text_borrowed; /* text is the preset's own (policy/layer_blob.c): not freed */
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
	bool mode_set, audit; /* seccomp.mode: enforce | audit */
	struct sk_origin mode_at;

	struct sk_name_ref *allow;
	size_t nallow;
	struct sk_name_ref *deny;
	size_t ndeny;
	struct sk_rule *rules;
	size_t nrules;

	/* filesystem: lists add to the lower layers' unless fs_replace;
	 * allow_broad_write: the last layer that sets it wins */
	bool fs_set, fs_replace;
	bool broad_write_set, broad_write;
	struct sk_origin fs_at;
	struct sk_path_ref *fs[SK_FS_NKINDS];
	size_t nfs[SK_FS_NKINDS];
	/* fs_replace keeps the lower layers' `deny:` carve-outs (credentials)
	 * but those named here, as written. */
	struct sk_path_ref *undeny;
	size_t nundeny;
	/* filesystem.devices: /dev by name.  The layer carves /dev out of its
	 * grants (and the lower layers') as `deny: [/dev]` would, and grants
	 * these entries of it ("null", "pts") read and write above its own
	 * carve-outs: the named ones stay, everything else in /dev goes. */
	struct sk_path_ref *devices;
	size_t ndevices;
	struct sk_origin devices_at;
	/* The layer has `devices:`, an empty list included: it carves /dev
	 * out all the same, so `devices: []` leaves no device of the lower
	 * layers (as a list of other names leaves only those). */
	bool devices_set;
	/* network: the last layer that sets the mode wins; ports add up
	 * unless net_replace */
	enum sk_net_mode net_mode;
	struct sk_origin net_at;
	bool net_replace;
	struct sk_port_ref *tcp[SK_TCP_NDIRS];
	size_t ntcp[SK_TCP_NDIRS];
	/* network.allow and network.hosts add up too (net_replace drops the
	 * lower layers'); a later pin of the same name wins */
	struct sk_host_ref *net_allow;
	size_t nnet_allow;
	struct sk_host_pin *net_pins;
	size_t nnet_pins;
	/* network.private: names (patterns) the proxy may reach at private or
	 * loopback addresses, as DNS gives them (still only if allowed) */
	struct sk_host_ref *net_private;
	size_t nnet_private;
	/* scope: each key, the last layer that sets it wins */
	bool scope_signals_set, scope_signals;
	bool scope_abstract_set, scope_abstract;
	struct sk_origin scope_at;
	/* landlock: required | best_effort | off, the last layer wins */
	enum sk_landlock_mode landlock;
	struct sk_origin landlock_at;
	/* capabilities.keep: the last layer that sets it wins (replace) */
	bool caps_set, caps_all;
	uint64_t caps_keep; /* bit N: capability N (tables/caps.c) */
	struct sk_origin caps_at;
	/* isolation: the last layer that sets it wins */
	enum sk_isolation isolation;
	struct sk_origin isolation_at;
	/* sockets.allow: host sockets the command may reach (paths, `~`,
	 * `$VAR`); the lists of all layers add up */
	struct sk_path_ref *sockets;
	size_t nsockets;
	/* environment: every list adds to the lower layers' (path holds the
	 * pattern, or NAME=value for set) */
	struct sk_path_ref *env[SK_ENV_NKINDS];
	size_t nenv[SK_ENV_NKINDS];
};

struct stockade_policy {
	struct sk_layer **layers;
	size_t nlayers;
	size_t depth; /* extends nesting while loading */
	/* What OCI profiles are resolved against (oci_resolve.c): the target
	 * architecture (0 = native), the capability set `includes`/`excludes`
	 * test (unset = Docker's default set) and the kernel release minKernel
	 * tests ("" = the running kernel). */
	uint32_t oci_arch;
	bool oci_caps_set;
	uint64_t oci_caps;
	char oci_kernel[65];
	/* --isolation: set on the plan after it is built (no layer, so the
	 * built-in presets' plans still load from the binary) */
	enum sk_isolation isolation_override;
	/* Built-in presets added to an empty policy: not parsed until something
	 * needs their layers (sk_policy_materialize), since the plan stage may
	 * have their plan compiled in (plan/preset_plans.h). */
	const struct sk_preset *pending[4];
	size_t npending;
	/* The bottom layer, when it came from a file or text with no
	 * `extends:` (it then starts from nothing); NULL otherwise.  The CLI
	 * refuses such a --policy; the API takes it as it is. */
	const struct sk_layer *unanchored;
	/* Set by a caller that builds the plan to run it here, on a kernel
	 * whose Landlock limits TCP ports (ABI 4): the plan then carries no
	 * TCP fallback (the filter that denies TCP where Landlock cannot limit
	 * the ports), and a program that finds Landlock not limiting them
	 * after all refuses to run (run/exec.c). */
	bool tcp_fallback_unneeded;
};

/* Parse one YAML document into a new layer.  `extends` receives the value of
 * the `extends:` key (or NULL) and its location so the caller can load it
 * first.  `file` names the source in errors. */
int sk_layer_parse_yaml(const char *file, const char *text, size_t len, struct sk_layer **out, char **extends,
			struct sk_origin *extends_at, stockade_error **err);
void sk_layer_free(struct sk_layer *layer);
/* Parse the presets still pending (see stockade_policy.pending) into layers.
 * Everything in policy/layers.c that reads or pushes layers does it first. */
int sk_policy_materialize(stockade_policy *policy, stockade_error **err);
/* A new policy of the same pending presets, parsed (for a blob that does not load). */
int sk_policy_parsed_copy(const stockade_policy *policy, stockade_policy **out, stockade_error **err);
/* Host patterns, tcp_connect entries and pins (policy/yaml_network.c).
 * -EINVAL with *msg saying why; -ENOMEM.  *pattern is malloc'd, lower case. */
int sk_host_pattern_parse(const char *s, char **pattern, uint16_t *port, const char **msg);
int sk_tcp_connect_parse(const char *s, struct sk_port_ref *out, const char **msg);
int sk_host_pin_check(const char *addr);
/* Add to a layer; add_tcp_connect returns 1 for a duplicate (not added). */
int sk_layer_add_allow(struct sk_layer *l, const char *s, struct sk_origin at, const char **msg,
		       stockade_error **err);
int sk_layer_add_tcp_connect(struct sk_layer *l, const struct sk_port_ref *ref, stockade_error **err);
void sk_layer_free_network(struct sk_layer *l);
/* "none", "unix", "proxy", "full" (UNSET: "full"). */
const char *sk_net_mode_name(enum sk_net_mode m);
/* The mode of the parsed layers (the last that sets one); UNSET if none
 * does (pending built-in presets never select proxy). */
enum sk_net_mode sk_policy_net_mode(const stockade_policy *policy);

/* The command-line layer at the top of the stack, created on first use. */
struct sk_layer *sk_policy_cli_layer(stockade_policy *policy, stockade_error **err);
/* Push a finished layer on top of the stack (frees it on failure). */
int sk_policy_push(stockade_policy *policy, struct sk_layer *layer, stockade_error **err);
/* `extends: oci:PATH` (oci_import.c); PATH is relative to includer_dir. */
int sk_policy_add_oci_at(stockade_policy *policy, const char *path, const char *includer_dir,
			 const struct sk_origin *from, stockade_error **err);

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

/* ---- presets (presets.c: the files under presets/, compiled in) ---- */

struct sk_preset {
	const char *name;
	const char *summary;
	const char *base; /* overlays: the preset they apply to when used alone */
	const char *file; /* "presets/agent.yaml": its origin in errors, show and explain */
	const char *text; /* a policy document, the file's text */
};
/* How many files under presets/ the build embedded (a test compares). */
extern const size_t sk_preset_files_len;
extern const struct sk_preset sk_presets[];
extern const size_t sk_presets_len;
const struct sk_preset *sk_preset_lookup(const char *name);
/* A hash of the preset's text (never 0): what the compiled-in blobs'
 * fingerprints check the texts with.  The build computes the built-in
 * presets' (sk_preset_text_hashes, with the blobs: hashing the texts cost
 * ~14 µs a run); sk_preset_text_hash_of() hashes the text itself, which a
 * unit test compares with them. */
uint64_t sk_preset_text_hash(const struct sk_preset *ps);
uint64_t sk_preset_text_hash_of(const struct sk_preset *ps);
extern const uint64_t sk_preset_text_hashes[];
extern const size_t sk_preset_text_hashes_len;


/* ---- paths (paths.c) ---- */

/* The toolchain managers' roots a path may start with ($CARGO_HOME/bin),
 * and the places tools keep credentials ($GNUPGHOME, $DOCKER_CONFIG,
 * $XDG_CONFIG_HOME, $AWS_SHARED_CREDENTIALS_FILE, $AWS_CONFIG_FILE,
 * $KUBECONFIG, $CLOUDSDK_CONFIG, $PASSWORD_STORE_DIR, $AZURE_CONFIG_DIR,
 * $KRB5CCNAME): their variable when it names a path other
 * than / and the home directory (a list's first entry), else their default
 * beneath the home directory (paths.c). */
#define SK_PATH_NTOOLS 18

/* What ~, $HOME, $CWD, $TMPDIR and the toolchain roots stand for, and what
 * relative paths are relative to (cwd).  tools[i] NULL: the default. */
struct sk_path_env {
	char *home, *cwd, *tmpdir;
	/* The home directory /etc/passwd gives this user (NULL if none):
	 * carve-outs under ~ apply to it too when $HOME names another, so
	 * that HOME=/elsewhere leaves no key readable (landlock/walk.c). */
	char *pw_home;
	/* As root (which reads any 0700 home through CAP_DAC_OVERRIDE): the
	 * other users' homes /etc/passwd lists (uid 1000 and above, not the
	 * overflow uid), NULL-terminated, or NULL; the same carve-outs apply
	 * to them. */
	char **other_homes;
	char *tools[SK_PATH_NTOOLS];
	/* A list variable's further entries (KUBECONFIG=a:b: "b"), each
	 * checked as tools[i] is, NULL-terminated, or NULL: the walk carves a
	 * carve-out that starts with the variable out under each too. */
	char **tool_more[SK_PATH_NTOOLS];
	/* $GIT_COMMON_DIR: when the working directory is in a linked git
	 * worktree, the main repository's .git (found from $CWD/.git, not
	 * read from the environment); NULL otherwise. */
	char *git_common;
};

/* A character that makes a path component a pattern (fnmatch). */
static inline bool sk_path_glob_char(char ch)
{
	return ch == '*' || ch == '?' || ch == '[';
}

/* Check a path as written; pattern: wildcards are allowed in the last
 * component.  On error returns -EINVAL with *msg and *offset (0-based). */
int sk_path_check(const char *path, bool pattern, const char **msg, size_t *offset);
/* Expand variables and make the path absolute (lexically: `.`, `..` and
 * repeated slashes are folded; symlinks are resolved later). */
int sk_path_expand(const char *path, const struct sk_path_env *env, char **out);
/* The environment of the calling process (getcwd, $HOME or the user's
 * entry in /etc/passwd, $TMPDIR or /tmp); free with sk_path_env_free. */
int sk_path_env_current(struct sk_path_env *env, stockade_error **err);
/* For a one-shot caller (the CLI) whose environment, working directory
 * and home no longer change: sk_path_env_current() answers from one look
 * (passwd, the .git search) for the rest of the process, or until unpinned. */
int sk_path_env_pin(stockade_error **err);
void sk_path_env_unpin(void);
void sk_path_env_free(struct sk_path_env *env);
/* The environment rules dropped "NAME=value" (run/env.c): a toolchain root
 * or credential location among them still counts where the environment no
 * longer has it.  NULL forgets every one (a new application). */
void sk_path_env_dropped(const char *entry);

#endif
