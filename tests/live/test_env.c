/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the environment as policy (`environment:`, run/env.c): the
 * caller's secret-looking variables do not reach the command under agent
 * and strict, with or without a supervisor, through the CLI and the
 * library, unless kept by name (--keep-env, environment.keep); what
 * programs need (PATH, HOME, TERM, LANG, SSH_AUTH_SOCK, ...) does;
 * --verbose names what was dropped, never the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

/* The caller's environment for these tests: values are markers that must
 * not show up in the command's output (or stockade's). */
static const char *const secrets[] = {
	"GITHUB_TOKEN=envtest-gh",	     "OPENAI_API_KEY=envtest-openai", "ANTHROPIC_API_KEY=envtest-anth",
	"AWS_SECRET_ACCESS_KEY=envtest-aws", "MY_DB_PASSWORD=envtest-db",     "npm_token=envtest-npm",
	"SOME_CLIENT_SECRET_X=envtest-cs",   "GOOGLE_APPLICATION_CREDENTIALS=envtest-gcp",
	/* npm's own spellings, and tokens without the underscore */
	"npm_config_//registry.npmjs.org/:_authToken=envtest-npmreg", "npm_config__auth=envtest-npmauth",
	"ACCESSTOKEN=envtest-at",
	/* names with the secret in the middle, and the tools' own */
	"ANTHROPIC_API_KEY_2=envtest-anth2", "TF_TOKEN_app_terraform_io=envtest-tf", "MYSQL_PWD=envtest-mysql",
	"SSHPASS=envtest-sshpass", "BW_SESSION=envtest-bw", "TOKEN=envtest-bare",
	/* values that are credentials under innocuous names */
	"DATABASE_URL=postgres://u:envtest-dburl@db.invalid/app", "INNOCUOUS=sk-ant-api03-envtestAbCdEfGhIjKlMnOp",
	"HTTP_PROXY=http://u:envtest-proxy@proxy.invalid:3128",
	/* JWTs and webhooks by name; the new value shapes under plain names */
	"CI_JOB_JWT=envtest-cijwt", "SLACK_WEBHOOK_URL=envtest-slackname", "AUTH_SALT=envtest-salt",
	"NOTIFY=https://hooks.slack.com/services/T0ENVTEST/B0ENVTEST/envtestslackhook",
	"SESSION=eyJhbGciOiJub25lIn0.eyJlbnZ0ZXN0IjoxfQ.envtestjwtsig",
	"HEADER=Authorization: Bearer envtestBearer0123456789", "SIGNING=-----BEGIN EC PRIVATE KEY----- envtestpem",
	"PAYMENT=sk_live_envtest0123456789abcdef", "HFX=hf_envtest0123456789abcdefghijklmnop",
	/* spelled with '-' as '_' (accepte F5), and connection strings */
	"api-key=envtest-dashkey", "my-token=envtest-dashtoken", "DB_PASS=envtest-dbpass",
	"CONN=Server=db;User Id=u;Password=envtest-ado;", "JDBC=jdbc:mysql://db/app?password=envtest-jdbc",
};
static const char *const ordinary[] = {
	"TERM=envtest-term", "LANG=C.UTF-8", "SSH_AUTH_SOCK=/tmp/envtest.sock", "LC_ALL=C", "DISPLAY=:7",
	"MAKEFLAGS=-j2",     "CC=gcc",	     "NODE_OPTIONS=--no-warnings",      "XDG_RUNTIME_DIR=/tmp/envtest-xdg",
	/* not secrets though they look close: a URL without a password, git's
	 * config pairs (git fails when one of them is missing), OLDPWD */
	"GIT_REPO=ssh://git@example.invalid/r.git", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraheader",
	"GIT_CONFIG_VALUE_0=X-Envtest: 1", "OLDPWD=/",
	"GIT_CONFIG_VALUE_1=https://u:envtest-git@git.invalid/",
	/* settings and paths that only look like credentials (keep:), and
	 * look-alikes of the value shapes */
	"AWS_REGION=envtest-region", "AWS_PROFILE=envtest-profile", "SSH_KEY_PATH=/nonexistent/envtest-key",
	"PASSWORD_STORE_DIR=/nonexistent/envtest-pass", "AZURE_CONFIG_DIR=/nonexistent/envtest-az", "MAX_TOKENS=4096",
	"TOKEN_LIMIT=1000", "VERSION=1.2.3-rc.4+envtest", "SHA=da39a3ee5e6b4b0d3255bfef95601890afd80709",
	"AUTHSCHEME=Bearer",
};

