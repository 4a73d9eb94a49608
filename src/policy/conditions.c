/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Argument conditions as written in a policy:
 *
 *	argN OP VALUE		OP is one of == != < <= > >=
 *	argN & MASK == VALUE	masked equality
 *	argN & MASK != VALUE	some masked bit differs
 *	argN & MASK		any bit of MASK is set (C truthiness)
 *
 * VALUE and MASK are numbers (decimal, 0x hex, 0 octal), symbolic constants
 * (AF_UNIX, CLONE_NEWUSER, ...) or several of them joined with '|'.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static size_t skip_ws(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

int sk_value_parse(const char *text, size_t len, uint64_t *out, size_t *bad_offset, const char **bad_name)
{
	uint64_t acc = 0;
	size_t i = 0;

	*bad_name = NULL;
	for (;;) {
		i = skip_ws(text, i);
		size_t start = i;
		if (i >= len) {
			*bad_offset = i;
			return -EINVAL;
		}
		if (isdigit((unsigned char)text[i])) {
			char buf[32], *end;
			size_t n = 0;
			while (i < len && isalnum((unsigned char)text[i]) && n < sizeof(buf) - 1)
				buf[n++] = text[i++];
			buf[n] = '\0';
			errno = 0;
			uint64_t v = strtoull(buf, &end, 0);
			if (*end || errno) {
				*bad_offset = start;
				return -EINVAL;
			}
			acc |= v;
		} else if (isalpha((unsigned char)text[i]) || text[i] == '_') {
			char name[64];
			size_t n = 0;
			uint64_t v;
			while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '_') && n < sizeof(name) - 1)
				name[n++] = text[i++];
			name[n] = '\0';
			if (sk_constant_lookup(name, &v) < 0) {
				*bad_offset = start;
				*bad_name = sk_constant_suggest(name);
				return -ENOENT;
			}
			acc |= v;
		} else {
			*bad_offset = start;
			return -EINVAL;
		}
		i = skip_ws(text, i);
		if (i >= len)
			break;
		if (text[i] != '|') {
			*bad_offset = i;
			return -EINVAL;
		}
		i++;
	}
	*out = acc;
	return 0;
}

static int fail(struct sk_cond_parse *out, size_t col, const char *msg)
{
	snprintf(out->err_buf, sizeof(out->err_buf), "%s", msg);
	out->err_msg = out->err_buf;
	out->err_col = (int)col;
	return -EINVAL;
}

/* Parse a VALUE that ends at the end of the string or at `stop` (an operator). */
static int value_at(const char *s, size_t from, size_t to, uint64_t *v, struct sk_cond_parse *out)
{
	size_t bad;
	const char *suggest;
	int ret = sk_value_parse(s + from, to - from, v, &bad, &suggest);

	if (ret == -ENOENT) {
		char name[64];
		size_t n = 0, i = from + bad;
		while (s[i] && (isalnum((unsigned char)s[i]) || s[i] == '_') && n < sizeof(name) - 1)
			name[n++] = s[i++];
		name[n] = '\0';
		if (suggest) {
			snprintf(out->err_buf, sizeof(out->err_buf), "unknown constant `%s`, did you mean `%s`?", name,
				 suggest);
			out->err_msg = out->err_buf;
			out->err_col = (int)(from + bad);
			return -EINVAL;
		}
		snprintf(out->err_buf, sizeof(out->err_buf), "unknown constant `%s`", name);
		out->err_msg = out->err_buf;
		out->err_col = (int)(from + bad);
		return -EINVAL;
	}
	if (ret < 0)
		return fail(out, from + bad, "expected a number or a constant name");
	return 0;
}

int sk_cond_parse(const char *s, struct sk_cond_parse *out)
{
	size_t i = skip_ws(s, 0), len = strlen(s);
	unsigned arg;
	static const struct {
		const char *tok;
		enum sk_op op;
	} ops[] = {
		{ "==", SK_OP_EQ }, { "!=", SK_OP_NE }, { "<=", SK_OP_LE },
		{ ">=", SK_OP_GE }, { "<", SK_OP_LT },	{ ">", SK_OP_GT },
	};

	memset(out, 0, sizeof(*out));
	if (strncmp(s + i, "arg", 3) != 0 || !isdigit((unsigned char)s[i + 3]))
		return fail(out, i, "a condition starts with the argument: arg0 .. arg5");
	arg = (unsigned)(s[i + 3] - '0');
	if (arg >= SK_MAX_ARGS || isdigit((unsigned char)s[i + 4]))
		return fail(out, i, "syscalls have six arguments: arg0 .. arg5");
	i = skip_ws(s, i + 4);

	if (s[i] == '&') {
		/* Masked forms. */
		size_t mstart = i + 1, mend;
		uint64_t mask, value = 0;
		bool ne = false, has_value = false;
		const char *eq = strstr(s + mstart, "=="), *neq = strstr(s + mstart, "!=");

		if (eq || neq) {
			const char *opp = eq && (!neq || eq < neq) ? eq : neq;
			ne = opp == neq;
			mend = (size_t)(opp - s);
			has_value = true;
		} else {
			mend = len;
		}
		if (value_at(s, mstart, mend, &mask, out) < 0)
			return -EINVAL;
		if (mask == 0)
			return fail(out, skip_ws(s, mstart), "a mask of 0 matches nothing or everything");
		if (has_value && value_at(s, mend + 2, len, &value, out) < 0)
			return -EINVAL;
		if (has_value && (value & ~mask))
			return fail(out, skip_ws(s, mend + 2),
				    "the value has bits outside the mask, so it can never match");
		if (has_value && !ne) {
			out->alt[0] = (struct sk_cond){ .arg = (uint8_t)arg, .op = SK_OP_MASKED_EQ, .mask = mask,
							.value = value };
			out->nalt = 1;
			return 0;
		}
		/* "& M" means some bit of M is set; "& M != V" some masked bit
		 * differs from V.  Both are an OR of single-bit tests. */
		for (int b = 0; b < 64; b++) {
			uint64_t bit = (uint64_t)1 << b;
			if (!(mask & bit))
				continue;
			uint64_t want = has_value ? (~value & bit) : bit;
			out->alt[out->nalt++] = (struct sk_cond){ .arg = (uint8_t)arg, .op = SK_OP_MASKED_EQ,
								  .mask = bit, .value = want };
		}
		return 0;
	}

	for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
		size_t n = strlen(ops[k].tok);
		if (strncmp(s + i, ops[k].tok, n) != 0)
			continue;
		uint64_t value;
		if (value_at(s, i + n, len, &value, out) < 0)
			return -EINVAL;
		out->alt[0] = (struct sk_cond){ .arg = (uint8_t)arg, .op = (uint8_t)ops[k].op, .value = value };
		out->nalt = 1;
		return 0;
	}
	return fail(out, i, "expected an operator after the argument: == != < <= > >= or &");
}

const char *sk_cond_format(const struct sk_cond *c, char *buf, size_t size)
{
	static const char *const opname[] = {
		[SK_OP_EQ] = "==", [SK_OP_NE] = "!=", [SK_OP_LT] = "<",
		[SK_OP_LE] = "<=", [SK_OP_GT] = ">",  [SK_OP_GE] = ">=",
	};

	if (c->op == SK_OP_MASKED_EQ)
		snprintf(buf, size, "arg%u & 0x%llx == 0x%llx", c->arg, (unsigned long long)c->mask,
			 (unsigned long long)c->value);
	else
		snprintf(buf, size, "arg%u %s 0x%llx", c->arg, opname[c->op], (unsigned long long)c->value);
	return buf;
}
