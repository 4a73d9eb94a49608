/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, isolation (run/isolate.c, run/mounts.c, docs/isolation.md):
 * with namespaces, what the test starts outside (a process holding a
 * marker, SysV IPC objects, a daemon socket, an ssh-agent, a tmux server, a
 * pty) is out of the command's reach, and reachable where the policy says
 * so; .git hooks cannot be planted while git commit works; exit statuses,
 * signals and job control go through the outer process and init; nothing
 * propagates to a shared /; everything inside dies with stockade.  Where
 * namespaces cannot be made (a stand-in for an unprivileged container) and
 * under `--isolation off`, the command still runs, and the status says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

static int sh(const char *const *opts, const char *script, struct run *r)
{
	return cli_run(opts, ARGV("/bin/sh", "-c", script), r);
}

TEST(isolation_outside_process_unreachable)
{
	char script[1024];
	struct rlimit before, after;
	struct run r;
	pid_t child;
	int st;

	NEED_NS();
	child = fork();
	if (child == 0) {
		char *const env[] = { "STOCKADE_NS_MARKER=ns-secret-41", NULL };

		execle("/bin/sleep", "sleep", "300", (char *)NULL, env);
		_exit(127);
	}
	usleep(50000);
	CHECK(prlimit(child, RLIMIT_CORE, NULL, &before) == 0);
	snprintf(script, sizeof(script),
		 "kill -0 %d 2>/dev/null && echo SIGNALLED; prlimit --pid %d --core=unlimited:unlimited "
		 "--cpu=1 2>/dev/null && echo LIMITED; renice -n 5 -p %d >/dev/null 2>&1 && echo RENICED; "
		 "taskset -p 1 %d >/dev/null 2>&1 && echo AFFINITY; "
		 "for f in /proc/[0-9]*/environ; do grep -q ns-secret-41 $f 2>/dev/null && echo ENVIRON; done; "
		 "echo pid=$$",
		 (int)child, (int)child, (int)child, (int)child);
	sh(NO_OPTS, script, &r);
	CHECK_OUTCOME(&r, 0, "probing an outside process");
	CHECK_MSG(!has(&r, "SIGNALLED") && !has(&r, "LIMITED") && !has(&r, "RENICED") && !has(&r, "AFFINITY") &&
			  !has(&r, "ENVIRON"),
		  "the outside process was reached: %s", r.out);
	/* pid 2 under init (3 when a supervisor runs inside too). */
	const char *pid = strstr(r.out, "pid=");
	CHECK_MSG(pid && atoi(pid + 4) >= 2 && atoi(pid + 4) < 10, "the command is not in a pid namespace: %s", r.out);
	/* The same with Landlock forced off: the pid namespace alone. */
	{
		struct cmd c = { .n = 0 };
		struct run_opts ro = { .env = ARGV("STOCKADE_TEST_LANDLOCK_ABI=0") };

		cmd_push_stockade_run(&c, NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
		cmd_run(&c, &ro, &r);
		cmd_free(&c);
		CHECK_MSG(!has(&r, "SIGNALLED") && !has(&r, "LIMITED") && !has(&r, "RENICED") &&
				  !has(&r, "AFFINITY") && !has(&r, "ENVIRON"),
			  "Landlock ABI 0: the outside process was reached: %s", r.out);
	}
	CHECK(prlimit(child, RLIMIT_CORE, NULL, &after) == 0);
	CHECK(before.rlim_cur == after.rlim_cur && before.rlim_max == after.rlim_max);
	CHECK(kill(child, 0) == 0); /* still alive */
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
}

TEST(isolation_sysv_ipc_unreachable)
{
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	char script[512];
	struct run r;

	NEED_NS();
	CHECK(shm >= 0 && msq >= 0);
	snprintf(script, sizeof(script),
		 "ipcs -m | awk '{print $2}' | grep -qx %d && echo SHM; ipcs -q | awk '{print $2}' | grep -qx %d && "
		 "echo MSG; echo end",
		 shm, msq);
	/* The probe sees them without the namespace... */
	sh(OPTS("--isolation", "off"), script, &r);
	if (!has(&r, "SHM") || !has(&r, "MSG")) {
		SKIP("ipcs cannot see the objects even without an IPC namespace");
	} else {
		/* ...and not with it. */
		sh(NO_OPTS, script, &r);
		CHECK_OUTCOME(&r, 0, "ipcs inside");
		CHECK_MSG(!has(&r, "SHM") && !has(&r, "MSG"), "outside SysV objects reached: %s", r.out);
	}
	shmctl(shm, IPC_RMID, NULL);
	msgctl(msq, IPC_RMID, NULL);
}

/* A unix listener at path; -1 on failure. */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static const char *allow_policy(const char *name, const char *entry)
{
	static char text[1024];

	snprintf(text, sizeof(text), "extends: agent\nsockets:\n  allow: [\"%s\"]\n", entry);
	return write_tmp(name, text, 0644);
}

TEST(isolation_daemon_socket_hidden_unless_allowed)
{
	char dir[256], path[300], connect[900];
	struct run r;
	int fd;

	NEED_NS();
	if (!make_tmpdir(dir, sizeof(dir), NULL, "stockade-ns-sock"))
		return;
	snprintf(path, sizeof(path), "%s/daemon.sock", dir);
	fd = listen_at(path);
	CHECK(fd >= 0);
	snprintf(connect, sizeof(connect),
		 "%s -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(\"REACHED\")' "
		 "%s",
		 python(), path);
	/* (Without namespaces the supervisor mediates the connect.) */
	run_cmd(ARGV("/bin/sh", "-c", connect), &r);
	CHECK_MSG(has(&r, "REACHED"), "baseline: not reachable unconfined: %s", r.out);
	sh(NO_OPTS, connect, &r);
	CHECK_MSG(!has(&r, "REACHED") && r.outcome != 0, "a host socket was reached: %s", r.out);
	sh(OPTS("--policy", allow_policy("allow-sock.yaml", path)), connect, &r);
	CHECK_MSG(has(&r, "REACHED"), "sockets.allow did not keep it: %s", r.out);
	/* Mode proxy makes a network namespace too: the sockets to hide are
	 * the host's list, not that namespace's (empty) one. */
	sh(OPTS("--net", "proxy"), connect, &r);
	CHECK_MSG(!has(&r, "REACHED") && r.outcome != 0, "mode proxy: a host socket was reached: %s", r.out);
	/* With Landlock forced off (Debian 12's stock kernel has ABI 0-3 and no
	 * scoping): the mount view still hides it. */
	{
		struct cmd c = { .n = 0 };
		struct run_opts ro = { .env = ARGV("STOCKADE_TEST_LANDLOCK_ABI=0") };

		cmd_push_stockade_run(&c, NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", connect));
		cmd_run(&c, &ro, &r);
		cmd_free(&c);
		CHECK_MSG(!has(&r, "REACHED"), "Landlock ABI 0: a host socket was reached: %s", r.out);
	}
	/* Under /run too (as root: only root makes sockets there). */
	if (geteuid() == 0) {
		char run[128], cmdline[600];
		int rfd;

		snprintf(run, sizeof(run), "/run/stockade-ns-%d.sock", (int)getpid());
		rfd = listen_at(run);
		CHECK(rfd >= 0);
		snprintf(cmdline, sizeof(cmdline),
			 "%s -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
			 "print(\"REACHED\")' %s",
			 python(), run);
		sh(NO_OPTS, cmdline, &r);
		CHECK_MSG(!has(&r, "REACHED"), "a socket under /run was reached: %s", r.out);
		if (rfd >= 0)
			close(rfd);
		unlink(run);
	}
	/* The listing says how many were hidden and kept. */
	cli_run(OPTS("--verbose", "--policy", allow_policy("allow-sock.yaml", path)), ARGV("/bin/true"), &r);
	CHECK_MSG(has(&r, "kept by sockets.allow"), "%s", r.out);
	close(fd);
	rm_rf(dir);
}

TEST(isolation_ssh_agent_hidden_unless_allowed)
{
	const char *agent = tool("ssh-agent"), *add = tool("ssh-add");
	char dir[256], path[300], env[400];
	struct run r;
	pid_t pid;
	int st;

	NEED_NS();
	if (!agent || !add)
		SKIP("ssh-agent or ssh-add is not installed (scripts/deps.sh test: openssh-client)");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "stockade-ns-agent"))
		return;
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	snprintf(env, sizeof(env), "SSH_AUTH_SOCK=%s", path);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(agent, "ssh-agent", "-D", "-a", path, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(10000);
	CHECK(access(path, F_OK) == 0);
	/* ssh-add -l: 1 "no identities" (it connected), 2 cannot connect. */
	run_cmd(ARGV("env", env, add, "-l"), &r);
	CHECK_OUTCOME(&r, 1, "ssh-add -l unconfined (baseline)");
	run_cmd(ARGV("env", env, stockade_bin(), "run", "--", add, "-l"), &r);
	CHECK_OUTCOME(&r, 2, "ssh-add -l with namespaces: the agent is not reachable");
	run_cmd(ARGV("env", env, stockade_bin(), "run", "--policy", allow_policy("allow-agent.yaml", "$SSH_AUTH_SOCK"),
		     "--", add, "-l"),
		&r);
	CHECK_OUTCOME(&r, 1, "ssh-add -l with sockets.allow: [$SSH_AUTH_SOCK]");
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	rm_rf(dir);
}

TEST(isolation_tmux_server_hidden_unless_allowed)
{
	const char *tmux = tool("tmux");
	char dir[256], path[300], name[64];
	struct run r;

	NEED_NS();
	if (!tmux)
		SKIP("tmux is not installed (scripts/deps.sh test)");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "stockade-ns-tmux"))
		return;
	snprintf(path, sizeof(path), "%s/tmux.sock", dir);
	/* SHELL: tmux runs the session's command with $SHELL, else the passwd
	 * shell, which for nobody is nologin: the session (and the server)
	 * would end at once. */
	run_cmd(ARGV("env", "SHELL=/bin/sh", tmux, "-S", path, "new-session", "-d", "sleep 300"), &r);
	CHECK_OUTCOME(&r, 0, "starting a tmux server outside");
	run_cmd(ARGV(tmux, "-S", path, "list-sessions"), &r);
	CHECK_OUTCOME(&r, 0, "tmux ls unconfined (baseline)");
	cli_run(NO_OPTS, ARGV(tmux, "-S", path, "list-sessions"), &r);
	CHECK_MSG(r.outcome != 0, "tmux server reached from inside: %s", r.out);
	cli_run(OPTS("--policy", allow_policy("allow-tmux.yaml", path)), ARGV(tmux, "-S", path, "list-sessions"), &r);
	CHECK_OUTCOME(&r, 0, "tmux ls with sockets.allow");
	run_cmd(ARGV(tmux, "-S", path, "kill-server"), &r);

	/* The default socket directory, /tmp/tmux-UID, is hidden whole (a
	 * server started later is not reachable either). */
	char tdir[64], tsock[160];
	bool made_dir;

	snprintf(name, sizeof(name), "stockade-ns-%d", (int)getpid());
	snprintf(tdir, sizeof(tdir), "/tmp/tmux-%u", (unsigned)getuid());
	snprintf(tsock, sizeof(tsock), "%s/%s", tdir, name);
	made_dir = access(tdir, F_OK) != 0;
	run_cmd(ARGV("env", "-u", "TMUX_TMPDIR", "SHELL=/bin/sh", tmux, "-L", name, "new-session", "-d", "sleep 300"), &r);
	if (r.outcome == 0) {
		cli_run(NO_OPTS, ARGV("env", "-u", "TMUX_TMPDIR", tmux, "-L", name, "list-sessions"), &r);
		CHECK_MSG(r.outcome != 0, "tmux -L server reached from inside: %s", r.out);
		run_cmd(ARGV("env", "-u", "TMUX_TMPDIR", tmux, "-L", name, "kill-server"), &r);
	}
	/* Nothing of ours stays in /tmp (a stale socket there looks like a
	 * host daemon's to the next run). */
	unlink(tsock);
	if (made_dir)
		rmdir(tdir);
	rm_rf(dir);
}

