/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the supervisor's mediation of connect() to unix pathname
 * sockets (src/run/mediate*.c), without namespaces (--isolation off: the
 * mount namespace would hide the sockets before mediation sees them).  Every server here is
 * a child of this test, listening in the test's own temporary directory,
 * and is killed by pid at the end.  Host daemons are stood in for: a
 * listener at $TMPDIR/tmux-UID/default (tmux and ssh-agent honour TMPDIR,
 * so stockade scans it as it scans /tmp), and a real ssh-agent -a PATH.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "run/mediate.h"
#include "run/supervise.h"
#include "sandboxed.h"

/* A listener at path in a child: it accepts and sends `byte` (if not 0)
 * on each connection, or (byte 0 and backlog 0) never accepts.  Its pid,
 * or -1. */
static pid_t server(const char *path, char byte, int backlog)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int p[2], s;
	pid_t pid;
	char ok;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		close(p[0]);
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
		unlink(path);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog) < 0)
			_exit(1);
		chmod(path, 0777);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;) {
			int c;

			if (!byte) {
				pause();
				continue;
			}
			c = accept(s, NULL, NULL);
			if (c < 0)
				continue;
			if (send(c, &byte, 1, MSG_NOSIGNAL) < 0) {
			}
			close(c);
		}
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &ok, 1) != 1) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* A policy on top of agent naming these sockets (NULL-terminated). */
static const char *policy_naming(const char *name, const char *const *socks)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "extends: agent\nsockets:\n  allow:\n");

	for (size_t i = 0; socks[i]; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "    - \"%s\"\n", socks[i]);
	return write_tmp(name, text, 0644);
}

struct fake_tmux {
	char dir[512], sub[560], sock[600];
	pid_t pid;
	char env[600];
};

/* $dir/tmux-UID/default, as tmux lays it out under TMUX_TMPDIR/TMPDIR. */
static bool fake_tmux(struct fake_tmux *f, char byte)
{
	if (!make_tmpdir(f->dir, sizeof(f->dir), NULL, "mediate"))
		return false;
	snprintf(f->sub, sizeof(f->sub), "%s/tmux-%u", f->dir, (unsigned)getuid());
	mkdir(f->sub, 0700);
	snprintf(f->sock, sizeof(f->sock), "%s/default", f->sub);
	snprintf(f->env, sizeof(f->env), "TMPDIR=%s", f->dir);
	f->pid = server(f->sock, byte, 16);
	CHECK_MSG(f->pid > 0, "cannot start the fake tmux server at %s", f->sock);
	return f->pid > 0;
}

static void fake_tmux_end(struct fake_tmux *f)
{
	stop(f->pid);
	rm_rf(f->dir);
}

/* A host daemon's socket (a stand-in for tmux's) is not connectable from
 * the sandbox, and is once the policy names it. */
