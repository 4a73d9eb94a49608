/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command table: every subcommand, its one-line summary, its usage and
 * each option it accepts.  Dispatch, `stockade --help`, `stockade CMD
 * --help` and the "did you mean" for a mistyped command or option all read
 * it, so they cannot disagree; tests/tools/cli-help.sh checks that every
 * option a cmd_*.c parses is in it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "supervised.h"

/* Help text wraps here, as the rest of stockade's output does. */
#define HELP_WIDTH 100

const struct cli_option cli_policy_options[] = {
	{ "--preset", NULL, "NAME", "a built-in preset to start from (agent, strict, minimal, none, ...)" },
	{ "--policy", NULL, "FILE", "a YAML policy file that `extends:` a preset, a file or none (- reads stdin)" },
	{ "--allow", NULL, "NAME", "allow a syscall or @group outright, dropping its argument rules" },
	{ "--deny", NULL, "NAME", "deny a syscall or @group with the policy's deny action" },
	{ "--net", NULL, "MODE", "network: none (AF_UNIX only, agent's), unix (and netlink route), proxy or full" },
	{ "--allow-host", NULL, "HOST", "reach HOST[:PORT] or *.DOMAIN via stockade's proxy (implies --net proxy)" },
	{ "--tcp-connect", NULL, "ADDR:PORT", "allow direct TCP connections to PORT (ADDR: 127.0.0.1, [::1])" },
	{ "--read", NULL, "PATH", "also let the command read PATH (the preset's carve-outs do not apply)" },
	{ "--write", NULL, "PATH", "also let the command write PATH (~/.npm, a cache)" },
	{ "--keep-env", NULL, "NAME", "the command gets variable NAME (or a glob) although environment.drop matches" },
	{ "--exec", NULL, "PATH", "also let the command read and run programs under PATH (~/.pyenv, a toolchain)" },
	{ "--isolation", NULL, "MODE", "namespaces: auto (where they can be made, agent's), required or off" },
	{ "--arch", NULL, "ARCH", "the filter's arch: x86_64, aarch64, i386, x32, native (the default)" },
	{ "--oci-profile", NULL, "FILE", "an OCI / Docker seccomp profile (JSON) in place of the base's syscall rules; its files, network stay" },
	{ "--oci-caps", NULL, "LIST", "the OCI profile's capabilities: docker (default), all, none, CAP_X,..." },
	{ "--oci-kernel", NULL, "REL", "the kernel release OCI minKernel tests (default: the running one)" },
	{ 0 },
};

static const struct cli_option run_options[] = {
	{ "--verbose", "-v", NULL, "say, per layer, what this kernel enforces (warnings come anyway)" },
	{ "--report", NULL, NULL, "at exit, list every call the policy denied, why, and how to allow it" },
	{ "--no-report", NULL, NULL, "no report (--report is the default when stderr is a terminal)" },
	{ "--report-json", NULL, "FILE", "one JSON object per denial (and a closing \"exit\" object) to FILE; - is stdout" },
	{ "--report-fd", NULL, "N", "the same JSON to descriptor N, which the command does not inherit" },
	{ "--audit", NULL, NULL, "deny nothing; report what the policy would deny (seccomp.mode: audit)" },
	{ "--preserve-fds", NULL, "N", "pass descriptors 3 to 3+N-1 on (others above 2 are closed, but make's jobserver)" },
	{ "--timings", NULL, NULL, "print where stockade's start went, phase by phase (µs), before the command runs" },
	{ 0 },
};

static const struct cli_option learn_options[] = {
	{ "--output", "-o", "FILE", "write the policy to FILE (default: standard output)" },
	{ "--base", NULL, "PRESET|FILE", "the policy to extend (default: strict)" },
	{ "--name", NULL, "NAME", "the learned policy's name (default: learned)" },
	{ "--all", NULL, NULL, "also list, as comments, every call the run made (slower)" },
	{ "--isolation", NULL, "MODE", "namespaces: auto (the base's, where they can be made), required or off" },
	{ "--net", NULL, "MODE", "the base's network mode; proxy: learn the hosts reached (network.allow)" },
	{ 0 },
};

static const struct cli_option show_options[] = {
	{ "--listing", "--pfc", NULL, "print the compiled filter instead, one instruction a line" },
	{ 0 },
};

static const struct cli_option doctor_options[] = {
	{ "--rules", NULL, NULL, "also list the Landlock filesystem rules the policy expands to here" },
	{ 0 },
};

static const struct cli_option markdown_options[] = {
	{ "--markdown", NULL, NULL, "print the documentation generated from them (docs/)" },
	{ 0 },
};