TEST(isolation_other_pty_not_openable)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char script[256];
	struct run r;

	NEED_NS();
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	if (m < 0)
		return;
	snprintf(script, sizeof(script), "exec 3<>%s && echo OPENED; ls /dev/pts", ptsname(m));
	sh(NO_OPTS, script, &r);
	CHECK_MSG(!has(&r, "OPENED"), "another pty opened from inside: %s", r.out);
	/* A pty of its own works (script, node-pty): the new devpts. */
	sh(NO_OPTS, "exec 3<>/dev/ptmx && echo PTMX", &r);
	CHECK_MSG(has(&r, "PTMX"), "/dev/ptmx: %s", r.out);
	close(m);
}

/* Interactive bash on a terminal: job control (Ctrl-Z, jobs, fg, Ctrl-C)
 * and the exit status, driven through a pty by python, under `script`. */
static const char job_control_py[] =
	"import os, pty, select, sys, time\n"
	"argv = sys.argv[1:]\n"
	"pid, fd = pty.fork()\n"
	"if pid == 0:\n"
	"    os.environ['PS1'] = 'PROMPT$ '\n"
	"    os.execvp(argv[0], argv)\n"
	"buf = b''\n"
	"def expect(s, t=15):\n"
	"    global buf\n"
	"    end = time.time() + t\n"
	"    while s.encode() not in buf:\n"
	"        r = select.select([fd], [], [], max(0, end - time.time()))[0]\n"
	"        if not r: sys.exit('timeout waiting for %r; got %r' % (s, buf[-400:]))\n"
	"        try: buf += os.read(fd, 4096)\n"
	"        except OSError: sys.exit('EOF waiting for %r; got %r' % (s, buf[-400:]))\n"
	"    buf = buf[buf.index(s.encode()) + len(s):]\n"
	"def send(s): os.write(fd, s.encode())\n"
	"send('echo RE\"\"ADY\\n'); expect('READY')\n"
	"send('sleep 30\\n'); time.sleep(0.7); send('\\x1a'); expect('Stopped')\n"
	"send('jobs\\n'); expect('sleep 30')\n"
	"send('fg\\n'); time.sleep(0.7); send('\\x03')\n"
	"send('echo DO\"\"NE $((3+4))\\n'); expect('DONE 7')\n"
	"send('exit 3\\n')\n"
	"while True:\n"
	"    try:\n"
	"        if not os.read(fd, 4096): break\n"
	"    except OSError: break\n"
	"st = os.waitpid(pid, 0)[1]\n"
	"print('exit', os.waitstatus_to_exitcode(st))\n";

