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
#include "plan.h"

#define OUT_MAX 16384
#define TIMEOUT_MS 120000
#define SIGSYS_STATUS (128 + SIGSYS) /* what sh reports for a SIGSYS death */

/* One call of the probe, and what it is to the policy. */
struct call {
	const char *probe; /* try-syscall arguments */
	const char *name;  /* the syscall, NULL for another entry point */
	uint64_t a[6];	   /* the arguments rules can look at */
};

static const struct call calls[] = {
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
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static const char *const presets[] = { "agent", "strict", "minimal", "debug", "sealed-memfd", "none" };

enum consumer { C_STOCKADE, C_BWRAP, C_CRUN, NCONSUMERS };
static const char *const consumer_names[] = { "stockade run", "bwrap", "crun" };

/* ---- running things ---- */

struct result {
	int status; /* exit status, 1000 + signal, or -1 */
	char out[OUT_MAX];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* argv with stdin from `in` (or /dev/null), stdout+stderr captured, the
 * extra fd `fd3` (if >= 0) as descriptor 3. */
static void run_in(const char *cwd, char *const argv[], const char *in, int fd3, struct result *r)
{
	struct rlimit nocore = { 0, 0 };
	size_t used = 0;
	int pipefd[2], status;
	long deadline;
	pid_t pid;

	r->status = -1;
	r->out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (pid == 0) {
		int infd = open(in ? in : "/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		if (infd >= 0)
			dup2(infd, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		/* dup2 clears O_CLOEXEC, but not when the fd is already 3 */
		if (fd3 == 3)
			fcntl(3, F_SETFD, 0);
		else if (fd3 >= 0)
			dup2(fd3, 3);
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	deadline = now_ms() + TIMEOUT_MS;
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		long left = deadline - now_ms();
		char sink[512];
		ssize_t got;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		got = used + 1 < sizeof(r->out) ? read(pipefd[0], r->out + used, sizeof(r->out) - used - 1)
						 : read(pipefd[0], sink, sizeof(sink));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (used + 1 < sizeof(r->out))
			used += (size_t)got;
		r->out[used] = '\0';
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 1000 + WTERMSIG(status) : -1;
}

/* execvp() takes char *const[]; the strings are not written to. */
static char *unconst(const char *s)
{
	union {
		const char *c;
		char *m;
	} u = { .c = s };

	return u.m;
}

static void run(char *const argv[], const char *in, int fd3, struct result *r)
{
	run_in(NULL, argv, in, fd3, r);
}

static bool exists_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - path), path, name);
		if (access(buf, X_OK) == 0)
			return true;
		path = *end ? end + 1 : end;
	}
	return false;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool copy_file(const char *from, const char *to)
{
	char *argv[] = { "cp", unconst(from), unconst(to), NULL };
	struct result r;

	run(argv, NULL, -1, &r);
	return r.status == 0;
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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* ---- the fixture ---- */

struct fixture {
	char dir[512];
	char rootfs[600];
	char stockade[512];
	const char *skip[NCONSUMERS];
	char why[NCONSUMERS][600];
	bool hybrid_cgroups;
};

static const char *stockade_path(char *buf, size_t size)
{
	const char *s = getenv("STOCKADE");

	if (!s || !*s)
		s = "build/stockade";
	if (s[0] != '/' && getcwd(buf, size)) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "/%s", s);
		return buf;
	}
	snprintf(buf, size, "%s", s);
	return buf;
}

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

static bool fixture_init(struct fixture *fx)
{
	const char *tmp = getenv("TMPDIR"), *probes = getenv("PROBES"), *busybox = getenv("BUSYBOX");
	char path[1200], probe[1024];
	struct result r;

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "%s/stockade-consumers.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		CHECK_MSG(false, "mkdtemp: %s", strerror(errno));
		return false;
	}
	chmod(fx->dir, 0755);
	stockade_path(fx->stockade, sizeof(fx->stockade));
	snprintf(fx->rootfs, sizeof(fx->rootfs), "%s/rootfs", fx->dir);
	if (!busybox || !*busybox)
		busybox = "/bin/busybox";
	snprintf(probe, sizeof(probe), "%s/try-syscall-static", probes && *probes ? probes : "build/probes");
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
		char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "/bin/sh", "-c", "true", NULL };
		run(argv, NULL, -1, &r);
		if (r.status != 0) {
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

static void fixture_free(struct fixture *fx)
{
	if (fx->dir[0])
		nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the three consumers ---- */

/* stockade compile ... -o FILE; false (with the output printed) on failure. */
static bool compile(struct fixture *fx, const char *preset, const char *format, const char *file)
{
	char *argv[] = { fx->stockade, "compile", "--preset", unconst(preset), "--format", unconst(format),
			 "--lossy", "-o", unconst(file), NULL };
	struct result r;

	run(argv, NULL, -1, &r);
	CHECK_MSG(r.status == 0, "stockade compile --preset %s --format %s: status %d: %s", preset, format, r.status,
		  r.out);
	return r.status == 0;
}

static void run_stockade(struct fixture *fx, const char *preset, struct result *r)
{
	char sh[700], script[700], probe[700];

	snprintf(sh, sizeof(sh), "%s/bin/busybox", fx->rootfs);
	snprintf(script, sizeof(script), "%s/run.sh", fx->rootfs);
	snprintf(probe, sizeof(probe), "PROBE=%s/probe", fx->rootfs);
	/* From the rootfs: every preset lets the working directory execute. */
	if (!preset) {
		char *argv[] = { "env", probe, sh, "sh", script, NULL };
		run_in(fx->rootfs, argv, NULL, -1, r);
	} else {
		char *argv[] = { "env", probe, fx->stockade, "run", "--preset", unconst(preset), "--", sh, "sh", script, NULL };
		run_in(fx->rootfs, argv, NULL, -1, r);
	}
}

static void run_bwrap(struct fixture *fx, const char *bpf_file, struct result *r)
{
	int fd = bpf_file ? open(bpf_file, O_RDONLY | O_CLOEXEC) : -1;

	if (bpf_file) {
		char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "--seccomp", "3",
				 "/bin/sh", "/run.sh", NULL };
		run(argv, NULL, fd, r);
	} else {
		char *argv[] = { "bwrap", "--bind", fx->rootfs, "/", "--dev", "/dev", "/bin/sh", "/run.sh", NULL };
		run(argv, NULL, -1, r);
	}
	if (fd >= 0)
		close(fd);
}

static int crun_seq;

/* Every capability of our bounding set, as a JSON list: the container's
 * root then gets the kernel's real answers (mount: ENOENT, not EPERM), and
 * crun is never asked for one it cannot grant. */
static void bounding_caps(char *buf, size_t size)
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

static void run_crun(struct fixture *fx, const char *oci_file, struct result *r)
{
	char bundle[700], config[800], state[700], id[64], cmd[3000], caps[2048];
	char *seccomp = oci_file ? read_file(oci_file) : NULL;
	size_t len = (seccomp ? strlen(seccomp) : 0) + 4096;
	char *text = malloc(len);

	r->status = -1;
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
		char *argv[] = { "unshare", "-m", "--propagation", "private", "sh", "-c", cmd, NULL };
		run(argv, NULL, -1, r);
	} else {
		char *argv[] = { "sh", "-c", cmd, NULL };
		run(argv, NULL, -1, r);
	}
}

/* ---- verdicts ---- */

/* The status of `call` in a script's output, or -1. */
static int status_of(const char *out, const struct call *c)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "R %s = ", c->probe);
	for (p = out; (p = strstr(p, key)); p++)
		if (p == out || p[-1] == '\n')
			return atoi(p + strlen(key));
	return -1;
}

static const char *verdict(int got, int base, char *buf, size_t size)
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

static void expected(const stockade_plan *plan, const struct call *c, char *buf, size_t size)
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

static stockade_plan *preset_plan(const char *name)
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
	static struct result base[NCONSUMERS], got;
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
		if (base[c].status != 0 || status_of(base[c].out, &calls[0]) != 0) {
			snprintf(fx.why[c], sizeof(fx.why[0]), "%s cannot run the probe here (status %d): %.400s",
				 consumer_names[c], base[c].status, base[c].out);
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
			CHECK_MSG(got.status == 0, "%s under %s: status %d: %s", presets[p], consumer_names[c],
				  got.status, got.out);
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
