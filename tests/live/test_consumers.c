/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the exported artifacts in their real consumers.
 *
 * For each preset, a probe script makes the same calls three ways:
 *
 *   stockade  `stockade run --preset P -- sh run.sh`
 *   bwrap     `bwrap --bind ROOTFS / --seccomp 3 sh /run.sh 3<P.bpf`, with
 *             the filter from `stockade compile --format bpf`
 *   crun      an OCI bundle (ROOTFS and config.json) whose linux.seccomp is
 *             `stockade compile --format oci --lossy`
 *
 * ROOTFS is built here: busybox-static as /bin/sh and a static build of
 * tests/probes/try-syscall.c.  Each consumer is also run without a filter
 * (its baseline).  A call's verdict in one consumer is: "allow" if it gives
 * the baseline's answer, "errno:E" / "killed" if it gives E / dies of SIGSYS
 * where the baseline does not.  The expected verdict comes from the policy
 * (sk_plan_decide; i386 and x32 entry points are refused by every preset
 * but none), and every consumer must see it.  A denial whose errno is also
 * the baseline's answer proves nothing and is only printed.
 *
 * A consumer that cannot run on this machine (not installed, no user
 * namespaces, crun without root) is skipped with the reason.  crun 1.8
 * refuses a hybrid cgroup layout; the test then runs it inside `unshare -m`
 * with an empty tmpfs over /sys/fs/cgroup/unified.
 *
 * Environment: STOCKADE (default build/stockade), PROBES (build/probes, for
 * try-syscall-static), BUSYBOX (default /bin/busybox), TMPDIR.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "consumers.h"
#include "live_util.h"
#include "plan/plan.h"

#define TIMEOUT_MS 120000
#define SIGSYS_STATUS (128 + SIGSYS) /* what sh reports for a SIGSYS death */

const struct call calls[] = {
	{ "getpid", "getpid", { 0 } },
	{ "mount", "mount", { 1, 1, 1, 0, 0 } },
	{ "unshare CLONE_FILES", "unshare", { 0x400 } },
	{ "unshare CLONE_NEWUSER", "unshare", { 0x10000000 } },
	{ "clone3", "clone3", { 1, 88 } },
	{ "socket AF_UNIX", "socket", { 1, 2, 0 } },
	{ "socket AF_INET", "socket", { 2, 2, 0 } },
	{ "socket AF_PACKET", "socket", { 17, 2, 0 } },
	{ "memfd_create 0", "memfd_create", { 1, 0 } },
	{ "memfd_create MFD_EXEC", "memfd_create", { 1, 0x10 } },
	{ "memfd_create MFD_NOEXEC_SEAL", "memfd_create", { 1, 0x8 } },
	{ "ioctl TIOCSTI", "ioctl", { UINT64_MAX, 0x5412, 1 } },
	{ "ioctl FIONREAD", "ioctl", { UINT64_MAX, 0x541b, 1 } },
	{ "personality ADDR_NO_RANDOMIZE", "personality", { 0x40000 } },
	{ "ptrace", "ptrace", { 2, 0, 0, 0 } },
	{ "keyctl", "keyctl", { 0xffff } },
	{ "bpf", "bpf", { 0xffff } },
	{ "io_uring_setup", "io_uring_setup", { 1, 0 } },
	{ "int80 getpid", NULL, { 0 } },
	{ "x32 getpid", NULL, { 0 } },
};
const size_t ncalls = sizeof(calls) / sizeof(calls[0]);
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static const char *const presets[] = { "agent", "strict", "minimal", "debug", "sealed-memfd", "none" };

static const char *const consumer_names[] = { "stockade run", "bwrap", "crun" };

/* ---- running things ---- */

/* argv in cwd (NULL: here), the extra fd `fd3` (if > 0) as descriptor 3. */
void run_in(const char *cwd, const char *const *argv, int fd3, struct run *r)
{
	run_cmd_opts(argv, &(struct run_opts){ .cwd = cwd, .fd3 = fd3, .timeout_ms = TIMEOUT_MS }, r);
}

bool exists_in_path(const char *name)
{
	return find_tool(NULL, NULL, name) != NULL;
}

static bool copy_file(const char *from, const char *to)
{
	const char *argv[] = { "cp", from, to, NULL };
	struct run r;

	run_in(NULL, argv, -1, &r);
	return r.outcome == 0;
}