TEST(mediate_host_daemon_refused_unless_named)
{
	struct fake_tmux f;
	struct run r;

	if (!have_binaries() || !fake_tmux(&f, 'D'))
		return;
	/* Unsandboxed, it answers. */
	run_cmd(ARGV(probe_path("unix-connect"), "read", f.sock), &r);
	CHECK_OUTCOME(&r, 0, "the fake daemon answers outside the sandbox");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_OUTCOME(&r, EACCES, "connect to the host daemon's socket under agent, isolation off");
	CHECK_STR_CONTAINS(r.out, "sockets: allow");
	/* The JSON report has the refusal, with the policy line that fixes it. */
	{
		const char *json = tmp_path("mediate.jsonl");
		char *text;

		run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--report-json", json, "--",
				  probe_path("unix-connect"), "read", f.sock),
			     &(struct run_opts){ .env = ARGV(f.env) }, &r);
		CHECK_OUTCOME(&r, EACCES, "the same under --report-json");
		text = read_file(json);
		CHECK_STR_CONTAINS(text, "\"event\":\"mediated\"");
		CHECK_STR_CONTAINS(text, "\"syscall\":\"connect\"");
		CHECK_STR_CONTAINS(text, "\"errno\":\"EACCES\"");
		CHECK_STR_CONTAINS(text, "\"fix_policy\":\"sockets: allow: [");
		CHECK_STR_CONTAINS(text, "/default");
		free(text);
	}
	/* A path the command chose reaches the terminal escaped. */
	{
		char esc[700];
		pid_t e;

		snprintf(esc, sizeof(esc), "%s/\033[31mred", f.dir);
		e = server(esc, 'E', 4);
		run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", probe_path("unix-connect"), "read",
				  esc),
			     &(struct run_opts){ .env = ARGV(f.env) }, &r);
		CHECK_OUTCOME(&r, EACCES, "a host socket with an escape sequence in its name");
		CHECK_STR_CONTAINS(r.out, "\\x1b[31mred refused");
		CHECK_MSG(!strchr(r.out, '\033'), "an escape sequence reached stderr: %s", r.out);
		stop(e);
	}
	/* With isolation where the kernel allows it, the mount view may hide
	 * the socket instead: unreachable either way. */
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_MSG(r.outcome != 0, "the host daemon's socket is reachable under agent: %s", r.out);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("named.yaml", ARGV(f.sock)), "--",
			  probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_OUTCOME(&r, 0, "connect to the socket the policy names");
	CHECK_STR_CONTAINS(r.out, "got D");
	/* A relative path, resolved from the command's working directory. */
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", probe_path("unix-connect"), "read", "default"),
		     &(struct run_opts){ .env = ARGV(f.env), .cwd = f.sub }, &r);
	CHECK_MSG(r.outcome != 0, "a relative connect must not reach it either");
	fake_tmux_end(&f);
}

/* A listening socket at a path no known daemon uses (`tmux -S /tmp/x`, an
 * editor's server, a harness's own), with a space in its name: it turns
 * mediation on and is refused without namespaces, and the mount view
 * hides it with them (the kernel's list gives the whole path, spaces
 * included).  $TMPDIR names another directory: nothing is found by name. */
TEST(mediate_any_listening_socket_refused)
{
	char dir[512], sock[600], env[600];
	struct run r;
	pid_t srv;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "anysock"))
		return;
	snprintf(sock, sizeof(sock), "%s/my server.sock", dir);
	snprintf(env, sizeof(env), "TMPDIR=%s/elsewhere", dir);
	{
		char other[560];

		snprintf(other, sizeof(other), "%s/elsewhere", dir);
		mkdir(other, 0777);
	}
	srv = server(sock, 'A', 8);
	CHECK_MSG(srv > 0, "cannot start the listener at %s", sock);
	if (srv <= 0) {
		rm_rf(dir);
		return;
	}
	run_cmd(ARGV(probe_path("unix-connect"), "read", sock), &r);
	CHECK_OUTCOME(&r, 0, "the listener answers outside the sandbox");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", probe_path("unix-connect"), "read", sock),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, EACCES, "connect to a listening socket at an unknown path, isolation off");
	CHECK_STR_CONTAINS(r.out, "sockets: allow");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", probe_path("unix-connect"), "read", sock),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_MSG(r.outcome != 0, "a listening socket with a space in its path is reachable under agent: %s", r.out);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy",
			  policy_naming("anysock.yaml", ARGV(sock)), "--", probe_path("unix-connect"), "read", sock),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 0, "connect to the socket the policy names");
	stop(srv);
	rm_rf(dir);
}

/* With TCP ports in a policy (bare ones, no address), listen() on a socket
 * with no port would autobind an ephemeral one on every address, which no
 * Landlock bind rule sees: refused, in both isolation modes; listen() on a
 * bound, listed port works.  Loopback only. */
static const char listen_py[] =
	"import socket, sys\n"
	"s = socket.socket()\n"
	"try:\n"
	"    s.listen(1); print('AUTOBOUND', s.getsockname())\n"
	"except OSError as e:\n"
	"    print('autobind refused', e.errno)\n"
	"b = socket.socket(); b.bind(('127.0.0.1', int(sys.argv[1]))); b.listen(1)\n"
	"print('bound listen ok', b.getsockname()[1])\n";

