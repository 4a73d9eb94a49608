/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The environment is policy (`environment:`, policy/yaml_env.c): the
 * command does not get the caller's variables whose name a drop pattern
 * matches and no keep pattern does (API keys a harness holds: agent and
 * strict drop `*_TOKEN`, `*_KEY`, `*SECRET*`, ...), and gets the set ones.
 *
 * Applied to this process's own environment, before the confinement: the
 * CLI's run and learn, stockade_exec(), stockade_program_exec() and
 * stockade_run() (in its child) all exec the command with it.  Names are
 * matched without regard to case (fnmatch's FNM_CASEFOLD, in glibc and
 * musl): `github_token` is as secret as `GITHUB_TOKEN`.
 *
 * `drop_values: credentials` drops, besides, a variable whose value is a
 * credential whatever its name (run/env_values.c), unless a keep pattern
 * names it.  GIT_CONFIG_* is spared that rule: git refuses to start when
 * GIT_CONFIG_COUNT names a GIT_CONFIG_VALUE_n that is not there, so
 * dropping one would break every git command rather than confine it.
 * So is the URL of the sandbox's own proxy (its token in the password
 * place), when stockade set it before the rules run (learn, the library).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/base.h"
#include "plan/plan.h"
#include "run/exec.h"
#include "run/proxy_run.h"
#include "stockade.h"

extern char **environ;

/* The plan's keep and drop patterns, compiled (sk_glob_compile): keep
 * ones first, then drop ones.  g NULL: out of memory, each matched from its
 * text, as surely, more slowly. */
struct env_rules {
	struct sk_glob *g;
	size_t nkeep, ndrop;
};

static bool matches(const stockade_plan *plan, const struct env_rules *r, enum sk_env_kind kind, const char *name,
		    const char *up, uint64_t has, size_t len)
{
	if (!r->g) {
		for (size_t i = 0; i < plan->access.nenv; i++)
			if (plan->access.env[i].kind == kind && sk_glob_casefold(plan->access.env[i].text, name))
				return true;
		return false;
	}
	const struct sk_glob *g = kind == SK_ENV_KEEP ? r->g : r->g + r->nkeep;
	size_t n = kind == SK_ENV_KEEP ? r->nkeep : r->ndrop;

	for (size_t i = 0; i < n; i++)
		if (up ? !(g[i].needs & ~has) && sk_glob_match_upper(&g[i], name, up, len) : sk_glob_match(&g[i], name, len))
			return true;
	return false;
}

/* The name of a NAME=value entry, in buf; false if it does not fit. */
static bool name_of(const char *entry, char *buf, size_t size)
{
	size_t n = strcspn(entry, "=");

	if (n >= size)
		return false;
	memcpy(buf, entry, n);
	buf[n] = '\0';
	return true;
}

/* Whether the entry NAME=value goes, and why: *why NULL for a drop
 * pattern, else the value rule's phrase.  values: drop_values is
 * credentials. */
static bool drops(const stockade_plan *plan, const struct env_rules *gl, bool values, const char *name,
		  const char *entry, const char **why)
{
	size_t len = strlen(name);
	const char *eq = strchr(entry, '=');
	char upper[256], dashless[256];

	/* `api-key` is as secret as API_KEY: the patterns see a '-' as '_'. */
	if (strchr(name, '-') && len < sizeof(dashless)) {
		for (size_t i = 0; i <= len; i++)
			dashless[i] = name[i] == '-' ? '_' : name[i];
		name = dashless;
	}
	/* Folded once for all the patterns. */
	const char *up = sk_glob_upper(name, len, upper, sizeof(upper)) ? upper : NULL;
	/* Which characters the name holds: most patterns need one it lacks. */
	uint64_t has = up ? sk_glob_letters(up, len) : 0;

	*why = NULL;
	/* Keep wins over both; asked last, for the few a rule would drop. */
	if (!matches(plan, gl, SK_ENV_DROP, name, up, has, len)) {
		if (!values || !eq || !strncasecmp(name, "GIT_CONFIG_", 11) || sk_proxy_is_own_url(eq + 1) ||
		    !(*why = sk_env_credential_value(eq + 1)))
			return false;
	}
	if (matches(plan, gl, SK_ENV_KEEP, name, up, has, len)) {
		*why = NULL;
		return false;
	}
	return true;
}