/* A static executable has no PT_INTERP program header. */
static bool is_static_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	bool ok = false;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		ok = true;
		for (int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize)) != sizeof(ph) ||
			    ph.p_type == PT_INTERP)
				ok = false;
		}
	}
	close(fd);
	return ok;
}

/* ---- the fixture ---- */

/* The probe script: one line per call, "R <call> = <status>". */
static bool write_script(const char *path)
{
	char text[8192];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "P=${PROBE:-/probe}\nt() { \"$P\" \"$@\" >/dev/null 2>&1; echo \"R $* = $?\"; }\n");
	for (size_t i = 0; i < NCALLS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "t %s\n", calls[i].probe);
	return n < sizeof(text) && write_file(path, text);
}

static bool hybrid_cgroups(void)
{
	char *mi = read_file("/proc/self/mountinfo");
	bool hybrid = mi && strstr(mi, " /sys/fs/cgroup/unified ") && strstr(mi, " - cgroup2 ");

	free(mi);
	return hybrid;
}

bool fixture_init(struct fixture *fx)
{
	const char *busybox = getenv("BUSYBOX");
	char path[1200], probe[1024];
	struct run r;

	memset(fx, 0, sizeof(*fx));
	if (!make_tmpdir(fx->dir, sizeof(fx->dir), NULL, "stockade-consumers"))
		return false;
	snprintf(fx->rootfs, sizeof(fx->rootfs), "%s/rootfs", fx->dir);
	if (!busybox || !*busybox)
		busybox = "/bin/busybox";
	snprintf(probe, sizeof(probe), "%s", probe_path("try-syscall-static"));
	if (!is_static_elf(busybox)) {
		for (int c = 0; c < NCONSUMERS; c++)
			fx->skip[c] = "no static busybox for the rootfs (apt-get install busybox-static)";
		return true;
	}
	CHECK_MSG(is_static_elf(probe), "%s is missing or not static (make check builds it)", probe);
	mkdir(fx->rootfs, 0755);
	for (const char *const *d = (const char *const[]){ "bin", "proc", "dev", "tmp", NULL }; *d; d++) {
		snprintf(path, sizeof(path), "%s/%s", fx->rootfs, *d);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/bin/busybox", fx->rootfs);
	CHECK(copy_file(busybox, path));
	snprintf(path, sizeof(path), "%s/bin/sh", fx->rootfs);
	CHECK(symlink("busybox", path) == 0);
	snprintf(path, sizeof(path), "%s/probe", fx->rootfs);
	CHECK(copy_file(probe, path));
	snprintf(path, sizeof(path), "%s/run.sh", fx->rootfs);
	CHECK(write_script(path));

	/* bwrap: installed, and able to build a sandbox here? */
	if (!exists_in_path("bwrap")) {
		fx->skip[C_BWRAP] = "bwrap is not installed (apt-get install bubblewrap)";
	} else {
		const char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "/bin/sh", "-c", "true",
				       NULL };
		run_in(NULL, argv, -1, &r);
		if (r.outcome != 0) {
			snprintf(fx->why[C_BWRAP], sizeof(fx->why[0]), "bwrap cannot create a sandbox here: %.400s",
				 r.out);
			fx->skip[C_BWRAP] = fx->why[C_BWRAP];
		}
	}
	/* crun: installed, root (rootless crun needs a user namespace and
	 * cgroup delegation this test does not set up), unshare for the
	 * hybrid-cgroup workaround. */
	fx->hybrid_cgroups = hybrid_cgroups();
	if (!exists_in_path("crun"))
		fx->skip[C_CRUN] = "crun is not installed (apt-get install crun)";
	else if (geteuid() != 0)
		fx->skip[C_CRUN] = "crun runs containers as root here (rootless crun needs a user namespace and "
				   "cgroup delegation)";
	else if (fx->hybrid_cgroups && !exists_in_path("unshare"))
		fx->skip[C_CRUN] = "crun 1.8 needs `unshare -m` on a hybrid cgroup layout, and unshare is missing";
	return true;
}

void fixture_free(struct fixture *fx)
{
	if (fx->dir[0])
		rm_rf(fx->dir);
}

/* ---- the three consumers ---- */