static const struct cli_option compile_options[] = {
	{ "--format", NULL, "bpf|oci|oci-config|listing", "the file to write (required; see above)" },
	{ "--lossy", NULL, NULL, "also export what the format cannot express exactly, listed on stderr" },
	{ "--output", "-o", "FILE", "write to FILE (default, or `-`: standard output)" },
	{ 0 },
};

static const struct cli_option explain_options[] = {
	{ "--all", NULL, NULL, "every syscall of the arch with its action, instead of one SYSCALL" },
	{ "--path", NULL, "PATH", "what the filesystem rules do with an access to PATH, instead of a SYSCALL" },
	{ "--access", NULL, "ACCESS", "with --path: read (default), write, create, remove, exec, rename or link" },
	{ "--from", NULL, "SOURCE", "with --access rename or link: the file moved or linked to PATH" },
	{ 0 },
};

static const struct cli_option stats_options[] = {
	{ "--list", NULL, NULL, "also print every syscall with its path length" },
	{ 0 },
};

static const struct cli_option no_options[] = { { 0 } };

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct cli_command commands[] = {
	{
		.name = "run",
		.run = cmd_run,
		.usage = "[POLICY OPTIONS] [-v|--verbose] [--report | --no-report] [--report-json FILE | --report-fd N] [--audit] "
			 "[--preserve-fds N] [--timings] [--] COMMAND [ARG]...",
		.summary = "run COMMAND confined (default preset: agent)",
		.about = "Run COMMAND under the policy (default: the agent preset), in place of stockade; with\n"
			 "--report (the default when stderr is a terminal), --report-json or --audit, under a\n"
			 "supervisor that reports what the policy denied.  COMMAND inherits descriptors 0, 1 and\n"
			 "2 only (and the N after them with --preserve-fds N, and a make jobserver's).\n"
			 "Exit status: COMMAND's; 125 if stockade failed, 126 if COMMAND cannot run, 127 if "
			 "not found.",
		.options = run_options,
		.policy = true,
	},
	{
		.name = "learn",
		.run = cmd_learn,
		.usage = "[-o|--output FILE] [--base PRESET|FILE] [--name NAME] [--all] [--] COMMAND [ARG]...",
		.summary = "write a policy allowing what COMMAND needs beyond a base policy",
		.about = "Run COMMAND (and its children) with nothing denied but the base's credential carve-outs,\n"
			 "record every call and file access the base policy would deny, and write a policy that\n"
			 "allows exactly those (the narrowest filesystem grants) on top of the base.  With\n"
			 "--all every call goes through stockade, not only those the base denies.\n"
			 "Exit status: COMMAND's; 125 if stockade failed.",
		.options = learn_options,
	},
	{
		.name = "show",
		.run = cmd_show,
		.usage = "[POLICY OPTIONS] [--listing|--pfc]",
		.summary = "print every syscall's action and where it came from",
		.about = "Every syscall of ARCH (default: this machine's), the action the policy gives it, and\n"
			 "the preset or policy line that decided it.",
		.options = show_options,
		.policy = true,
	},
	{
		.name = "doctor",
		.run = cmd_doctor,
		.usage = "[POLICY OPTIONS] [--rules]",
		.summary = "what this kernel enforces of the policy, layer by layer",
		.about = "What this kernel enforces of the policy (default: agent), layer by layer, without\n"
			 "running anything.\n"
			 "Exit status: 0 all of it, 1 not all of it, 125 error.",
		.options = doctor_options,
		.policy = true,
	},
	{
		.name = "presets",
		.run = cmd_presets,
		.usage = "[--markdown]",
		.summary = "list the built-in presets",
		.about = "The built-in presets, one per line; --markdown writes docs/presets.md.",
		.options = markdown_options,
	},
	{
		.name = "groups",
		.run = cmd_groups,
		.usage = "[--markdown]",
		.summary = "list the syscall groups",
		.about = "The syscall groups, one per line; --markdown writes docs/groups.md.",
		.options = markdown_options,
	},
	{
		.name = "compile",
		.run = cmd_compile,
		.usage = "[POLICY OPTIONS] --format bpf|oci|oci-config|listing [--lossy] [-o|--output FILE]",
		.summary = "the filter for bwrap, OCI runtimes, or review",
		.about = "Write the policy's seccomp filter for ARCH (default: this machine's):\n"
			 "  bpf  a struct sock_filter array: bwrap --seccomp 3 3<FILE ...\n"
			 "  oci  OCI linux.seccomp JSON: Docker/Podman --security-opt seccomp=FILE, Kubernetes\n"
			 "       Localhost\n"
			 "  oci-config  a fragment of an OCI config.json for crun/runc to merge: the oci profile\n"
			 "       as linux.seccomp, process.capabilities, noNewPrivileges, linux.namespaces and\n"
			 "       linux.maskedPaths (docs/artifacts.md: how to merge it)\n"
			 "  listing  the bpf filter, one instruction a line, for review (also: pfc)\n"
			 "What the format cannot carry is listed on stderr (notes).",
		.options = compile_options,
		.policy = true,
	},
	{
		.name = "explain",
		.run = cmd_explain,
		.usage = "[POLICY OPTIONS] SYSCALL [ARG]...\n[POLICY OPTIONS] --all\n"
			 "[POLICY OPTIONS] --path PATH [--access ACCESS [--from SOURCE]]",
		.summary = "the action a call gets and the entry responsible",
		.about = "The action SYSCALL(ARG...) gets and the policy entry responsible, checked against the\n"
			 "compiled filter.  SYSCALL is a name or a number; ARGs are numbers or constants\n"
			 "(CLONE_NEWUSER, AF_PACKET|0x80, ...), missing ones 0.  --path: whether the\n"
			 "filesystem rules allow ACCESS to PATH, the entry that decides and the narrowest fix.\n"
			 "Exit status: 0, 1 if the filter disagrees with the policy, 125 error.",
		.options = explain_options,
		.policy = true,
	},
	{
		.name = "stats",
		.run = cmd_stats,
		.usage = "[POLICY OPTIONS] [--list]",
		.summary = "filter size, paths, syscalls the kernel caches",
		.about = "The compiled filter's instruction count, the longest and mean path through it, and which\n"
			 "syscalls the kernel caches as always allowed (they never run the filter) versus those\n"
			 "that run it on every call.",
		.options = stats_options,
		.policy = true,
	},
	{
		.name = "help",
		.run = cmd_help,
		.usage = "[COMMAND]",
		.summary = "this list, or COMMAND's options (as stockade COMMAND --help)",
		.about = "Without COMMAND, the list of commands; with it, what COMMAND --help prints.",
		.options = no_options,
	},
	{
		.name = "version",
		.run = cmd_version,
		.usage = "",
		.summary = "print stockade's version (also: stockade --version)",
		.about = "Print stockade's version.",
		.options = no_options,
	},
};

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const struct cli_option *find_in(const struct cli_option *opts, const char *arg, size_t len)
{
	for (; opts && opts->name; opts++)
		if ((strlen(opts->name) == len && !strncmp(opts->name, arg, len)) ||
		    (opts->alias && strlen(opts->alias) == len && !strncmp(opts->alias, arg, len)))
			return opts;
	return NULL;
}

