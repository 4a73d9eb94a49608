/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The enforcement report, layer by layer (`run --verbose`, `doctor`), and
 * the warnings `run` always prints: a run is never less confined than the
 * policy says without a line on stderr saying so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock/landlock.h"
#include "cli.h"
#include "plan/plan.h"

static void item(FILE *f, const char *layer, const struct sk_enforcement_item *it)
{
	fprintf(f, "  %-13s %s: %s\n", layer, sk_level_name(it->level), it->text);
}

void print_enforcement(FILE *f, const char *policy, const struct sk_enforcement *rep)
{
	fprintf(f, "stockade: policy %s%s\n", policy, rep->applied ? "" : " (what it would enforce here)");
	fprintf(f, "  %-13s %s\n", "no_new_privs", rep->nnp ? "enforced" : "NOT set");
	item(f, "seccomp", &rep->seccomp);
	fprintf(f, "  %-13s %s\n", "landlock", rep->landlock);
	item(f, "filesystem", &rep->fs);
	item(f, "network", &rep->net);
	item(f, "scope", &rep->scope);
	for (size_t i = 0; i < rep->nnotes; i++)
		fprintf(f, "  note: %s\n", rep->notes[i]);
}

int print_enforcement_warnings(FILE *f, const struct sk_enforcement *rep)
{
	const struct sk_enforcement_item *items[] = { &rep->fs, &rep->net, &rep->scope };
	const char *names[] = { "filesystem", "network", "scope" };
	int n = 0;

	if (rep->abi_lowered) {
		fprintf(f, "stockade: warning: Landlock %s\n", rep->landlock);
		n++;
	}
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (items[i]->level != SK_LEVEL_PARTIAL && items[i]->level != SK_LEVEL_NONE)
			continue;
		fprintf(f, "stockade: warning: %s %s%s: %s\n", names[i], sk_level_name(items[i]->level),
			items[i]->weaker ? " (less than the policy asks)" : "", items[i]->text);
		n++;
	}
	return n;
}

int landlock_override_from_env(void)
{
	const char *v = getenv("STOCKADE_TEST_LANDLOCK_ABI");
	char *end;
	long abi;

	if (!v || !*v)
		return 0;
	errno = 0;
	abi = strtol(v, &end, 10);
	if (*end || errno || abi < 0 || abi > 1000) {
		fprintf(stderr, "stockade: STOCKADE_TEST_LANDLOCK_ABI=%s: not an ABI number\n", v);
		return -1;
	}
	/* It can only lower what the kernel has (src/landlock). */
	sk_landlock_set_abi_override((int)abi);
	return 0;
}