/* stockade compile ... -o FILE; false (with the output printed) on failure. */
static bool compile(struct fixture *fx, const char *preset, const char *format, const char *file)
{
	const char *argv[] = { stockade_bin(), "compile", "--preset", preset, "--format", format, "--lossy", "-o",
			       file, NULL };
	struct run r;

	run_in(NULL, argv, -1, &r);
	CHECK_MSG(r.outcome == 0, "stockade compile --preset %s --format %s: status %d: %s", preset, format, r.outcome,
		  r.out);
	return r.outcome == 0;
}

static void run_stockade(struct fixture *fx, const char *preset, struct run *r)
{
	char sh[700], script[700], probe[700];

	snprintf(sh, sizeof(sh), "%s/bin/busybox", fx->rootfs);
	snprintf(script, sizeof(script), "%s/run.sh", fx->rootfs);
	snprintf(probe, sizeof(probe), "PROBE=%s/probe", fx->rootfs);
	/* From the rootfs: every preset lets the working directory execute. */
	if (!preset) {
		const char *argv[] = { "env", probe, sh, "sh", script, NULL };
		run_in(fx->rootfs, argv, -1, r);
	} else {
		const char *argv[] = { "env", probe, stockade_bin(), "run", "--preset", preset, "--", sh, "sh", script,
				       NULL };
		run_in(fx->rootfs, argv, -1, r);
	}
}

static void run_bwrap(struct fixture *fx, const char *bpf_file, struct run *r)
{
	int fd = bpf_file ? open(bpf_file, O_RDONLY | O_CLOEXEC) : -1;

	if (bpf_file) {
		const char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "--seccomp", "3",
				       "/bin/sh", "/run.sh", NULL };
		run_in(NULL, argv, fd, r);
	} else {
		const char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "/bin/sh", "/run.sh",
				       NULL };
		run_in(NULL, argv, -1, r);
	}
	if (fd >= 0)
		close(fd);
}

static int crun_seq;

/* Every capability of our bounding set, as a JSON list: the container's
 * root then gets the kernel's real answers (mount: ENOENT, not EPERM), and
 * crun is never asked for one it cannot grant. */
void bounding_caps(char *buf, size_t size)
{
	static const char *const names[] = {
		"CHOWN",	  "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",	     "FSETID",	   "KILL",
		"SETGID",	  "SETUID",	  "SETPCAP",	     "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
		"NET_BROADCAST",  "NET_ADMIN",	  "NET_RAW",	     "IPC_LOCK",      "IPC_OWNER", "SYS_MODULE",
		"SYS_RAWIO",	  "SYS_CHROOT",	  "SYS_PTRACE",	     "SYS_PACCT",     "SYS_ADMIN", "SYS_BOOT",
		"SYS_NICE",	  "SYS_RESOURCE", "SYS_TIME",	     "SYS_TTY_CONFIG", "MKNOD",	   "LEASE",
		"AUDIT_WRITE",	  "AUDIT_CONTROL", "SETFCAP",	     "MAC_OVERRIDE",  "MAC_ADMIN", "SYSLOG",
		"WAKE_ALARM",	  "BLOCK_SUSPEND", "AUDIT_READ",     "PERFMON",	     "BPF",	   "CHECKPOINT_RESTORE",
	};
	char *status = read_file("/proc/self/status"), *line = status ? strstr(status, "CapBnd:") : NULL;
	unsigned long long bnd = line ? strtoull(line + 7, NULL, 16) : 0;
	size_t used = (size_t)snprintf(buf, size, "[");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && used < size; i++)
		if (bnd & (1ULL << i))
			used += (size_t)snprintf(buf + used, size - used, "%s\"CAP_%s\"", used > 1 ? ", " : "",
						 names[i]);
	if (used < size)
		snprintf(buf + used, size - used, "]");
	free(status);
}