TEST(mediate_tcp_listen_without_bind_refused)
{
	static const char *const modes[] = { "auto", "off" };
	const char *py = python(), *prog = write_tmp("listen.py", listen_py, 0644);
	const char *pol = write_tmp("bare-ports.yaml",
				    "extends: agent\n"
				    "network:\n"
				    "  tcp_connect: [18091]\n"
				    "  tcp_bind: [18092]\n",
				    0644);
	struct run r;

	if (!have_binaries() || !py)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		run_cmd(ARGV(stockade_bin(), "run", "--isolation", modes[i], "--policy", pol, "--", py, prog, "18092"),
			&r);
		CHECK_MSG(!strstr(r.out, "AUTOBOUND"), "isolation %s: listen() autobound a port: %s", modes[i], r.out);
		CHECK_STR_CONTAINS(r.out, "autobind refused 13");
		CHECK_STR_CONTAINS(r.out, "bound listen ok 18092");
	}
}

/* `timeout` signals the child, then the child's whole process group: the
 * linger process that answers mediated calls is in it, and must outlive
 * the signal, so that a command shutting down gracefully can still
 * connect (here, to a server of its own). */
static const char graceful_py[] =
	"import os, signal, socket, sys, time\n"
	"path = sys.argv[1]\n"
	"srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(4)\n"
	"def bye(sig, frame):\n"
	"    time.sleep(0.3)\n"
	"    c = socket.socket(socket.AF_UNIX)\n"
	"    try:\n"
	"        c.connect(path); print('connected after SIGTERM', flush=True); os._exit(0)\n"
	"    except OSError as e:\n"
	"        print('connect after SIGTERM: %s' % e, flush=True); os._exit(3)\n"
	"signal.signal(signal.SIGTERM, bye)\n"
	"print('ready', flush=True)\n"
	"time.sleep(30)\n"
	"os._exit(4)\n";

TEST(mediate_group_signal_spares_the_linger)
{
	struct fake_tmux f;
	struct run r;
	char script[4096], own[700];
	const char *py = python(), *prog = write_tmp("graceful.py", graceful_py, 0644);

	if (!have_binaries() || !py || !fake_tmux(&f, 'D'))
		return;
	snprintf(own, sizeof(own), "%s/own.sock", f.dir);
	/* A session of its own: the group signal reaches nothing else.  The
	 * shell ignores it; stockade, not (an ignored signal stays ignored
	 * across exec). */
	snprintf(script, sizeof(script),
		 "trap '' TERM; (trap - TERM; exec %s run --isolation off -- %s %s '%s' > '%s/out' 2>&1) & "
		 "for i in $(seq 100); do grep -q ready '%s/out' 2>/dev/null && break; sleep 0.05; done; "
		 "kill -TERM 0; wait $!; echo \"status $?\"; cat '%s/out'",
		 stockade_bin(), py, prog, own, f.dir, f.dir, f.dir);
	run_cmd_opts(ARGV("setsid", "-w", "sh", "-c", script), &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_STR_CONTAINS(r.out, "ready");
	CHECK_STR_CONTAINS(r.out, "connected after SIGTERM");
	CHECK_STR_CONTAINS(r.out, "status 0");
	fake_tmux_end(&f);
}

/* The mount view hides the host sockets bound when the run starts; one
 * bound later (a restarted daemon, a new tmux server) is in view, and is
 * refused by the supervisor, which mediates inside the namespaces too where
 * host daemons run.  Either isolation mode. */
TEST(mediate_late_host_socket_refused)
{
	static const char *const modes[] = { "auto", "off" };
	struct fake_tmux f;
	char late[700], script[2048];
	struct run r;

	if (!have_binaries() || !fake_tmux(&f, 'D'))
		return;
	snprintf(late, sizeof(late), "%s/late.sock", f.dir);
	snprintf(script, sizeof(script),
		 "i=0; while [ ! -S '%s' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; exec '%s' read '%s'", late,
		 probe_path("unix-connect"), late);
	for (size_t m = 0; m < sizeof(modes) / sizeof(*modes); m++) {
		pid_t d;

		unlink(late);
		d = fork();
		if (d == 0) {
			/* Bound once the run has started (its view is made). */
			usleep(500 * 1000);
			if (server(late, 'L', 16) < 0)
				_exit(1);
			pause();
			_exit(0);
		}
		run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", modes[m], "--", "sh", "-c", script),
			     &(struct run_opts){ .env = ARGV(f.env) }, &r);
		CHECK_MSG(r.outcome != 0, "isolation %s: a host socket bound after the run started is reachable: %s",
			  modes[m], r.out);
		run_cmd(ARGV(probe_path("unix-connect"), "read", late), &r);
		CHECK_OUTCOME(&r, 0, "the late daemon answers outside the sandbox");
		stop(d);
	}
	fake_tmux_end(&f);
}