TEST(isolation_job_control_under_script)
{
	const char *py = write_tmp("job_control.py", job_control_py, 0644), *bash = tool("bash"), *script = tool("script");
	char cmdline[1024];
	struct run r;

	NEED_NS();
	if (!bash || !script)
		SKIP("bash or script (util-linux) is missing");
	for (int off = 0; off < 2; off++) {
		snprintf(cmdline, sizeof(cmdline), "%s run %s -- %s --norc --noprofile -i", stockade_bin(),
			 off ? "--isolation off" : "", bash);
		run_cmd(ARGV(python(), py, script, "-qfec", cmdline, "/dev/null"), &r);
		CHECK_OUTCOME(&r, 0, off ? "job control, --isolation off" : "job control, namespaces");
		CHECK_MSG(has(&r, "exit 3"), "%s: %s", off ? "off" : "namespaces", r.out);
	}
}

TEST(isolation_git_hooks_cannot_be_planted)
{
	const char *git = tool("git");
	char dir[256], wt[300];
	struct cmd c = { .n = 0 };
	struct run_opts o = { 0 };
	struct run r;

	NEED_NS();
	if (!git)
		SKIP("git is not installed");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "stockade-ns-git"))
		return;
	snprintf(wt, sizeof(wt), "%s/wt", dir);
	o.cwd = dir;
	char setup[1200];
	snprintf(setup, sizeof(setup),
		 "cd %s && git init -q repo && cd repo && git config user.email t@example.com && "
		 "git config user.name t && echo a > f && git add f && git commit -qm one && "
		 "git worktree add -q %s 2>&1",
		 dir, wt);
	run_cmd(ARGV("/bin/sh", "-c", setup), &r);
	CHECK_OUTCOME(&r, 0, "git setup");
	static const char plant[] =
		"printf '#!/bin/sh\\ntouch /tmp/planted\\n' > \"$(git rev-parse --git-common-dir)/hooks/pre-commit\" "
		"2>/dev/null && echo PLANTED; git config core.fsmonitor 'touch /tmp/fsmonitor' 2>/dev/null && echo FSMON; "
		"mv .git .git-swapped 2>/dev/null && echo SWAPPED; "
		"[ -f .git ] && { printf 'gitdir: /tmp\\n' > .git 2>/dev/null && echo REPOINTED; }; "
		"echo b >> f && git commit -qam two && echo COMMITTED";
	/* In the main working tree, and in a linked one (its common dir's). */
	for (int linked = 0; linked < 2; linked++) {
		char where[700];

		snprintf(where, sizeof(where), "%s/%s", dir, linked ? "wt" : "repo");
		o.cwd = where;
		c = (struct cmd){ .n = 0 };
		cmd_push_stockade_run(&c, NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", plant));
		cmd_run(&c, &o, &r);
		cmd_free(&c);
		CHECK_MSG(!has(&r, "PLANTED") && !has(&r, "FSMON") && !has(&r, "SWAPPED") && !has(&r, "REPOINTED"),
			  "%s: .git planted: %s", where, r.out);
		CHECK_MSG(has(&r, "COMMITTED"), "%s: git commit failed: %s", where, r.out);
	}
	char hook[700];
	snprintf(hook, sizeof(hook), "%s/repo/.git/hooks/pre-commit", dir);
	CHECK(access(hook, F_OK) != 0);
	rm_rf(dir);
}

