/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Package managers' caches under a policy that does not let the command
 * write the user's own (docs/toolchains.md): each tool is pointed, through
 * its own environment variable, at a directory of its own beneath
 * ~/.cache/stockade, which only sandboxed runs use.  What a sandboxed run
 * leaves in a cache (npx's _npx, an extracted crate's build.rs, a
 * pre-commit environment) is then executed by sandboxed runs only, never by
 * the user's next unsandboxed `npx` or `cargo build`.
 */
#ifndef STOCKADE_RUN_CACHES_H
#define STOCKADE_RUN_CACHES_H

#include "plan/plan.h"

#define SK_CACHES_MAX 16

struct sk_cache_setting {
	const char *tool; /* "npm" */
	const char *var;  /* "npm_config_cache" */
	char *value;	  /* what to set it to */
};

struct sk_caches {
	char *root; /* ~/.cache/stockade, or NULL when the policy does not let the command write it */
	struct sk_cache_setting set[SK_CACHES_MAX];
	size_t n;
	const char *kept[SK_CACHES_MAX]; /* tools whose own cache the policy already lets it write */
	size_t nkept;
};

/*
 * Work out the settings for `env` (its home) and the environment `getenv`
 * reads (the caller's), and create the directories they name (mode 0700).
 * Nothing to do (caches->root NULL) when the policy does not restrict files
 * or does not let the command write ~/.cache/stockade.  A tool whose
 * current cache the policy lets it write keeps it (`--write ~/.npm`).
 */
int sk_caches_prepare(const stockade_plan *plan, const struct sk_path_env *env, struct sk_caches *caches,
		      stockade_error **err);
void sk_caches_free(struct sk_caches *caches);

#endif