/* A `sockets: allow` entry reached through a link the sandbox could have
 * planted (in a write root) allows nothing: an earlier run cannot aim it at
 * a host daemon. */
TEST(mediate_allowed_socket_through_planted_link)
{
	struct fake_tmux f;
	char link[700];
	struct run r;

	if (!have_binaries() || !fake_tmux(&f, 'D'))
		return;
	snprintf(link, sizeof(link), "%s/dev.sock", f.dir);
	CHECK(symlink(f.sock, link) == 0);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("link.yaml", ARGV(link)),
			  "--", probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_MSG(r.outcome != 0, "a socket named through a planted link is reachable: %s", r.out);
	/* Named by its own path, it is. */
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("own.yaml", ARGV(f.sock)),
			  "--", probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_OUTCOME(&r, 0, "the socket named by its own path");
	fake_tmux_end(&f);
}

/* A real ssh-agent started with -a PATH: ssh-add -l cannot reach it
 * (exit 2), and can when the policy names $SSH_AUTH_SOCK (exit 1: no
 * identities). */
TEST(mediate_ssh_agent)
{
	const char *agent = find_tool(NULL, ARGV("/usr/bin/ssh-agent"), "ssh-agent");
	const char *add = find_tool(NULL, ARGV("/usr/bin/ssh-add"), "ssh-add");
	char dir[512], sock[600], env[700];
	struct run r;
	pid_t pid;

	if (!have_binaries())
		return;
	if (!agent || access(agent, X_OK) != 0 || !add || access(add, X_OK) != 0)
		SKIP("ssh-agent or ssh-add is not installed (openssh-client)");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "agent"))
		return;
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(env, sizeof(env), "SSH_AUTH_SOCK=%s", sock);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(agent, "ssh-agent", "-D", "-a", sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++)
		usleep(10000);
	CHECK_MSG(access(sock, F_OK) == 0, "ssh-agent did not create %s", sock);
	run_cmd_opts(ARGV(add, "-l"), &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 1, "ssh-add -l outside: the agent answers, no identities");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", add, "-l"), &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 2, "ssh-add -l under agent: cannot reach the agent");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("agent.yaml", ARGV("$SSH_AUTH_SOCK")),
			  "--", add, "-l"),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 1, "ssh-add -l with sockets: allow: [$SSH_AUTH_SOCK]");
	stop(pid);
	rm_rf(dir);
}

/* A server and a client inside the sandbox, on a socket in its working
 * directory, still talk while host sockets are mediated. */
TEST(mediate_sandbox_own_server)
{
	static const char script[] = "import os, socket, sys\n"
				     "s = socket.socket(socket.AF_UNIX)\n"
				     "s.bind('inner.sock'); s.listen(4)\n"
				     "if os.fork() == 0:\n"
				     "    c = socket.socket(socket.AF_UNIX); c.connect('inner.sock')\n"
				     "    sys.exit(0 if c.recv(5) == b'inner' else 3)\n"
				     "c, _ = s.accept(); c.send(b'inner'); c.close()\n"
				     "_, st = os.wait(); sys.exit(os.WEXITSTATUS(st))\n";
	struct fake_tmux f;
	struct run r;

	if (!have_binaries() || !python())
		return;
	if (!fake_tmux(&f, 'D'))
		return;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", python(), "-c", script),
		     &(struct run_opts){ .env = ARGV(f.env), .cwd = f.dir }, &r);
	CHECK_OUTCOME(&r, 0, "a python server and client inside the sandbox");
	fake_tmux_end(&f);
}