static void run_crun(struct fixture *fx, const char *oci_file, struct run *r)
{
	char bundle[700], config[800], state[700], id[64], cmd[3000], caps[2048];
	char *seccomp = oci_file ? read_file(oci_file) : NULL;
	size_t len = (seccomp ? strlen(seccomp) : 0) + 4096;
	char *text = malloc(len);

	r->outcome = -1;
	if (!text || (oci_file && !seccomp)) {
		free(text);
		free(seccomp);
		return;
	}
	bounding_caps(caps, sizeof(caps));
	snprintf(bundle, sizeof(bundle), "%s/bundle-%d", fx->dir, crun_seq);
	snprintf(state, sizeof(state), "%s/crun-state", fx->dir);
	snprintf(id, sizeof(id), "stockade-test-%d-%d", (int)getpid(), crun_seq++);
	mkdir(bundle, 0755);
	mkdir(state, 0700);
	snprintf(text, len,
		 "{\n \"ociVersion\": \"1.0.2\",\n"
		 " \"process\": {\n  \"terminal\": false,\n  \"user\": {\"uid\": 0, \"gid\": 0},\n"
		 "  \"args\": [\"/bin/sh\", \"/run.sh\"],\n"
		 "  \"env\": [\"PATH=/bin\", \"PROBE=/probe\"],\n  \"cwd\": \"/\",\n"
		 "  \"capabilities\": {\"bounding\": %s, \"effective\": %s, \"permitted\": %s},\n"
		 "  \"noNewPrivileges\": true\n },\n"
		 " \"root\": {\"path\": \"%s\", \"readonly\": true},\n"
		 " \"hostname\": \"stockade-test\",\n"
		 " \"mounts\": [\n"
		 "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
		 "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", "
		 "\"mode=755\"]},\n"
		 "  {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\"]}\n"
		 " ],\n"
		 " \"linux\": {\n  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, "
		 "{\"type\": \"mount\"}]%s%s\n }\n}\n",
		 caps, caps, caps, fx->rootfs, seccomp ? ",\n  \"seccomp\": " : "", seccomp ? seccomp : "");
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	CHECK(write_file(config, text));
	free(text);
	free(seccomp);
	/* crun 1.8 refuses the hybrid cgroup layout: hide cgroup2 in a
	 * private mount namespace. */
	snprintf(cmd, sizeof(cmd), "%s exec crun --root '%s' run --bundle '%s' '%s'",
		 fx->hybrid_cgroups ? "mount -t tmpfs stockade-test /sys/fs/cgroup/unified &&" : "", state, bundle, id);
	if (fx->hybrid_cgroups) {
		const char *argv[] = { "unshare", "-m", "--propagation", "private", "sh", "-c", cmd, NULL };
		run_in(NULL, argv, -1, r);
	} else {
		const char *argv[] = { "sh", "-c", cmd, NULL };
		run_in(NULL, argv, -1, r);
	}
}

/* ---- verdicts ---- */

/* The status of `call` in a script's output, or -1. */
int status_of(const char *out, const struct call *c)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "R %s = ", c->probe);
	for (p = out; (p = strstr(p, key)); p++)
		if (p == out || p[-1] == '\n')
			return atoi(p + strlen(key));
	return -1;
}

const char *verdict(int got, int base, char *buf, size_t size)
{
	if (got < 0)
		snprintf(buf, size, "missing");
	else if (got == base)
		snprintf(buf, size, "allow");
	else if (got == SIGSYS_STATUS)
		snprintf(buf, size, "killed");
	else
		snprintf(buf, size, "errno:%s", sk_errno_name(got) ? sk_errno_name(got) : "?");
	return buf;
}

void expected(const stockade_plan *plan, const struct call *c, char *buf, size_t size)
{
	struct sk_verdict v;

	if (!c->name) {
		/* i386 and x32 entry points: refused by every preset with a filter */
		snprintf(buf, size, "%s", plan->seccomp_enabled && plan->compat == SK_COMPAT_REFUSE ? "killed" : "allow");
		return;
	}
	sk_plan_decide(plan, c->name, c->a, &v);
	if (v.action.type == SK_ACT_ALLOW || v.action.type == SK_ACT_LOG)
		snprintf(buf, size, "allow");
	else if (v.action.type == SK_ACT_ERRNO)
		snprintf(buf, size, "errno:%s", sk_errno_name(v.action.errnum) ? sk_errno_name(v.action.errnum) : "?");
	else if (v.action.type == SK_ACT_KILL_PROCESS || v.action.type == SK_ACT_KILL_THREAD)
		snprintf(buf, size, "killed");
	else
		snprintf(buf, size, "trapped");
}

stockade_plan *preset_plan(const char *name)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;

	if (stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, name, NULL) == 0)
		stockade_plan_build(p, &plan, NULL);
	stockade_policy_free(p);
	return plan;
}

/* The outcome of a status as a verdict would name it. */
static const char *outcome_name(int status, char *buf, size_t size)
{
	return verdict(status, -2, buf, size);
}

/*
 * `stockade run` and one other consumer, every preset, every call: both
 * must give each call the policy's verdict.
 */
