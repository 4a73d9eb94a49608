/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: the environment rules agent and strict apply (presets/agent.yaml,
 * run/env.c): which names their drop patterns catch and which they must not
 * (PWD, OLDPWD, GIT_CONFIG_*, ...); the value rule's matcher
 * (run/env_values.c) on credentials and on look-alikes; `drop_values` as a
 * policy writes it (the last layer decides, bad words are errors).
 */
#include <errno.h>
#include <string.h>

#include "../harness.h"
#include "base/base.h"
#include "plan/plan.h"
#include "run/exec.h"
#include "stockade.h"

static stockade_plan *plan_of(const char *preset, const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;

	if (stockade_policy_new(&p, NULL) < 0)
		return NULL;
	if ((!preset || stockade_policy_add_preset(p, preset, NULL) == 0) &&
	    (!text || stockade_policy_add_text(p, "test.yaml", text, strlen(text), NULL) == 0))
		stockade_plan_build(p, &plan, NULL);
	stockade_policy_free(p);
	return plan;
}

/* Whether the plan's drop patterns (and no keep pattern) take name. */
static bool name_dropped(const stockade_plan *plan, const char *name)
{
	bool drop = false;

	for (size_t i = 0; i < plan->access.nenv; i++) {
		const struct sk_env_entry *e = &plan->access.env[i];

		if (e->kind == SK_ENV_KEEP && sk_glob_casefold(e->text, name))
			return false;
		if (e->kind == SK_ENV_DROP && sk_glob_casefold(e->text, name))
			drop = true;
	}
	return drop;
}

static const char *values_of(const stockade_plan *plan)
{
	const char *v = NULL;

	for (size_t i = 0; i < plan->access.nenv; i++)
		if (plan->access.env[i].kind == SK_ENV_VALUES)
			v = plan->access.env[i].text;
	return v;
}

TEST(env_agent_drops_secret_names)
{
	static const char *const secret[] = {
		"ANTHROPIC_API_KEY_2", "OPENAI_API_KEY_BACKUP", "AUTH_TOKEN_X", "TOKEN_GITHUB",
		"TF_TOKEN_app_terraform_io", "TOKEN", "token", "MYSQL_PWD", "LDAP_BIND_PW", "SSHPASS",
		"GPG_PASSPHRASE", "SSH_PASSPHRASE", "BW_SESSION", "OP_SESSION_my", "CREDENTIALS", "MY_CREDS",
		"GOOGLE_APPLICATION_CREDENTIALS", "GITHUB_TOKEN", "DB_PASSWORD", "FOO_TOKEN", "MY_API_KEY",
		"CI_JOB_JWT", "CI_JOB_JWT_V2", "JWT_SIGNING", "JWT", "SLACK_WEBHOOK_URL", "DISCORD_WEBHOOK",
		"WEBHOOK_SECRET", "AUTH_SALT", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
		"AWS_SHARED_CREDENTIALS_FILE", "API_TOKENS", "TOKEN_FILE", "MAX_TOKENS_SECRET", "AZURE_CLIENT_SECRET",
		/* accepte F5 */
		"DB_PASS", "SMTP_PASS", "PASS", "KEY", "AUTH", "BEARER", "BEARER_TOKEN", "COOKIE", "SESSION_COOKIE",
		"ACCESSKEY", "ALIBABA_CLOUD_ACCESSKEY",
	};
	static const char *const ordinary[] = {
		"PWD", "OLDPWD", "PATH", "HOME", "TERM", "LANG", "LC_ALL", "SHELL", "USER", "SSH_AUTH_SOCK",
		"DISPLAY", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "MAKEFLAGS", "CC", "PYTHONPATH", "NODE_OPTIONS",
		"GOPATH", "CARGO_HOME", "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0",
		"GIT_CONFIG_PARAMETERS", "KUBECONFIG", "DOCKER_CONFIG", "GNUPGHOME", "EDITOR", "PAGER",
		"TMPDIR", "HOSTNAME", "SESSION_MANAGER", "XDG_SESSION_ID", "DBUS_SESSION_BUS_ADDRESS",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
		"AWS_SDK_LOAD_CONFIG", "AWS_CA_BUNDLE", "SSH_KEY_PATH", "PASSWORD_STORE_DIR", "AZURE_CONFIG_DIR",
		"MAX_TOKENS", "OPENAI_MAX_TOKENS", "MAX_OUTPUT_TOKENS", "TOKEN_LIMIT", "CONTEXT_TOKEN_LIMIT",
		"TOKENIZERS_PARALLELISM", "KEYTIMEOUT", "GPG_TTY",
		/* accepte F8: settings of the tools, no secret */
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_OUTPUT", "AWS_PAGER", "AZURE_SUBSCRIPTION_ID",
		"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "PASSWORD_STORE_CLIP_TIME", "PASSAGE_DIR", "KEYMAP", "AUTHOR",
		"COOKIE_JAR_PATH",
	};
	stockade_plan *agent = plan_of("agent", NULL), *strict = plan_of("strict", NULL);

	CHECK(agent && strict);
	for (size_t i = 0; agent && strict && i < sizeof(secret) / sizeof(*secret); i++)
		CHECK_MSG(name_dropped(agent, secret[i]) && name_dropped(strict, secret[i]), "%s is kept", secret[i]);
	for (size_t i = 0; agent && strict && i < sizeof(ordinary) / sizeof(*ordinary); i++)
		CHECK_MSG(!name_dropped(agent, ordinary[i]) && !name_dropped(strict, ordinary[i]), "%s is dropped",
			  ordinary[i]);
	CHECK(agent && !strcmp(values_of(agent), "credentials"));
	CHECK(strict && !strcmp(values_of(strict), "credentials"));
	stockade_plan_free(agent);
	stockade_plan_free(strict);
}