/* A thread flips the address between an allowed and a forbidden socket
 * while another connects in a loop: never once the forbidden one. */
TEST(mediate_race_flipped_address)
{
	char dir[512], good[600], bad[600], n[16];
	pid_t g, b;
	struct run r;
	int connected = 0;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "race"))
		return;
	snprintf(good, sizeof(good), "%s/good.sock", dir);
	snprintf(bad, sizeof(bad), "%s/bad.sock", dir);
	g = server(good, 'G', 64);
	b = server(bad, 'F', 64);
	snprintf(n, sizeof(n), "%d", 3000);
	run_cmd(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("race.yaml", ARGV(good)), "--",
		     probe_path("unix-connect"), "race", good, bad, n),
		&r);
	CHECK_OUTCOME(&r, 0, "no connect reached the forbidden socket");
	const char *c = strstr(r.out, "connected=");
	if (c)
		connected = atoi(c + 10);
	CHECK_MSG(connected > 0, "some connects reached the allowed socket: %s", r.out);
	/* The same probe unconfined does reach both: the race is real.  The
	 * flipping thread needs a CPU of its own to win it, which a loaded
	 * machine may not give at once: more tries, a few rounds. */
	snprintf(n, sizeof(n), "%d", 20000);
	for (int round = 0; round < 5; round++) {
		run_cmd(ARGV(probe_path("unix-connect"), "race", good, bad, n), &r);
		if (r.outcome == 1)
			break;
	}
	CHECK_OUTCOME(&r, 1, "unconfined, the flip reaches the second socket");
	stop(g);
	stop(b);
	rm_rf(dir);
}

/* A caller that made itself non-dumpable: the supervisor cannot copy its
 * address or take its socket (unless root, whose CAP_SYS_PTRACE can), and
 * refuses; a forbidden socket stays refused either way. */
TEST(mediate_nondumpable_fails_closed)
{
	struct fake_tmux f;
	char other[700];
	struct run r;
	pid_t o;

	if (!have_binaries() || !fake_tmux(&f, 'D'))
		return;
	snprintf(other, sizeof(other), "%s/allowed.sock", f.dir);
	o = server(other, 'A', 16);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("nodump.yaml", ARGV(other)), "--",
			  probe_path("unix-connect"), "nodump", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_MSG(r.outcome != 0, "a non-dumpable caller reached the host daemon");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("nodump.yaml", ARGV(other)), "--",
			  probe_path("unix-connect"), "nodump", other),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	if (geteuid() != 0)
		CHECK_OUTCOME(&r, EPERM, "a non-dumpable caller's connect is refused (fail closed)");
	else
		CHECK_OUTCOME(&r, 0, "as root the supervisor may read a non-dumpable caller: the named socket");
	stop(o);
	fake_tmux_end(&f);
}

/* One connect blocked on a full backlog holds up neither another thread's
 * mediated connect nor a signal forwarded to the command. */
TEST(mediate_never_stalls)
{
	char dir[512], full[600], ok[600];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fill[8], nfill = 0;
	pid_t fp, op;
	struct run r;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "stall"))
		return;
	snprintf(full, sizeof(full), "%s/full.sock", dir);
	snprintf(ok, sizeof(ok), "%s/ok.sock", dir);
	fp = server(full, 0, 0);
	op = server(ok, 'K', 16);
	/* Fill the listener's backlog: a blocking connect now waits. */
	snprintf(a.sun_path, sizeof(a.sun_path), "%.107s", full);
	while (nfill < 8) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
			close(s);
			break;
		}
		fill[nfill++] = s;
	}
	CHECK_MSG(nfill > 0 && nfill < 8, "the backlog took %d connections", nfill);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", policy_naming("stall.yaml", ARGV(full, ok)), "--",
			  probe_path("unix-connect"), "stall", full, ok),
		     &(struct run_opts){ .term_after_ms = 1500, .timeout_ms = 15000 }, &r);
	CHECK_OUTCOME(&r, 0, "the command got the forwarded SIGTERM");
	CHECK_STR_CONTAINS(r.out, "second connect ok");
	CHECK_STR_CONTAINS(r.out, "signal");
	CHECK_MSG(r.ms < 10000, "took %ld ms", r.ms);
	for (int i = 0; i < nfill; i++)
		close(fill[i]);
	stop(fp);
	stop(op);
	rm_rf(dir);
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