static void consumer_test(enum consumer other)
{
	struct fixture fx;
	static struct run base[NCONSUMERS], got;
	const enum consumer which[2] = { C_STOCKADE, other };
	size_t compared = 0;

	if (!fixture_init(&fx))
		return;
	for (int i = 0; i < 2; i++) {
		enum consumer c = which[i];
		if (fx.skip[c])
			continue;
		if (c == C_STOCKADE)
			run_stockade(&fx, NULL, &base[c]);
		else if (c == C_BWRAP)
			run_bwrap(&fx, NULL, &base[c]);
		else
			run_crun(&fx, NULL, &base[c]);
		if (base[c].outcome != 0 || status_of(base[c].out, &calls[0]) != 0) {
			snprintf(fx.why[c], sizeof(fx.why[0]), "%s cannot run the probe here (status %d): %.400s",
				 consumer_names[c], base[c].outcome, base[c].out);
			fx.skip[c] = fx.why[c];
		}
	}
	CHECK_MSG(!fx.skip[C_STOCKADE] || strstr(fx.skip[C_STOCKADE], "busybox"), "%s", fx.skip[C_STOCKADE]);
	if (fx.skip[other] || fx.skip[C_STOCKADE]) {
		static char reason[700];
		snprintf(reason, sizeof(reason), "%s", fx.skip[other] ? fx.skip[other] : fx.skip[C_STOCKADE]);
		fixture_free(&fx);
		SKIP(reason);
	}

	for (size_t p = 0; p < sizeof(presets) / sizeof(presets[0]); p++) {
		stockade_plan *plan = preset_plan(presets[p]);
		char file[700];
		int status[2][NCALLS];

		CHECK_MSG(plan != NULL, "preset %s", presets[p]);
		if (!plan)
			continue;
		for (int i = 0; i < 2; i++) {
			enum consumer c = which[i];
			for (size_t k = 0; k < NCALLS; k++)
				status[i][k] = -1;
			if (c == C_STOCKADE) {
				run_stockade(&fx, presets[p], &got);
			} else if (c == C_BWRAP) {
				snprintf(file, sizeof(file), "%s/%s.bpf", fx.dir, presets[p]);
				if (!compile(&fx, presets[p], "bpf", file))
					continue;
				run_bwrap(&fx, file, &got);
			} else {
				snprintf(file, sizeof(file), "%s/%s.json", fx.dir, presets[p]);
				if (!compile(&fx, presets[p], "oci", file))
					continue;
				run_crun(&fx, file, &got);
			}
			CHECK_MSG(got.outcome == 0, "%s under %s: status %d: %s", presets[p], consumer_names[c],
				  got.outcome, got.out);
			for (size_t k = 0; k < NCALLS; k++)
				status[i][k] = status_of(got.out, &calls[k]);
		}
		printf("  %s:\n    %-31s %-18s %-18s %s\n", presets[p], "call", "policy", consumer_names[which[0]],
		       consumer_names[which[1]]);
		for (size_t k = 0; k < NCALLS; k++) {
			char want[48], v[2][48], b[48];

			expected(plan, &calls[k], want, sizeof(want));
			printf("    %-31s %-18s", calls[k].probe, want);
			for (int i = 0; i < 2; i++) {
				int bs = status_of(base[which[i]].out, &calls[k]);

				verdict(status[i][k], bs, v[i], sizeof(v[i]));
				/* A denial that gives the unconfined answer cannot
				 * be told from an allow: shown, not asserted. */
				if (strcmp(want, "allow") != 0 && !strcmp(want, outcome_name(bs, b, sizeof(b)))) {
					printf(" %-18s", "(as unconfined)");
					continue;
				}
				printf(" %-18s", v[i]);
				compared++;
				CHECK_MSG(!strcmp(v[i], want),
					  "%s: %s under %s: %s (status %d, unconfined %d), the policy says %s", presets[p],
					  calls[k].probe, consumer_names[which[i]], v[i], status[i][k], bs, want);
			}
			printf("\n");
		}
		stockade_plan_free(plan);
	}
	fixture_free(&fx);
	CHECK(compared > 0);
}

TEST(consumer_bwrap_seccomp_fd)
{
	consumer_test(C_BWRAP);
}

TEST(consumer_crun_oci_profile)
{
	consumer_test(C_CRUN);
}
