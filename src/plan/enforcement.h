/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel enforces of a plan, layer by layer: filled by the
 * Landlock and seccomp backends when a plan is applied (or dry-run), worded
 * by the CLI (`run --verbose`, `doctor`).
 */
#ifndef STOCKADE_ENFORCEMENT_H
#define STOCKADE_ENFORCEMENT_H

#include "policy/policy.h"

enum sk_level {
	SK_LEVEL_OFF = 0, /* the policy does not ask for it */
	SK_LEVEL_FULL,
	SK_LEVEL_PARTIAL,
	SK_LEVEL_NONE,
};

struct sk_enforcement_item {
	enum sk_level level;
	bool weaker; /* less confined than the policy says */
	char text[1024];
};

#define SK_ENFORCEMENT_NOTES 8

struct sk_enforcement {
	bool applied; /* false: a dry run (doctor) */
	bool nnp;
	struct sk_enforcement_item seccomp;
	int kernel_abi; /* the kernel's Landlock ABI, 0 if none */
	int abi;	/* the ABI stockade used (lower under the test override) */
	bool abi_lowered;
	enum sk_landlock_mode mode;
	char landlock[512];
	struct sk_enforcement_item fs, net, scope;
	char notes[SK_ENFORCEMENT_NOTES][512];
	size_t nnotes;
};

#endif
