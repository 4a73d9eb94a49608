/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "supervised.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: stockade COMMAND [OPTION]...\n"
		"Run a command under a declarative seccomp and Landlock policy.\n"
		"\n"
		"Commands:\n"
		"  run [POLICY OPTIONS] [--] CMD [ARG]...   run CMD confined (default preset: agent)\n"
		"      [--report] [--report-json FILE]      at exit, list what was denied, why, and the fix\n"
		"      [--audit]                            deny nothing, report what would be denied\n"
		"  learn [-o FILE] [--base PRESET] [--] CMD [ARG]...\n"
		"                                           write a policy allowing what CMD needs beyond PRESET\n"
		"  show [POLICY OPTIONS] [--arch A] [--listing]\n"
		"                                           print every syscall's action and where it came from,\n"
		"                                           or (--listing) the compiled filter, for review\n"
		"  doctor [POLICY OPTIONS]                  what this kernel enforces of the policy, layer by layer\n"
		"  presets [--markdown]                     list the built-in presets\n"
		"  groups [--markdown]                      list the syscall groups\n"
		"  compile [POLICY OPTIONS] --format bpf|oci|listing [--arch A] [--lossy] [-o FILE]\n"
		"                                           the filter for bwrap, OCI runtimes, or review\n"
		"  explain [POLICY OPTIONS] [--arch A] SYSCALL [ARG]... | --all\n"
		"                                           the action a call gets and the entry responsible\n"
		"  stats [POLICY OPTIONS] [--arch A] [--list] filter size, paths, syscalls the kernel caches\n"
		"\n"
		"Policy options:\n"
		"  --preset NAME      start from a built-in preset (agent, strict, minimal, debug, none, ...)\n"
		"  --policy FILE      a YAML policy file (it may `extends:` a preset or another file)\n"
		"  --allow NAME       allow a syscall or @group outright, dropping its argument rules\n"
		"  --deny NAME        deny a syscall or @group with the policy's deny action\n"
		"  --net MODE         network: none (AF_UNIX only), unix (and netlink route) or full\n"
		"  --read PATH        also let the command read PATH (the preset's carve-outs do not apply)\n"
		"  --write PATH       also let the command write PATH (~/.npm, a cache)\n"
		"  --arch ARCH        x86_64, aarch64, i386, x32 (show, compile, explain, stats)\n"
		"  --oci-profile FILE an OCI / Docker seccomp profile (JSON) as a layer, like `extends: oci:FILE`\n"
		"  --oci-caps LIST    capabilities OCI includes/excludes test: docker (default), all, none, CAP_X,...\n"
		"  --oci-kernel REL   kernel release OCI minKernel tests (default: the running kernel)\n"
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
	if (!strcmp(cmd, "learn"))
		return cmd_learn(argc - 1, argv + 1);
	if (!strcmp(cmd, "doctor"))
		return cmd_doctor(argc - 1, argv + 1);
	if (!strcmp(cmd, "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(cmd, "presets"))
		return cmd_presets(argc - 1, argv + 1);
	if (!strcmp(cmd, "groups"))
		return cmd_groups(argc - 1, argv + 1);
	if (!strcmp(cmd, "compile"))
		return cmd_compile(argc - 1, argv + 1);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc - 1, argv + 1);
	usage_error("unknown command `%s`", cmd);
	return EXIT_STOCKADE;
}