const struct cli_option *cli_option_find(const struct cli_command *c, const char *arg)
{
	size_t len = strcspn(arg, "=");
	const struct cli_option *o;

	if (!c)
		return NULL;
	o = find_in(c->options, arg, len);
	if (!o && c->policy)
		o = find_in(cli_policy_options, arg, len);
	return o;
}

bool cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* Print len bytes of s from column col, breaking lines at spaces outside
 * brackets before HELP_WIDTH, going on at column indent.  Returns the
 * column it ends at. */
static size_t wrap(FILE *f, const char *s, size_t len, size_t col, size_t indent)
{
	const char *end = s + len;

	while (s < end) {
		size_t n = 0;
		int depth = 0;

		/* One chunk: its leading space, up to the next space outside
		 * [...] and (...). */
		while (s + n < end && (depth > 0 || s[n] != ' ' || n == 0)) {
			depth += (s[n] == '[' || s[n] == '(') - (s[n] == ']' || s[n] == ')');
			n++;
		}
		if (col > indent && col + n > HELP_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
			if (*s == ' ') {
				s++;
				n--;
			}
		}
		col += (size_t)fprintf(f, "%.*s", (int)n, s);
		s += n;
	}
	return col;
}

/* Each form of c's usage on a line of its own, the first after `first`,
 * the others after `rest`. */
static void print_forms(FILE *f, const struct cli_command *c, const char *first, const char *rest, size_t indent)
{
	const char *form = c->usage, *nl;

	do {
		size_t len = (nl = strchr(form, '\n')) ? (size_t)(nl - form) : strlen(form);
		size_t col = (size_t)fprintf(f, "%s%s%s", form == c->usage ? first : rest, c->name, len ? " " : "");

		wrap(f, form, len, col, indent);
		fputc('\n', f);
		form = nl + 1;
	} while (nl);
}

void cli_print_usage(FILE *f, const struct cli_command *c)
{
	if (c)
		print_forms(f, c, "Usage: stockade ", "       stockade ", 16);
	else
		fprintf(f, "Usage: stockade COMMAND [OPTION]...\n");
}

