/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `environment: drop_values: credentials` (agent and strict): a variable
 * whose name says nothing can still hold a secret.  Two shapes are
 * recognised, both cheap and with few false positives:
 *
 *  - a URL with a password: scheme://user:password@host anywhere in the
 *    value (DATABASE_URL, REDIS_URL=redis://:pw@h, PIP_INDEX_URL,
 *    HTTP_PROXY, a space-separated PIP_EXTRA_INDEX_URL list).  A user
 *    without a password (ssh://git@host, a Sentry DSN's public key) is not
 *    a credential, unless the user name is itself a well-known key
 *    (https://ghp_...@github.com).
 *  - a value that starts with a well-known key's prefix: Anthropic and
 *    OpenAI (sk-ant-, sk-proj-, and sk- + 40 or more key characters),
 *    GitHub (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), GitLab (glpat-),
 *    Slack (xoxb-, xoxp-, xoxa-, xoxr-), AWS access key ids (AKIA or ASIA +
 *    16 upper-case letters and digits), Google API keys (AIza + 35),
 *    Stripe (sk_live_, rk_live_), npm (npm_ + 36), PyPI (pypi- + 40),
 *    Vault (hvs., hvb.), Hugging Face (hf_ + 30), DigitalOcean (dop_v1_),
 *    and a JWT (eyJ..., three base64url parts, 30 characters or more).
 *    A prefix counts only with a key's worth of key characters after it.
 *    SendGrid (SG.), Slack app tokens (xapp-), Google OAuth (ya29.), Stripe
 *    webhook secrets (whsec_), Shopify (shpat_), Groq (gsk_) too.
 *  - anywhere in the value: `Bearer ` + a token of 16 characters or more
 *    (an Authorization header), a PEM private key (-----BEGIN ... PRIVATE
 *    KEY-----), a Slack or Discord webhook URL (the URL is the secret), and
 *    a password field (`Password=...;` of ADO.NET, `Password = x` of libpq
 *    and .NET, ODBC's `PWD=`, JDBC's `?password=`, `--password=`,
 *    `-D...Password=`, Azure's `AccountKey=` and `SharedAccessKey=`, netrc's
 *    `password x` beside `machine` or `login`).
 *
 * The caller's variables are read before the command exists: nothing
 * racy.  The answer is a phrase for --verbose, never the value.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "run/exec.h"

static bool key_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch == '-';
}

static bool upper_alnum(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* How many key characters s starts with, up to end (or its NUL). */
static size_t key_run(const char *s, const char *end)
{
	size_t n = 0;

	while ((!end || s + n < end) && key_char(s[n]))
		n++;
	return n;
}

static const struct {
	const char *prefix;
	size_t min; /* key characters after the prefix */
	const char *what;
} prefixes[] = {
	{ "sk-ant-", 16, "an Anthropic API key" },
	{ "sk-proj-", 16, "an OpenAI API key" },
	{ "sk-", 40, "an OpenAI API key" },
	{ "github_pat_", 16, "a GitHub token" },
	{ "ghp_", 16, "a GitHub token" },
	{ "gho_", 16, "a GitHub token" },
	{ "ghu_", 16, "a GitHub token" },
	{ "ghs_", 16, "a GitHub token" },
	{ "ghr_", 16, "a GitHub token" },
	{ "glpat-", 16, "a GitLab token" },
	{ "xoxb-", 10, "a Slack token" },
	{ "xoxp-", 10, "a Slack token" },
	{ "xoxa-", 10, "a Slack token" },
	{ "xoxr-", 10, "a Slack token" },
	{ "sk_live_", 16, "a Stripe secret key" },
	{ "rk_live_", 16, "a Stripe restricted key" },
	{ "npm_", 36, "an npm token" },
	{ "pypi-", 40, "a PyPI token" },
	{ "hvs.", 20, "a Vault token" },
	{ "hvb.", 20, "a Vault token" },
	{ "hf_", 30, "a Hugging Face token" },
	{ "dop_v1_", 32, "a DigitalOcean token" },
	{ "SG.", 20, "a SendGrid API key" },
	{ "xapp-", 16, "a Slack app token" },
	{ "ya29.", 20, "a Google OAuth token" },
	{ "whsec_", 16, "a Stripe webhook secret" },
	{ "shpat_", 16, "a Shopify token" },
	{ "gsk_", 20, "a Groq API key" },
};

static bool b64url_char(char ch)
{
	return key_char(ch) || ch == '=';
}

/* eyJ<header>.<payload>.<signature>: a JWT (the header is base64url JSON,
 * hence its "eyJ"); the signature may be empty (alg none). */
static bool jwt_at(const char *s, const char *end)
{
	size_t n = 0, dots = 0, part = 0;

	if (strncmp(s, "eyJ", 3) || (end && end - s < 30))
		return false;
	for (; (!end || s + n < end) && (b64url_char(s[n]) || s[n] == '.'); n++) {
		if (s[n] != '.') {
			part++;
			continue;
		}
		if (!part || ++dots > 2)
			return false;
		part = 0;
	}
	return dots == 2 && n >= 30;
}

/* The well-known key s (up to end, or its NUL) starts with, or NULL. */
static const char *key_prefix(const char *s, const char *end)
{
	if (!s[0] || (end && s >= end))
		return NULL;
	size_t len = end ? (size_t)(end - s) : strlen(s);

	/* (The first letter rules out most values at once.) */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl;

		if (prefixes[i].prefix[0] != s[0])
			continue;
		pl = strlen(prefixes[i].prefix);
		if (len >= pl && !strncmp(s, prefixes[i].prefix, pl) && key_run(s + pl, end) >= prefixes[i].min)
			return prefixes[i].what;
	}
	/* AKIA/ASIA + exactly 16: an access key id is 20 characters. */
	if (len >= 20 && (!strncmp(s, "AKIA", 4) || !strncmp(s, "ASIA", 4))) {
		size_t n = 4;

		while (n < len && upper_alnum(s[n]))
			n++;
		if (n == 20)
			return "an AWS access key id";
	}
	if (len >= 39 && !strncmp(s, "AIza", 4) && key_run(s + 4, end) >= 35)
		return "a Google API key";
	if (jwt_at(s, end))
		return "a JWT";
	return NULL;
}

/* A token after "Bearer " (start of the value or after a blank or a
 * colon: "Authorization: Bearer ..."), 16 characters or more. */
static const char *bearer(const char *value)
{
	for (const char *p = value; (p = strcasestr(p, "bearer ")); p += 7) {
		if (p > value && p[-1] != ' ' && p[-1] != '\t' && p[-1] != ':')
			continue;
		const char *t = p + 7;
		size_t n = 0;

		while (t[n] == ' ')
			t++;
		while (b64url_char(t[n]) || t[n] == '.' || t[n] == '~' || t[n] == '+' || t[n] == '/')
			n++;
		if (n >= 16)
			return "a bearer token";
	}
	return NULL;
}

/* -----BEGIN <what> PRIVATE KEY----- (RSA, EC, OPENSSH, ENCRYPTED, PGP's
 * "PRIVATE KEY BLOCK"), anywhere. */
static const char *pem_private_key(const char *value)
{
	for (const char *p = value; (p = strstr(p, "-----BEGIN ")); p += 11) {
		const char *close = strstr(p + 11, "-----");
		const char *key = strstr(p + 11, "PRIVATE KEY");

		if (close && key && key < close)
			return "a private key";
	}
	return NULL;
}

/* A webhook URL holds its own secret: Slack's and Discord's. */
static const char *webhook(const char *value)
{
	static const char *const hosts[] = { "hooks.slack.com/services/", "discord.com/api/webhooks/",
					     "discordapp.com/api/webhooks/" };

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		for (const char *p = value; (p = strstr(p, hosts[i])); p++)
			if (key_run(p + strlen(hosts[i]), NULL) >= 8)
				return "a webhook URL";
	return NULL;
}

/* A password field: NAME=VALUE with NAME password, or ending in it
 * (keyStorePassword=, -Dpassword=, `Password = x` of .NET and libpq), pwd
 * at a field's start (ODBC's PWD=), Azure's AccountKey= and
 * SharedAccessKey=; and netrc's `password VALUE` beside a `machine` or
 * `login`.  Any case; with a value. */
static const char *password_field(const char *value)
{
	static const struct {
		const char *name;
		bool field_start; /* only at the start of a field (pwd: not inside a word) */
	} names[] = { { "password", false }, { "pwd", true }, { "accountkey", false }, { "sharedaccesskey", false } };
	bool netrc = strcasestr(value, "machine ") || strcasestr(value, "login ");

	for (const char *p = value; *p; p++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = strlen(names[i].name);
			const char *q = p + n;
			bool eq = false;

			if (strncasecmp(p, names[i].name, n) ||
			    (names[i].field_start && p > value && !strchr(";?& \t-", p[-1])))
				continue;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=') {
				eq = true;
				for (q++; *q == ' ' || *q == '\t';)
					q++;
			}
			if (!eq && !(i == 0 && netrc && q > p + n && (p == value || p[-1] == ' ' || p[-1] == '\t')))
				continue;
			if (*q && *q != ';' && *q != '&' && *q != ' ' && *q != '\n')
				return "a connection string with a password";
		}
	}
	return NULL;
}