/* Many mediated connects leave the supervisor with the descriptors it had
 * before (it takes a socket and opens a path for each). */
TEST(mediate_no_fd_leak)
{
	char dir[512], sock[600], text[800], n[16];
	pid_t sp, child;
	int st = -1;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "leak"))
		return;
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(text, sizeof(text), "sockets:\n  allow: [\"%s\"]\n", sock);
	snprintf(n, sizeof(n), "%d", 300);
	sp = server(sock, 'S', 64);
	child = fork();
	if (child == 0) {
		/* The supervisor in this (forked) process, as the CLI runs it. */
		stockade_policy *p = NULL;
		stockade_plan *plan = NULL;
		stockade_error *err = NULL;
		struct sk_mediation med;
		struct sk_supervise_result res;
		char probe[4096], many[] = "many";
		char *argv[] = { probe, many, sock, n, NULL };
		int before, after;

		if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_preset(p, "agent", &err) < 0 ||
		    stockade_policy_add_text(p, "leak", text, strlen(text), &err) < 0 ||
		    stockade_plan_build(p, &plan, &err) < 0 || sk_mediation_setup(plan, SK_NOTIFY_NONE, &med, &err) < 0)
			_exit(10);
		if (!sk_mediation_find(&med, "connect"))
			_exit(11);
		snprintf(probe, sizeof(probe), "%s", probe_path("unix-connect"));
		struct sk_supervise_opts so = { .mode = SK_NOTIFY_NONE, .mediation = &med };
		before = count_fds();
		if (sk_supervise_exec(plan, argv, &so, &res, &err) < 0)
			_exit(12);
		after = count_fds();
		if (!WIFEXITED(res.wstatus) || WEXITSTATUS(res.wstatus) != 0)
			_exit(13);
		if (res.mediated < 300)
			_exit(14);
		fprintf(stderr, "  supervisor descriptors: %d before, %d after %lu mediated connects\n", before,
			after, res.mediated);
		_exit(after == before ? 0 : 15);
	}
	waitpid(child, &st, 0);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the supervisor child ended with status 0x%x", st);
	stop(sp);
	rm_rf(dir);
}

/* The linger process of this stockade (its child named stockade-linger);
 * 0 if there is none within 10 s. */
static pid_t linger_of(pid_t sup)
{
	for (int tries = 0; tries < 500; tries++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		pid_t found = 0;

		while (d && (e = readdir(d)) && !found) {
			char path[300], buf[512];
			FILE *f;
			int ppid = 0;
			size_t n;

			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
			if (!(f = fopen(path, "r")))
				continue;
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			if (strstr(buf, "(stockade-linger)") && sscanf(strrchr(buf, ')') + 1, " %*c %d", &ppid) == 1 &&
			    ppid == sup)
				found = (pid_t)atoi(e->d_name);
		}
		if (d)
			closedir(d);
		if (found)
			return found;
		usleep(20000);
	}
	return 0;
}

/* pid holds a seccomp listener (it was handed the command's): 1; 0 if
 * not within 10 s; -1 where this process cannot look (a non-dumpable
 * process of root's, seen from another user). */
static int holds_listener(pid_t pid)
{
	for (int tries = 0; tries < 500; tries++) {
		char dir[64], path[320], target[64];
		DIR *d;
		struct dirent *e;
		bool found = false;

		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
		if (!(d = opendir(dir)))
			return errno == EACCES ? -1 : 0;
		while ((e = readdir(d)) && !found) {
			ssize_t n;

			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				found = strstr(target, "seccomp") != NULL;
			}
		}
		closedir(d);
		if (found)
			return 1;
		usleep(20000);
	}
	return 0;
}

