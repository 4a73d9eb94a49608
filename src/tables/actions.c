/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a filter does with a syscall: parsing, printing, libseccomp values. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables/tables.h"

static const struct {
	const char *name;
	enum sk_action_type type;
} action_names[] = {
	{ "allow", SK_ACT_ALLOW },
	{ "log", SK_ACT_LOG },
	{ "trap", SK_ACT_TRAP },
	{ "kill", SK_ACT_KILL_PROCESS },
	{ "kill-process", SK_ACT_KILL_PROCESS },
	{ "kill-thread", SK_ACT_KILL_THREAD },
};

int sk_action_parse(const char *text, struct sk_action *out)
{
	const char *arg;

	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (strcmp(text, action_names[i].name) == 0) {
			*out = (struct sk_action){ .type = action_names[i].type };
			return 0;
		}
	}
	if (strncmp(text, "errno:", 6) != 0 && strcmp(text, "errno") != 0)
		return -EINVAL;
	/* Bare "errno" means EPERM, the errno every deny-list tool uses. */
	arg = text[5] == ':' ? text + 6 : "EPERM";
	*out = (struct sk_action){ .type = SK_ACT_ERRNO };
	if (*arg >= '0' && *arg <= '9') {
		char *end;
		long v = strtol(arg, &end, 10);

		/* SECCOMP_RET_DATA is 16 bits; the kernel caps errno at 4095. */
		if (*end || v < 1 || v > 4095)
			return -ERANGE;
		out->errnum = (int)v;
		return 0;
	}
	return sk_errno_lookup(arg, &out->errnum) < 0 ? -ENOENT : 0;
}

const char *sk_action_format(struct sk_action a, char *buf, size_t size)
{
	const char *name;

	switch (a.type) {
	case SK_ACT_ALLOW:
		name = "allow";
		break;
	case SK_ACT_LOG:
		name = "log";
		break;
	case SK_ACT_TRAP:
		name = "trap";
		break;
	case SK_ACT_KILL_THREAD:
		name = "kill-thread";
		break;
	case SK_ACT_KILL_PROCESS:
		name = "kill";
		break;
	case SK_ACT_ERRNO: {
		const char *e = sk_errno_name(a.errnum);

		if (e)
			snprintf(buf, size, "errno:%s", e);
		else
			snprintf(buf, size, "errno:%d", a.errnum);
		return buf;
	}
	default:
		name = "?";
	}
	snprintf(buf, size, "%s", name);
	return buf;
}

uint32_t sk_action_to_scmp(struct sk_action a)
{
	switch (a.type) {
	case SK_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case SK_ACT_LOG:
		return SCMP_ACT_LOG;
	case SK_ACT_ERRNO:
		return SCMP_ACT_ERRNO((uint32_t)a.errnum);
	case SK_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SK_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SK_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	}
	return SCMP_ACT_KILL_PROCESS;
}