TEST(isolation_exit_statuses)
{
	const char *noexec = write_tmp("noexec.sh", "#!/bin/sh\nexit 0\n", 0644);
	static const char *const modes[][4] = {
		{ "--isolation", "auto", NULL },
		{ "--isolation", "off", NULL },
		{ "--isolation", "auto", "--report", NULL },
		{ "--isolation", "required", NULL },
	};
	struct run r;

	if (!have_binaries())
		return;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *const *o = modes[i];

		if (!strcmp(o[1], "required") && !ns_here())
			continue; /* refused: the stand-in test checks that */

		sh(o, "exit 3", &r);
		CHECK_OUTCOME(&r, 3, "exit 3");
		sh(o, "kill -TERM $$", &r);
		CHECK_OUTCOME(&r, SIGNALLED(SIGTERM), "killed by SIGTERM");
		cli_run(o, ARGV(noexec), &r);
		CHECK_OUTCOME(&r, EXEC_NOT_EXECUTABLE, "not executable");
		cli_run(o, ARGV("/nonexistent/command"), &r);
		CHECK_OUTCOME(&r, EXEC_NOT_FOUND, "not found");
	}
}

/* The library's status: the layer, the flags, the reason. */
TEST(isolation_status_accessors)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_status *st = NULL;
	enum stockade_ns_reason why = STOCKADE_NS_AVAILABLE;
	unsigned long flags;
	int errnum = 0;

	CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0 && stockade_plan_status(plan, &st, NULL) == 0);
	if (!st)
		return;
	flags = stockade_status_namespaces(st, &why, &errnum);
	if (flags) {
		CHECK((flags & (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC)) == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC));
		CHECK(why == STOCKADE_NS_AVAILABLE);
		CHECK(stockade_status_level(st, STOCKADE_LAYER_NAMESPACES) == STOCKADE_LEVEL_FULL ||
		      stockade_status_level(st, STOCKADE_LAYER_NAMESPACES) == STOCKADE_LEVEL_PARTIAL);
		CHECK((stockade_status_gaps(st, STOCKADE_LAYER_NAMESPACES) & ~STOCKADE_GAP_NS_MEMFD_EXEC) == 0);
	} else {
		CHECK(why == STOCKADE_NS_DENIED || why == STOCKADE_NS_FAILED);
		CHECK(stockade_status_level(st, STOCKADE_LAYER_NAMESPACES) == STOCKADE_LEVEL_NONE);
		CHECK(stockade_status_weaker(st, STOCKADE_LAYER_NAMESPACES));
		CHECK(stockade_status_gaps(st, STOCKADE_LAYER_NAMESPACES) & STOCKADE_GAP_NS_PROCESSES);
	}
	stockade_status_free(st);
	stockade_plan_free(plan);
	st = NULL;
	plan = NULL;
	/* --isolation off: the layer is off, and says why. */
	CHECK(stockade_policy_set_isolation(p, "off", NULL) == 0);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0 && stockade_plan_status(plan, &st, NULL) == 0);
	if (st) {
		CHECK(stockade_status_namespaces(st, &why, NULL) == 0 && why == STOCKADE_NS_POLICY_OFF);
		CHECK(stockade_status_level(st, STOCKADE_LAYER_NAMESPACES) == STOCKADE_LEVEL_OFF);
	}
	stockade_status_free(st);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