/* The linger process that mediates in plain enforcement killed from
 * outside (an operator, the OOM killer): the command's next mediated
 * connect fails at once (ENOSYS: no one can answer it), never waits for
 * ever, and stockade says so. */
TEST(mediate_linger_killed_fails_closed)
{
	char dir[512], sock[600], go[600], out[600], script[2048];
	pid_t sp, sup, linger;
	int st = -1, fd;
	long deadline;
	char *text;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "lingerkill"))
		return;
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(go, sizeof(go), "%s/go", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(script, sizeof(script), "while [ ! -e '%s' ]; do sleep 0.02; done; exec '%s' connect '%s'", go,
		 probe_path("unix-connect"), sock);
	sp = server(sock, 'S', 16);
	const char *policy = policy_naming("lingerkill.yaml", ARGV(sock));
	sup = fork();
	if (sup == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(120);
		setpgid(0, 0);
		execl(stockade_bin(), stockade_bin(), "run", "--isolation", "off", "--no-report", "--policy", policy,
		      "--", "sh", "-c", script, (char *)NULL);
		_exit(121);
	}
	linger = linger_of(sup);
	if (!linger) {
		kill(-sup, SIGKILL);
		waitpid(sup, NULL, 0);
		stop(sp);
		rm_rf(dir);
		SKIP("no stockade-linger mediates here (the supervisor does, as under Yama ptrace_scope >= 1)");
	}
	/* Once it mediates, where that can be seen: the calls then fail
	 * with ENOSYS.  Killed before the hand-over, the supervisor refuses
	 * them itself (EPERM); either way it says so. */
	int handed = holds_listener(linger);

	CHECK_MSG(handed != 0, "the linger process was never handed the listener");
	kill(linger, SIGKILL);
	fd = open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	deadline = now_ms() + 10000;
	while (waitpid(sup, &st, WNOHANG) == 0 && now_ms() < deadline)
		usleep(20000);
	if (now_ms() >= deadline) {
		kill(-sup, SIGKILL);
		waitpid(sup, &st, 0);
		CHECK_MSG(false, "the command's connect waited for an answer that could not come (10 s)");
	}
	text = read_file(out);
	CHECK_MSG(WIFEXITED(st) && (WEXITSTATUS(st) == ENOSYS || (handed < 0 && WEXITSTATUS(st) == EPERM)),
		  "exit status 0x%x, want %d (ENOSYS)%s:\n%s", st, ENOSYS, handed < 0 ? " or EPERM" : "",
		  text ? text : "");
	CHECK_MSG(text && strstr(text, "stockade-linger) ended"), "stockade says the mediator ended:\n%s",
		  text ? text : "");
	free(text);
	stop(sp);
	rm_rf(dir);
}

/* Would the linger process mediate from the start here (supervise.c:
 * ancestor_needed)?  Not where Yama lets only an ancestor read the
 * command's memory and this process (so stockade) lacks CAP_SYS_PTRACE. */