bool sk_env_drop_values(const stockade_plan *plan)
{
	bool on = false;

	for (size_t i = 0; i < plan->access.nenv; i++)
		if (plan->access.env[i].kind == SK_ENV_VALUES)
			on = !strcmp(plan->access.env[i].text, "credentials");
	return on;
}

/* The plan a one-shot caller applied already (sk_environment_applied). */
static const stockade_plan *applied_plan;

void sk_environment_applied(const stockade_plan *plan)
{
	applied_plan = plan;
}

int stockade_plan_apply_environment(const stockade_plan *plan, char ***dropped, stockade_error **err)
{
	return sk_apply_environment(plan, dropped, NULL, err);
}

int sk_apply_environment(const stockade_plan *plan, char ***dropped, const char ***whys, stockade_error **err)
{
	char **out = NULL, name[1024];
	const char **why_out = NULL, *why;
	size_t nout = 0, w = 0;
	bool values = sk_env_drop_values(plan);

	if (dropped)
		*dropped = NULL;
	if (whys)
		*whys = NULL;
	if (!plan->access.nenv || (plan == applied_plan && !dropped))
		return 0;
	_cleanup_free_ struct sk_glob *compiled = malloc(plan->access.nenv * sizeof(*compiled));
	struct env_rules rules = { .g = compiled };
	const struct env_rules *gl = &rules;
	for (int pass = 0; rules.g && pass < 2; pass++)
		for (size_t i = 0; i < plan->access.nenv; i++)
			if (plan->access.env[i].kind == (pass ? SK_ENV_DROP : SK_ENV_KEEP))
				sk_glob_compile(&rules.g[pass ? rules.nkeep + rules.ndrop++ : rules.nkeep++],
						plan->access.env[i].text);
	sk_path_env_dropped(NULL);
	/* Drop in place, keeping the order: unsetenv() would scan the array
	 * once per name. */
	for (size_t r = 0; environ && environ[r]; r++) {
		bool drop;

		/* A name too long to copy is dropped: fail closed. */
		why = NULL;
		drop = name_of(environ[r], name, sizeof(name)) ? drops(plan, gl, values, name, environ[r], &why) : true;
		if (!drop) {
			environ[w++] = environ[r];
			continue;
		}
		sk_path_env_dropped(environ[r]);
		if (dropped) {
			char **grown = realloc(out, (nout + 2) * sizeof(*out));
			const char **wgrown = whys ? realloc(why_out, (nout + 1) * sizeof(*why_out)) : NULL;

			if (grown)
				out = grown;
			if (wgrown)
				why_out = wgrown;
			if (!grown || (whys && !wgrown) || !(out[nout] = strndup(environ[r], strcspn(environ[r], "=")))) {
				if (out)
					out[nout] = NULL;
				stockade_strv_free(out);
				free(why_out);
				/* Finish the drop first: never less confined on error. */
				for (; environ[r]; r++)
					if (name_of(environ[r], name, sizeof(name)) &&
					    !drops(plan, gl, values, name, environ[r], &why))
						environ[w++] = environ[r];
				environ[w] = NULL;
				return sk_error(err, ENOMEM, "out of memory");
			}
			if (whys)
				why_out[nout] = why;
			out[++nout] = NULL;
		}
	}
	if (environ)
		environ[w] = NULL;
	for (size_t i = 0; i < plan->access.nenv; i++) {
		const struct sk_env_entry *e = &plan->access.env[i];
		const char *eq;

		if (e->kind != SK_ENV_SET || !(eq = strchr(e->text, '=')) || !name_of(e->text, name, sizeof(name)))
			continue;
		if (setenv(name, eq + 1, 1) < 0) {
			stockade_strv_free(out);
			free(why_out);
			return sk_error(err, errno, "environment.set %s: %s", name, strerror(errno));
		}
	}
	if (dropped)
		*dropped = out;
	if (whys)
		*whys = why_out;
	else
		free(why_out);
	return 0;
}