TEST(isolation_signals_relayed)
{
	struct run_opts o = { .term_after_ms = 700 };
	struct cmd c = { .n = 0 };
	struct run r;

	if (!have_binaries())
		return;
	for (int off = 0; off < 2; off++) {
		c = (struct cmd){ .n = 0 };
		cmd_push_stockade_run(&c, off ? OPTS("--isolation", "off") : NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.05; done"));
		cmd_run(&c, &o, &r);
		cmd_free(&c);
		CHECK_OUTCOME(&r, 42, off ? "SIGTERM to stockade, --isolation off" : "SIGTERM relayed through init");
	}
}

/* How many processes hold `marker` in their environment. */
static int count_marked(const char *marker)
{
	char cmd[256];
	struct run r;

	snprintf(cmd, sizeof(cmd), "grep -l %s /proc/[0-9]*/environ 2>/dev/null | grep -vc self", marker);
	run_cmd(ARGV("/bin/sh", "-c", cmd), &r);
	return atoi(r.out);
}

TEST(isolation_everything_dies_with_stockade)
{
	char marker[64], env[96];
	pid_t pid;
	int st, n = 0;

	NEED_NS();
	snprintf(marker, sizeof(marker), "stockade-die-%d", (int)getpid());
	snprintf(env, sizeof(env), "STOCKADE_NS_DIE=%s", marker);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		putenv(env);
		execl(stockade_bin(), "stockade", "run", "--", "/bin/sh", "-c", "sleep 300 & sleep 300 & wait",
		      (char *)NULL);
		_exit(127);
	}
	/* sh and its two sleeps at least (stockade's own processes are not
	 * dumpable when a supervisor runs: another user cannot read them). */
	for (int i = 0; i < 100 && (n = count_marked(marker)) < 3; i++)
		usleep(30000);
	CHECK_MSG(n >= 3, "%d marked processes (sh and two sleeps expected)", n);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (int i = 0; i < 100 && (n = count_marked(marker)) > 0; i++)
		usleep(30000);
	CHECK_MSG(n == 0, "%d processes outlived stockade's SIGKILL", n);
}

TEST(isolation_nothing_propagates_to_a_shared_root)
{
	pid_t pid;
	int st;

	if (!have_binaries())
		return;
	if (geteuid() != 0)
		SKIP("needs root: a mount namespace of the test's own with a shared /");
	if (!ns_here())
		SKIP("namespaces cannot be made here");
	pid = fork();
	if (pid == 0) {
		char *before, *after;
		int ret;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
			_exit(2);
		char cmd[1024];

		snprintf(cmd, sizeof(cmd), "'%s' run -- /bin/sh -c 'test \"$(ls /dev/pts)\" = ptmx' >/dev/null 2>&1",
			 stockade_bin());
		before = read_file("/proc/self/mountinfo");
		ret = system(cmd);
		after = read_file("/proc/self/mountinfo");
		_exit(ret != 0 ? 3 : !before || !after || strcmp(before, after) ? 4 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) != 2, "cannot make a shared / to test with");
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) != 3, "stockade failed in a namespace with a shared /");
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mounts propagated from the sandbox to a shared / (%d)",
		  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