static size_t left_width(const struct cli_option *o)
{
	/* "  -o, --output FILE": the alias column is there for every option. */
	return 2 + 4 + strlen(o->name) + (o->arg ? 1 + strlen(o->arg) : 0);
}

static void print_options(FILE *f, const struct cli_option *opts, size_t width)
{
	for (const struct cli_option *o = opts; o->name; o++) {
		int n = fprintf(f, "  %-2s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "  ", o->name,
				o->arg ? " " : "", o->arg ? o->arg : "");

		fprintf(f, "%*s", (int)(width - (size_t)n), "");
		wrap(f, o->help, strlen(o->help), width, width);
		fputc('\n', f);
	}
}

static size_t options_width(const struct cli_option *opts, size_t width)
{
	for (const struct cli_option *o = opts; o && o->name; o++)
		if (left_width(o) + 2 > width)
			width = left_width(o) + 2;
	return width;
}

static const struct cli_option help_option[] = {
	{ "--help", "-h", NULL, "print this help" },
	{ 0 },
};

int cli_help(const char *name)
{
	const struct cli_command *c = cli_command_find(name);
	size_t width = options_width(help_option, 0);

	if (!c)
		return EXIT_STOCKADE;
	width = options_width(c->options, width);
	if (c->policy)
		width = options_width(cli_policy_options, width);
	cli_print_usage(stdout, c);
	printf("%s\n\nOptions:\n", c->about);
	print_options(stdout, c->options, width);
	print_options(stdout, help_option, width);
	if (c->policy) {
		printf("\nPolicy options:\n");
		print_options(stdout, cli_policy_options, width);
	}
	return 0;
}

static void usage(FILE *f)
{
	static const struct cli_option top_options[] = {
		{ "--help", "-h", NULL, "this help; stockade COMMAND --help lists COMMAND's options" },
		{ "--version", NULL, NULL, "print stockade's version" },
		{ 0 },
	};
	size_t width = options_width(cli_policy_options, options_width(top_options, 0));
	bool first = true;

	fprintf(f, "Usage: stockade COMMAND [OPTION]...\n"
		   "Run a command under a declarative seccomp and Landlock policy.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		/* Every form of the command, then what it does. */
		print_forms(f, &commands[i], "  ", "  ", 6);
		fprintf(f, "%*s", 8, "");
		wrap(f, commands[i].summary, strlen(commands[i].summary), 8, 8);
		fputc('\n', f);
	}
	fprintf(f, "\nOptions:\n");
	print_options(f, top_options, width);
	fprintf(f, "\nPolicy options, for ");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!commands[i].policy)
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", commands[i].name);
		first = false;
	}
	fprintf(f, ":\n");
	print_options(f, cli_policy_options, width);
	fprintf(f, "\nExit status: the command's; 125 if stockade failed, 126 if CMD cannot run, 127 if not "
		   "found.\nSee stockade(1) and README.md.\n");
}

/* Unknown commands, and options before any command: said with the closest
 * of the names that would have worked. */
static int unknown_command(const char *name)
{
	static const char *const top[] = { "--help", "-h", "--version" };
	const char *names[ARRAY_SIZE(commands)];
	const char *best;

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	if (name[0] == '-') {
		best = stockade_suggest(name, top, ARRAY_SIZE(top));
		usage_error(NULL, "unknown option `%s`%s%s%s (options go after the command)", name,
			    best ? ", did you mean `" : "", best ? best : "", best ? "`?" : "");
	} else {
		best = stockade_suggest(name, names, ARRAY_SIZE(names));
		usage_error(NULL, "unknown command `%s`%s%s%s", name, best ? ", did you mean `" : "",
			    best ? best : "", best ? "`?" : "");
	}
	return EXIT_STOCKADE;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1]))
		return cli_help(argv[0]);
	if (argc > 2) {
		usage_error(argv[0], "one command at a time");
		return EXIT_STOCKADE;
	}
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argv[1][0] == '-') {
		unknown_option(argv[0], argv[1]);
		return EXIT_STOCKADE;
	}
	if (!cli_command_find(argv[1]))
		return unknown_command(argv[1]);
	return cli_help(argv[1]);
}

/* Also reached as `stockade --version`: argv[0] is not always its name. */
static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1]))
		return cli_help("version");
	if (argc > 1) {
		if (argv[1][0] == '-')
			unknown_option("version", argv[1]);
		else
			usage_error("version", "takes no arguments");
		return EXIT_STOCKADE;
	}
	printf("stockade %s\n", STOCKADE_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *c;
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		usage_error(NULL, "which command?");
		return EXIT_STOCKADE;
	}
	if (cli_is_help(name)) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	c = cli_command_find(name);
	if (!c)
		return unknown_command(name);
	return c->run(argc - 1, argv + 1);
}