static bool linger_mediates(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	unsigned long long eff = 0;
	char line[256];
	int scope = 1;

	if (!f)
		return errno == ENOENT;
	if (fscanf(f, "%d", &scope) != 1)
		scope = 1;
	fclose(f);
	if (scope == 0)
		return true;
	if (!(f = fopen("/proc/self/status", "r")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 19) & 1; /* CAP_SYS_PTRACE */
}

/* The linger process gone before it sends the child its fence (a test
 * hook ends it then): the child, which waits for the fence, does not wait
 * for ever (where it is started with CLONE_VFORK, the supervisor cannot
 * step in while it waits: it watches the linger process itself), and the
 * command's mediated connect to a socket the policy names, which a server
 * accepts, is refused (EPERM) with the line saying why: fails closed. */
TEST(mediate_linger_dies_before_fence_fails_closed)
{
	char dir[512], sock[600];
	const char *pol;
	struct run r;
	pid_t sp;

	if (!have_binaries())
		return;
	if (!linger_mediates())
		SKIP("the supervisor mediates itself here (Yama ptrace_scope >= 1 without CAP_SYS_PTRACE)");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "lingerdies"))
		return;
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	sp = server(sock, 'S', 16);
	pol = policy_naming("lingerdies.yaml", ARGV(sock));
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--", probe_path("unix-connect"),
			  "read", sock),
		     &(struct run_opts){ .env = ARGV("STOCKADE_TEST_LINGER_DIES=1"), .timeout_ms = 10000 }, &r);
	CHECK_OUTCOME(&r, EPERM, "a named socket's connect with the mediator gone");
	CHECK_STR_CONTAINS(r.out, "stockade-linger) ended");
	CHECK_MSG(!strstr(r.out, "got S"), "the connect went through:\n%s", r.out);
	/* The same run without the hook connects. */
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--", probe_path("unix-connect"),
			  "read", sock),
		     &(struct run_opts){ .timeout_ms = 10000 }, &r);
	CHECK_OUTCOME(&r, 0, "a named socket's connect");
	CHECK_STR_CONTAINS(r.out, "got S");
	stop(sp);
	rm_rf(dir);
}

/* stockade inside stockade, both mediating: the inner one cannot have a
 * listener of its own (one per process), says so, and runs under the
 * outer one's mediation: the named socket works, the host daemon's not. */
TEST(mediate_nested)
{
	struct fake_tmux f;
	char other[700];
	const char *pol;
	struct run r;
	pid_t o;

	if (!have_binaries() || !fake_tmux(&f, 'D'))
		return;
	snprintf(other, sizeof(other), "%s/allowed.sock", f.dir);
	o = server(other, 'A', 16);
	pol = policy_naming("nested.yaml", ARGV(other));
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--", stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--",
			  probe_path("unix-connect"), "read", other),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_OUTCOME(&r, 0, "the named socket from a nested stockade");
	CHECK_STR_CONTAINS(r.out, "got A");
	CHECK_STR_CONTAINS(r.out, "another seccomp supervisor");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--", stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--",
			  probe_path("unix-connect"), "read", f.sock),
		     &(struct run_opts){ .env = ARGV(f.env) }, &r);
	CHECK_OUTCOME(&r, EACCES, "the host daemon from a nested stockade");
	stop(o);
	fake_tmux_end(&f);
}

/* Under mode full, TCP port lists are Landlock's, which does not limit
 * MPTCP sockets: those are refused (EPROTONOSUPPORT, as a kernel without
 * MPTCP answers) where ports are listed (attack11 F4). */
static const char mptcp_py[] =
	"import socket\n"
	"try:\n"
	"    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262); print('MPTCP socket made')\n"
	"except OSError as e:\n"
	"    print('mptcp refused', e.errno)\n"
	"t = socket.socket(); t.bind(('127.0.0.1', 18093)); t.listen(1); print('tcp bind ok')\n";

TEST(mediate_full_mode_ports_refuse_mptcp)
{
	const char *py = python(), *prog = write_tmp("mptcp.py", mptcp_py, 0644);
	const char *pol = write_tmp("full-ports.yaml",
				    "extends: agent\n"
				    "network:\n"
				    "  mode: full\n"
				    "  tcp_bind: [18093]\n",
				    0644);
	struct run r;

	if (!have_binaries() || !py)
		return;
	run_cmd(ARGV(py, "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)"), &r);
	if (r.outcome != 0)
		SKIP("this kernel makes no MPTCP socket unconfined (CONFIG_MPTCP, net.mptcp.enabled)");
	run_cmd(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", pol, "--", py, prog), &r);
	CHECK_MSG(!strstr(r.out, "MPTCP socket made"), "an MPTCP socket under a TCP port list: %s", r.out);
	CHECK_STR_CONTAINS(r.out, "mptcp refused 93");
	CHECK_STR_CONTAINS(r.out, "tcp bind ok");
}