TEST(isolation_memfd_noexec_as_root)
{
	static const char probe[] =
		"import os, mmap\n"
		"fd = os.memfd_create('x', 0)\n"
		"data = open('/bin/true', 'rb').read(); os.write(fd, data)\n"
		"m = mmap.mmap(fd, len(data), prot=mmap.PROT_READ | mmap.PROT_EXEC); print('MAPPED')\n"
		"try: os.execv('/proc/self/fd/%d' % fd, ['x'])\n"
		"except OSError as e: print('EXEC', e.errno)\n";
	const char *py = write_tmp("memfd.py", probe, 0644);
	struct run r;

	NEED_NS();
	if (geteuid() != 0 || access("/proc/sys/vm/memfd_noexec", F_OK) != 0)
		SKIP("vm.memfd_noexec is raised only by real root, on Linux 6.3+");
	cli_run(NO_OPTS, ARGV(python(), py), &r);
	CHECK_MSG(has(&r, "MAPPED"), "an executable mapping of a memfd failed: %s", r.out);
	CHECK_MSG(has(&r, "EXEC 13"), "a plain memfd was executed: %s", r.out);
}

/* Stand-ins for an unprivileged container: root of a user namespace in
 * which no more user namespaces may be made (it can still make the
 * others), and the same with its bounding set dropped (it cannot). */