/* scheme://userinfo@host...: the userinfo holds a password, or is a key. */
static const char *url_credential(const char *value)
{
	for (const char *p = value; (p = strstr(p, "://")); p += 3) {
		const char *s = p, *auth = p + 3, *end, *at = NULL;

		/* A scheme: a letter, then letters, digits, + - . */
		while (s > value && (key_char(s[-1]) || s[-1] == '+' || s[-1] == '.') && s[-1] != '_')
			s--;
		if (s == p || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			continue;
		end = auth + strcspn(auth, "/?# \t\n,;");
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q; /* the last: a password may hold an unescaped @ */
		if (!at)
			continue;
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon && colon + 1 < at)
			return "a URL with a password";
		if (key_prefix(auth, at))
			return "a URL with a key for its user";
	}
	return NULL;
}

const char *sk_env_credential_value(const char *value)
{
	const char *why = key_prefix(value, NULL);
	bool url = false, hook = false, pem = false, bear = false, pass = false;

	if (why)
		return why;
	/* One pass over the value for where each shape could start; most
	 * values (paths, flags, words) have none, and the scans below run only
	 * for the shapes seen. */
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case ':':
			url |= p[1] == '/' && p[2] == '/';
			break;
		case 'h':
			hook |= !strncmp(p, "hooks.slack.com/", 16);
			break;
		case 'd':
			hook |= !strncmp(p, "discord", 7);
			/* fallthrough */
		case 'D':
			/* the end of a password field's name (password, pwd) */
			pass |= (p - value >= 7 && !strncasecmp(p - 7, "passwor", 7)) ||
				(p - value >= 2 && !strncasecmp(p - 2, "pw", 2));
			break;
		case 'y':
		case 'Y':
			/* AccountKey, SharedAccessKey */
			pass |= p - value >= 2 && !strncasecmp(p - 2, "ke", 2);
			break;
		case '-':
			pem |= !strncmp(p, "-----BEGIN ", 11);
			break;
		case 'B':
		case 'b':
			bear |= !strncasecmp(p, "bearer ", 7);
			break;
		default:
			break;
		}
	}
	if (url && (why = url_credential(value)))
		return why;
	if (hook && (why = webhook(value)))
		return why;
	if (pem && (why = pem_private_key(value)))
		return why;
	if (pass && (why = password_field(value)))
		return why;
	return bear ? bearer(value) : NULL;
}
