/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: stockade COMMAND [OPTION]...\n"
		"Run a command under a declarative seccomp policy.\n"
		"\n"
		"Commands:\n"
		"  run [POLICY OPTIONS] [--] CMD [ARG]...   run CMD confined (default preset: agent)\n"
		"  show [POLICY OPTIONS] [--arch A] [--pfc] print every syscall's action and where it came from\n"
		"  presets [--markdown]                     list the built-in presets\n"
		"  groups [--markdown]                      list the syscall groups\n"
		"\n"
		"Policy options:\n"
		"  --preset NAME      start from a built-in preset (agent, strict, minimal, debug, none, ...)\n"
		"  --policy FILE      a YAML policy file (it may `extends:` a preset or another file)\n"
		"  --allow NAME       allow a syscall or @group outright, dropping its argument rules\n"
		"  --deny NAME        deny a syscall or @group with the policy's deny action\n"
		"  --arch ARCH        x86_64, aarch64, i386, x32 (show only)\n"
		"\n"
		"Exit status: the command's; 125 if stockade failed, 126 if CMD cannot run, 127 if not found.\n"
		"See stockade(1) and README.md.\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return EXIT_STOCKADE;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("stockade %s\n", STOCKADE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(cmd, "presets"))
		return cmd_presets(argc - 1, argv + 1);
	if (!strcmp(cmd, "groups"))
		return cmd_groups(argc - 1, argv + 1);
	usage_error("unknown command `%s`", cmd);
	return EXIT_STOCKADE;
}