TEST(isolation_unprivileged_container_stand_in)
{
	const char *unshare = tool("unshare"), *setpriv = tool("setpriv");
	char script[1024];
	struct run r;

	if (!have_binaries())
		return;
	if (!unshare || !setpriv)
		SKIP("unshare or setpriv (util-linux) is missing");
	run_cmd(ARGV(unshare, "-U", "-r", "true"), &r);
	if (r.outcome != 0)
		SKIP("this user cannot make a user namespace to stand in for a container");
	snprintf(script, sizeof(script),
		 "echo 0 > /proc/sys/user/max_user_namespaces || exit 9; "
		 "\"$STOCKADE\" run --verbose -- /bin/sh -c 'echo pid=$$' 2>&1; echo rc=$?; "
		 "exec %s --bounding-set=-all --inh-caps=-all /bin/sh -c '"
		 "\"$STOCKADE\" run --verbose -- /bin/sh -c \"echo pid=\\$\\$\" 2>&1; echo rc=$?; "
		 "\"$STOCKADE\" run --isolation required -- true 2>&1; echo rc=$?'",
		 setpriv);
	char env[600];
	snprintf(env, sizeof(env), "STOCKADE=%s", stockade_bin());
	run_cmd(ARGV("env", env, unshare, "-U", "-r", "/bin/sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "the stand-in");
	/* With CAP_SYS_ADMIN in its namespace: pid, IPC, mount namespaces. */
	CHECK_MSG(strstr(r.out, "namespaces    enforced: own pid") || strstr(r.out, "namespaces    partly enforced: own pid"),
		  "root of a user namespace: %s", r.out);
	CHECK_MSG(has(&r, "pid=2\n") || has(&r, "pid=3\n"), "%s", r.out);
	/* Without: auto runs in place and says why; required refuses. */
	CHECK_MSG(has(&r, "namespaces    NOT enforced: none: this process may not make namespaces"), "%s", r.out);
	/* ... naming what only namespaces close, and keeping no capability
	 * its bounding set does not hold. */
	CHECK_MSG(has(&r, ".git hooks and config are writable") && has(&r, "a plain memfd can be executed") &&
			  has(&r, "a process the command leaves behind outlives it"),
		  "the gaps without namespaces: %s", r.out);
	CHECK_MSG(has(&r, "capabilities  enforced: kept none (the policy's CAP_CHOWN"), "%s", r.out);
	CHECK_MSG(has(&r, "isolation: required, but this process may not make namespaces"), "%s", r.out);
	CHECK_MSG(has(&r, "rc=125"), "required: %s", r.out);
}

TEST(isolation_real_tools_both_modes)
{
	static const char script[] =
		"set -e\n"
		"cd \"$1\"; export TMPDIR=\"$1\"\n"
		"if command -v node >/dev/null; then node -e 'require(\"child_process\").execSync(\"true\"); "
		"console.log(\"node ok\")'; fi\n"
		"python3 -c 'import multiprocessing as m\n"
		"if __name__ == \"__main__\":\n"
		"    with m.Pool(2) as p: print(\"python\", sum(p.map(abs, [-1, -2])))'\n"
		"git init -q g && git -C g -c user.email=a@b -c user.name=n commit -q --allow-empty -m x && echo git ok\n"
		"printf 'int main(void){return 0;}\\n' > t.c && gcc -o t t.c && ./t && echo gcc ok\n"
		"printf 'all: a b\\na:\\n\\t@true\\nb:\\n\\t@true\\n' > Makefile && make -s -j2 && echo make ok\n"
		"\"$2\" && echo fork-server ok\n";
	const char *file = write_tmp("tools.sh", script, 0644);
	static const char *const modes[2] = { "auto", "off" };
	struct run r;

	if (!have_binaries())
		return;
	if (!tool("gcc") || !tool("make") || !tool("git"))
		SKIP("gcc, make or git is missing");
	for (int i = 0; i < 2; i++) {
		char dir[512];

		if (!make_tmpdir(dir, sizeof(dir), NULL, "stockade-ns-tools"))
			return;
		cli_run(OPTS("--isolation", modes[i], "--write", dir),
			ARGV("/bin/sh", file, dir, probe_path("socketpair-server")), &r);
		CHECK_OUTCOME(&r, 0, modes[i]);
		CHECK_MSG(has(&r, "python 3") && has(&r, "git ok") && has(&r, "gcc ok") && has(&r, "make ok") &&
				  has(&r, "fork-server ok"),
			  "isolation %s: %s", modes[i], r.out);
		rm_rf(dir);
	}
}

/* POSIX shared memory made outside (a file in the host's /dev/shm): with
 * namespaces the command has a /dev/shm of its own, without them it is the
 * host's (docs/isolation.md). */
TEST(isolation_posix_shm_unreachable)
{
	char name[128], script[300];
	struct run r;

	NEED_NS();
	if (access("/dev/shm", W_OK) != 0)
		SKIP("no writable /dev/shm here");
	snprintf(name, sizeof(name), "/dev/shm/stockade-ns-shm-%d", (int)getpid());
	CHECK(write_file(name, "OUTSIDE-SHM\n"));
	snprintf(script, sizeof(script), "cat %s 2>/dev/null || echo absent; echo in >/dev/shm/x && cat /dev/shm/x",
		 name);
	sh(NO_OPTS, script, &r);
	CHECK_MSG(!has(&r, "OUTSIDE-SHM") && has(&r, "absent") && has(&r, "in"),
		  "the host's /dev/shm is in view, or the command's own is not writable: %s", r.out);
	sh(OPTS("--isolation", "off"), script, &r);
	CHECK_MSG(has(&r, "OUTSIDE-SHM"), "baseline: without namespaces /dev/shm is the host's: %s", r.out);
	unlink(name);
}

/* Without a pid namespace, what the command leaves running outlives it in
 * the caller's session: on a terminal it could join the shell's foreground
 * group and read what is typed next (accepta F2).  With a terminal on the
 * standard streams, stockade ends it with the command; without one (a
 * harness's pipes), it stays, as documented: the control. */
TEST(isolation_off_terminal_leftovers_end_with_the_command)
{
	const char *script = tool("script");
	char dir[512], mark[600], cmd[2048];
	struct run r;

	if (!have_binaries())
		return;
	if (!script)
		SKIP("script (util-linux) is missing");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "leftovers"))
		return;
	snprintf(mark, sizeof(mark), "%s/mark", dir);
	snprintf(cmd, sizeof(cmd),
		 "%s run --isolation off --write %s -- /bin/sh -c '(sleep 1; echo RAN > %s) & echo started'; echo rc=$?",
		 stockade_bin(), dir, mark);
	run_cmd(ARGV(script, "-qec", cmd, "/dev/null"), &r);
	CHECK_STR_CONTAINS(r.out, "started");
	CHECK_STR_CONTAINS(r.out, "rc=0");
	CHECK_STR_CONTAINS(r.out, "were still running when it exited; killed");
	usleep(1800 * 1000);
	CHECK_MSG(access(mark, F_OK) != 0, "a process the command left behind on a terminal ran on: %s", r.out);
	/* The streams elsewhere, the terminal still the controlling one
	 * (/dev/tty opens it): ended too (attack11 F1). */
	{
		char quiet[2200];

		snprintf(quiet, sizeof(quiet),
			 "%s run --isolation off --write %s -- /bin/sh -c '(sleep 1; echo RAN > %s) & exit 0' "
			 "</dev/null >/dev/null 2>&1; echo rc=$?",
			 stockade_bin(), dir, mark);
		run_cmd(ARGV(script, "-qec", quiet, "/dev/null"), &r);
		CHECK_STR_CONTAINS(r.out, "rc=0");
		usleep(1800 * 1000);
		CHECK_MSG(access(mark, F_OK) != 0,
			  "a leftover with the terminal as its controlling one only ran on: %s", r.out);
	}
	/* A process that was stockade's child before it started (a caller's
	 * background job, confined by a filter of its own) is not the
	 * command's: left alone (attack11 F7). */
	{
		char mine[2600];

		unlink(mark);
		snprintf(mine, sizeof(mine),
			 "sh -c 'setsid %s run --isolation off --write %s -- /bin/sh -c \"sleep 1.5; echo RAN > %s\" "
			 "</dev/null >/dev/null 2>&1 & exec %s run --isolation off -- true'; echo rc=$?",
			 stockade_bin(), dir, mark, stockade_bin());
		run_cmd(ARGV(script, "-qec", mine, "/dev/null"), &r);
		CHECK_STR_CONTAINS(r.out, "rc=0");
		for (int i = 0; i < 40 && access(mark, F_OK) != 0; i++)
			usleep(100 * 1000);
		CHECK_MSG(access(mark, F_OK) == 0, "the caller's own confined job was killed as a leftover: %s", r.out);
		unlink(mark);
	}
	/* No terminal: it runs on. */
	run_cmd(ARGV("/bin/sh", "-c", cmd), &r);
	CHECK_STR_CONTAINS(r.out, "rc=0");
	for (int i = 0; i < 40 && access(mark, F_OK) != 0; i++)
		usleep(100 * 1000);
	CHECK_MSG(access(mark, F_OK) == 0, "control: without a terminal the leftover should have run: %s", r.out);
	rm_rf(dir);
}

