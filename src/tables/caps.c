/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capability names as capabilities(7) spells them, indexed by number.  The
 * numbers are the kernel ABI (<linux/capability.h>), written out so the
 * table does not depend on the build host's headers.  Used by the
 * `capabilities:` key of a policy, by OCI profiles' includes/excludes.caps
 * and by the enforcement status.
 */
#include <string.h>

#include "base/base.h"
#include "tables/tables.h"

static const char *const cap_names[SK_CAP_COUNT] = {
	"CAP_CHOWN",	      "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",	"CAP_FSETID",
	"CAP_KILL",	      "CAP_SETGID",	    "CAP_SETUID",	   "CAP_SETPCAP",	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",  "CAP_NET_ADMIN",	   "CAP_NET_RAW",	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",      "CAP_SYS_MODULE",	    "CAP_SYS_RAWIO",	   "CAP_SYS_CHROOT",	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",      "CAP_SYS_ADMIN",	    "CAP_SYS_BOOT",	   "CAP_SYS_NICE",	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",	      "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",	   "CAP_LEASE",		"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",  "CAP_SETFCAP",	    "CAP_MAC_OVERRIDE",	   "CAP_MAC_ADMIN",	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",	   "CAP_PERFMON",	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int sk_cap_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(cap_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *sk_cap_name(int cap)
{
	return cap >= 0 && cap < SK_CAP_COUNT ? cap_names[cap] : NULL;
}

const char *sk_cap_suggest(const char *name)
{
	struct sk_suggest s;

	sk_suggest_init(&s, name);
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		sk_suggest_add(&s, cap_names[i]);
	return s.best;
}