TEST(env_credential_values)
{
	static const char *const cred[] = {
		"postgres://u:pw@db.example/app",
		"mongodb+srv://user:p%40ss@cluster0.example.net/?retryWrites=true",
		"redis://:secret@localhost:6379/0",
		"https://user:token@pypi.example/simple",
		"http://proxyuser:proxypass@proxy:3128",
		"https://pypi.org/simple https://u:p@private.example/simple",
		"amqp://guest:guest@rabbit//",
		"https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/o/r.git",
		"sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
		"sk-proj-AbCdEfGhIjKlMnOpQrSt",
		"sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCDEFGHIJKL",
		"ghp_0123456789abcdefghijABCDEFGHIJ012345",
		"gho_0123456789abcdefghij",
		"ghs_0123456789abcdefghij",
		"github_pat_11ABCDEFG0123456789_abcdefghij",
		"glpat-abcdefghij0123456789",
		"xoxb-1234567890-abcdefghij",
		"xoxp-1234567890-abcdefghij",
		"AKIAIOSFODNN7EXAMPLE",
		"ASIAIOSFODNN7EXAMPLE",
		"AIzaSyA0123456789abcdefghijklmnopqrstuv",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.",
		"Bearer ghp_0123456789abcdefghijABCDEFGHIJ012345",
		"Authorization: Bearer abcdefghij0123456789",
		"authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
		"sk_live_0123456789abcdefghijABCD",
		"rk_live_0123456789abcdefghijABCD",
		"npm_0123456789abcdefghijABCDEFGHIJ012345",
		"pypi-AgEIcHlwaS5vcmcCJDAxMjM0NTY3LTg5YWItY2RlZi0wMTIzLTQ1Njc4OWFiY2RlZgACKlsz",
		"hvs.CAESIJ0123456789abcdefghijABCDEFGH",
		"hvb.AAAAAQJ0123456789abcdefghijABCDEF",
		"hf_0123456789abcdefghijABCDEFGHIJab",
		"dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"key: -----BEGIN PRIVATE KEY----- MIIEvQ",
		"-----BEGIN PGP PRIVATE KEY BLOCK-----",
		"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
		"https://discord.com/api/webhooks/123456789012345678/abcdefghij",
		"https://discordapp.com/api/webhooks/123456789012345678/abcdefghij",
		/* accepte F5 */
		"SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		"Server=db;User Id=app;Password=s3cret;",
		"Driver={ODBC};Server=x;UID=u;PWD=s3cret",
		"jdbc:postgresql://db/app?user=app&password=s3cret",
		"jdbc:mysql://db/app?password=s3cret",
		"--user=root --password=s3cret",
		/* attack13 A7 */
		"Password = s3cret",
		"Host=db; Username=u; Password = s3cret",
		"-Xmx1g -Djavax.net.ssl.keyStorePassword=changeit",
		"-Dpassword=s3cret",
		"machine example.com login u password s3cret",
		"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;",
		"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=n;SharedAccessKey=abc=",
		"xapp-1-A0123456789-0123456789012-abcdef",
		"ya29.a0AfH6SMBabcdefghijklmnopqrst",
		"whsec_abcdefghijklmnopqrstu",
		"shpat_0123456789abcdef0123",
		"gsk_abcdefghijklmnopqrstuvwx",
	};
	static const char *const plain[] = {
		"",
		"/usr/bin:/bin",
		"ssh://git@github.com/o/r.git",
		"https://publickey@o0.ingest.sentry.io/1",
		"https://pypi.org/simple",
		"http://127.0.0.1:8080",
		"http://[::1]:8080/a:b@c",
		"https://example.com/path?q=a:b@c",
		"user:pass@host",
		"sk-short",
		"ghp_short",
		"AKIAIOSFODNN7EXAMPLEX",
		"AKIAiosfodnn7example",
		"xterm-256color",
		"en_US.UTF-8",
		"-j4 --jobserver-auth=3,4",
		"Bearer",
		"Bearer ",
		"Bearer short",
		"bearer-token-file",
		"C.UTF-8",
		/* look-alikes of the new shapes */
		"eyJ",
		"eyJhbGciOiJIUzI1NiJ9",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
		"eyJhbGci..OiJIUzI1NiJ9eyJzdWIiOiJ4In0xxxx",
		"/home/u/.config/hvs.d/settings",
		"hvs.short",
		"hf_transfer",
		"HF_HOME",
		"npm_config_registry",
		"pypi-simple",
		"sk_live_",
		"dop_v1_",
		"1.2.3-rc.4+build.567",
		"v20.11.1",
		"da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"-----BEGIN CERTIFICATE-----",
		"-----BEGIN PUBLIC KEY-----",
		"/etc/ssl/private/key.pem",
		"https://hooks.slack.com/services/",
		"https://discord.com/api/webhooks",
		"https://slack.com/help",
		"/usr/share/doc/pypi-readme",
		"SG.short",
		"-o PasswordAuthentication=no",
		"Password=;",
		"password-file=/run/secrets/db",
		"--password-stdin",
		"sslpassword",
		"[sudo] password for %u: ",
		"Enter the password please",
		"AccountName=a;SharedAccessKeyName=n",
		"ya29",
		"whsec_",
	};

	for (size_t i = 0; i < sizeof(cred) / sizeof(*cred); i++)
		CHECK_MSG(sk_env_credential_value(cred[i]) != NULL, "not a credential: %s", cred[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		CHECK_MSG(sk_env_credential_value(plain[i]) == NULL, "a credential (%s): %s",
			  sk_env_credential_value(plain[i]), plain[i]);
	CHECK(!strcmp(sk_env_credential_value("postgres://u:pw@h"), "a URL with a password"));
	CHECK(!strcmp(sk_env_credential_value("ghp_0123456789abcdefghij"), "a GitHub token"));
	CHECK(!strcmp(sk_env_credential_value("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0."), "a JWT"));
	CHECK(!strcmp(sk_env_credential_value("Authorization: Bearer abcdefghij0123456789"), "a bearer token"));
	CHECK(!strcmp(sk_env_credential_value("Server=db;Password=x"), "a connection string with a password"));
}

TEST(env_drop_values_in_a_policy)
{
	stockade_plan *off = plan_of("agent", "version: 1\nenvironment:\n  drop_values: none\n");
	stockade_plan *on = plan_of("minimal", "version: 1\nenvironment:\n  drop_values: credentials\n");
	stockade_plan *minimal = plan_of("minimal", NULL);
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	const char *bad = "version: 1\nenvironment:\n  drop_values: [credentials]\n";
	const char *word = "version: 1\nenvironment:\n  drop_values: all\n";

	CHECK(off && !strcmp(values_of(off), "none"));
	CHECK(on && !strcmp(values_of(on), "credentials"));
	CHECK(minimal && !values_of(minimal));
	stockade_plan_free(off);
	stockade_plan_free(on);
	stockade_plan_free(minimal);

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_text(p, "test.yaml", bad, strlen(bad), &err) == -EINVAL);
	CHECK_MSG(err && err->line == 3, "a list: line %d", err ? err->line : -1);
	stockade_error_free(err);
	err = NULL;
	CHECK(stockade_policy_add_text(p, "test.yaml", word, strlen(word), &err) == -EINVAL);
	CHECK_MSG(err && err->msg && strstr(err->msg, "drop_values: `all` is not `credentials`") && err->line == 3 &&
			  err->column == 16,
		  "%s at %d:%d", err && err->msg ? err->msg : "(none)", err ? err->line : -1, err ? err->column : -1);
	stockade_error_free(err);
	stockade_policy_free(p);
}