/* A host socket covered by the mount view cannot be impersonated: its
 * directory, inside a write root, cannot be moved aside for the command to
 * bind a server of its own at the old path (accepta F4). */
TEST(isolation_covered_socket_directory_cannot_move)
{
	char dir[256], sub[300], sock[360], script[4096];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct run r;
	int s;

	NEED_NS();
	if (!make_tmpdir(dir, sizeof(dir), NULL, "pinned"))
		return;
	snprintf(sub, sizeof(sub), "%s/agent-dir", dir);
	snprintf(sock, sizeof(sock), "%s/agent.sock", sub);
	CHECK(mkdir(sub, 0700) == 0);
	if (strlen(sock) >= sizeof(a.sun_path)) {
		rm_rf(dir);
		SKIP("the temporary directory's path is too long for a socket");
	}
	memcpy(a.sun_path, sock, strlen(sock) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(s, 4) == 0);
	snprintf(script, sizeof(script),
		 "mv '%s' '%s/moved' 2>/dev/null && echo MOVED; mv '%s' '%s/moved2' 2>/dev/null && echo MOVED-UP; "
		 "echo end",
		 sub, dir, dir, dir);
	cli_run(OPTS("--write", dir), ARGV("/bin/sh", "-c", script), &r);
	CHECK_MSG(has(&r, "end") && !has(&r, "MOVED"), "the covered socket's directory was moved: %s", r.out);
	/* Bound through a link (lnk -> real): the link's target is pinned
	 * (attack11 F2). */
	{
		char real[300], lnk[300], via[360];
		struct sockaddr_un b = { .sun_family = AF_UNIX };
		int s2;

		snprintf(real, sizeof(real), "%s/real", dir);
		snprintf(lnk, sizeof(lnk), "%s/lnk", dir);
		snprintf(via, sizeof(via), "%s/lnk/s2", dir);
		CHECK(mkdir(real, 0700) == 0 && symlink("real", lnk) == 0);
		memcpy(b.sun_path, via, strlen(via) + 1);
		s2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(s2 >= 0 && bind(s2, (struct sockaddr *)&b, sizeof(b)) == 0 && listen(s2, 4) == 0);
		snprintf(script, sizeof(script), "mv '%s' '%s/real2' 2>/dev/null && echo MOVED; echo end", real, dir);
		cli_run(OPTS("--write", dir), ARGV("/bin/sh", "-c", script), &r);
		CHECK_MSG(has(&r, "end") && !has(&r, "MOVED"), "the directory behind a link was moved: %s", r.out);
		close(s2);
		snprintf(script, sizeof(script),
			 "mv '%s' '%s/moved' 2>/dev/null && echo MOVED; mv '%s' '%s/moved2' 2>/dev/null && echo MOVED-UP; "
			 "echo end",
			 sub, dir, dir, dir);
	}
	/* The control: without namespaces it moves (docs/isolation.md). */
	cli_run(OPTS("--isolation", "off", "--write", dir), ARGV("/bin/sh", "-c", script), &r);
	CHECK_MSG(has(&r, "MOVED"), "control: without namespaces the directory moves: %s", r.out);
	close(s);
	rm_rf(dir);
}

/* POSIX message queues by path: where the host mounts their filesystem on
 * /dev/mqueue (here, a mount namespace of the test's), the view has the
 * IPC namespace's own there, even where a policy grants the path
 * (acceptc 6).  The queue is the test's, removed at the end. */
TEST(isolation_mqueue_by_path_is_the_namespace_s)
{
	char script[2048], q[64];
	struct run r;

	NEED_NS();
	if (geteuid() != 0)
		SKIP("mounting an mqueue filesystem needs root");
	snprintf(q, sizeof(q), "stockade-test-q-%d", (int)getpid());
	snprintf(script, sizeof(script),
		 "mount -t mqueue none /dev/mqueue || exit 9; : > /dev/mqueue/%s || exit 9; "
		 "for m in auto off; do echo \"mode $m\"; '%s' run --isolation $m --read /dev/mqueue -- ls /dev/mqueue; "
		 "done; rm -f /dev/mqueue/%s",
		 q, stockade_bin(), q);
	run_cmd(ARGV("unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script), &r);
	if (r.outcome == 9)
		SKIP("cannot mount an mqueue filesystem here");
	{
		const char *off = strstr(r.out, "mode off");
		const char *hit = strstr(r.out, q);

		CHECK_MSG(off && hit && hit > off, "the host's queue is in view with namespaces (or the control failed): %s",
			  r.out);
	}
}