static int run_env(const char *const *opts, struct run *r)
{
	const char *env[64];
	size_t n = 0;
	struct cmd c = { 0 };
	struct run_opts o = { 0 };
	int ret;

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		env[n++] = secrets[i];
	for (size_t i = 0; i < sizeof(ordinary) / sizeof(ordinary[0]); i++)
		env[n++] = ordinary[i];
	env[n] = NULL;
	o.env = env;
	cmd_push_stockade_run(&c, opts);
	cmd_push(&c, "/usr/bin/env");
	ret = cmd_run(&c, &o, r);
	cmd_free(&c);
	return ret;
}

/* "NAME=value" is in the output as a line of its own. */
static bool has_line(const char *out, const char *entry)
{
	size_t n = strlen(entry);

	for (const char *p = out; (p = strstr(p, entry)); p += n)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void check_dropped(const char *what, const char *const *opts)
{
	struct run r;

	run_env(opts, &r);
	CHECK_OUTCOME(&r, 0, what);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CHECK_MSG(!strstr(r.out, strchr(secrets[i], '=') + 1), "%s: %s reached the command", what, secrets[i]);
	for (size_t i = 0; i < sizeof(ordinary) / sizeof(ordinary[0]); i++)
		CHECK_MSG(has_line(r.out, ordinary[i]), "%s: %s did not reach the command", what, ordinary[i]);
	CHECK_MSG(strstr(r.out, "\nPATH=") || !strncmp(r.out, "PATH=", 5), "%s: no PATH", what);
	CHECK_MSG(strstr(r.out, "\nHOME=") || !strncmp(r.out, "HOME=", 5), "%s: no HOME", what);
	CHECK_MSG(has_line(r.out, "STOCKADE=1"), "%s: no STOCKADE=1", what);
}

TEST(env_secrets_do_not_reach_the_command)
{
	struct run r;

	if (!have_binaries())
		return;
	check_dropped("agent", OPTS("--preset", "agent"));
	check_dropped("strict", OPTS("--preset", "strict"));
	check_dropped("agent --report (supervised)", OPTS("--preset", "agent", "--report"));
	check_dropped("agent --audit", OPTS("--preset", "agent", "--audit"));
	/* A policy extending agent turns the value rule off, and keep
	 * patterns win over it. */
	const char *off = write_tmp("env-values-off.yaml",
				    "version: 1\nextends: agent\nenvironment:\n  drop_values: none\n", 0644);
	run_env(OPTS("--policy", off, "--keep-env", "HTTP_PROXY"), &r);
	CHECK_OUTCOME(&r, 0, "drop_values: none");
	CHECK_MSG(has_line(r.out, "DATABASE_URL=postgres://u:envtest-dburl@db.invalid/app") &&
			  has_line(r.out, "INNOCUOUS=sk-ant-api03-envtestAbCdEfGhIjKlMnOp") &&
			  has_line(r.out, "HTTP_PROXY=http://u:envtest-proxy@proxy.invalid:3128") &&
			  !strstr(r.out, "envtest-gh"),
		  "drop_values: none: %s", r.out);
	run_env(OPTS("--preset", "agent", "--keep-env", "DATABASE_URL"), &r);
	CHECK_OUTCOME(&r, 0, "--keep-env DATABASE_URL");
	CHECK_MSG(has_line(r.out, "DATABASE_URL=postgres://u:envtest-dburl@db.invalid/app") &&
			  !strstr(r.out, "envtest-proxy"),
		  "--keep-env DATABASE_URL: %s", r.out);
	/* The test can fail: without environment rules they all arrive. */
	run_env(OPTS("--preset", "minimal"), &r);
	CHECK_OUTCOME(&r, 0, "minimal");
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CHECK_MSG(has_line(r.out, secrets[i]), "minimal: %s did not reach the command", secrets[i]);
}

TEST(env_kept_by_name)
{
	const char *pol = write_tmp("env-keep.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "environment:\n"
				    "  keep: [GITHUB_TOKEN, \"OPENAI_*\"]\n"
				    "  set:\n"
				    "    ENVTEST_SET: \"a value: with colon\"\n"
				    "    TERM: dumb\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	run_env(OPTS("--preset", "agent", "--keep-env", "MY_DB_PASSWORD"), &r);
	CHECK_OUTCOME(&r, 0, "--keep-env MY_DB_PASSWORD");
	CHECK_MSG(has_line(r.out, "MY_DB_PASSWORD=envtest-db"), "--keep-env: %s", r.out);
	CHECK_MSG(!strstr(r.out, "envtest-gh"), "--keep-env keeps one name only: %s", r.out);

	run_env(OPTS("--policy", pol), &r);
	CHECK_OUTCOME(&r, 0, "environment.keep");
	CHECK_MSG(has_line(r.out, "GITHUB_TOKEN=envtest-gh") && has_line(r.out, "OPENAI_API_KEY=envtest-openai"),
		  "keep: %s", r.out);
	CHECK_MSG(!strstr(r.out, "envtest-anth") && !strstr(r.out, "envtest-aws"), "keep: others dropped: %s", r.out);
	CHECK_MSG(has_line(r.out, "ENVTEST_SET=a value: with colon") && has_line(r.out, "TERM=dumb"), "set: %s",
		  r.out);
}

TEST(env_verbose_names_without_values)
{
	struct run r;

	if (!have_binaries())
		return;
	run_env(OPTS("--preset", "agent", "--verbose"), &r);
	CHECK_OUTCOME(&r, 0, "agent --verbose");
	CHECK_MSG(strstr(r.out, "stockade: environment: dropped ") && strstr(r.out, "GITHUB_TOKEN") &&
			  strstr(r.out, "npm_token"),
		  "--verbose: %s", r.out);
	CHECK_MSG(strstr(r.out, "stockade: environment: kept GIT_CONFIG_VALUE_1 although its value is a URL with a "
				"password: git fails without it"),
		  "--verbose, git's config spared: %s", r.out);
	CHECK_MSG(strstr(r.out, "DATABASE_URL (its value is a URL with a password)") &&
			  strstr(r.out, "INNOCUOUS (its value is an Anthropic API key)") &&
			  strstr(r.out, "SESSION (its value is a JWT)") &&
			  strstr(r.out, "NOTIFY (its value is a webhook URL)") &&
			  strstr(r.out, "HEADER (its value is a bearer token)") &&
			  strstr(r.out, "SIGNING (its value is a private key)") &&
			  strstr(r.out, "(environment.drop_values: credentials;"),
		  "--verbose, the value rule: %s", r.out);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CHECK_MSG(!strstr(r.out, strchr(secrets[i], '=') + 1), "--verbose printed a value: %s", r.out);
}

TEST(env_bad_pattern_is_an_error)
{
	const char *pol = write_tmp("env-bad.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "environment:\n"
				    "  drop: [\"MY TOKEN\"]\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--policy", pol), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "a pattern with a space");
	CHECK_MSG(strstr(r.out, ":4:13: environment.drop: `MY TOKEN` is not a variable name or pattern"), "%s", r.out);
	cli_run(OPTS("--keep-env", "A=B"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--keep-env A=B");
}

/* The library: stockade_run() drops them in its child, and leaves the
 * caller's environment alone. */
TEST(env_library_run)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	char *argv[] = { "/bin/sh", "-c", "test -z \"$ENVTEST_LIB_TOKEN\" && test -n \"$PATH\"", NULL };
	int status = -1;

	CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, "agent", NULL) == 0 &&
	      stockade_plan_build(p, &plan, NULL) == 0);
	if (!plan) {
		stockade_policy_free(p);
		return;
	}
	setenv("ENVTEST_LIB_TOKEN", "envtest-lib", 1);
	CHECK_MSG(stockade_run(plan, argv, NULL, &status, &err) == 0, "%s", err && err->msg ? err->msg : "");
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the token reached the command: status %#x", status);
	CHECK_MSG(getenv("ENVTEST_LIB_TOKEN"), "stockade_run() changed the caller's environment");
	unsetenv("ENVTEST_LIB_TOKEN");
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}
