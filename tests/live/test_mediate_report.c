/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the calls the supervisor's mediators refuse are in the report
 * like the filter's denials (src/cli/report_mediated.c): the text report
 * lists them with the process, the count and the fix (`sockets: allow`,
 * `--tcp-connect`), the JSON exit record counts them; under --audit the
 * connect runs and is reported as what the policy would refuse.  A host
 * daemon is stood in for by a listener at $TMPDIR/tmux-UID/default, a
 * child of this test in its temporary directory, killed by pid at the end;
 * the TCP connect goes to a loopback port nothing listens on.
 */
#include <errno.h>
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

/* A listener at path in a child that sends 'D' on each connection; its
 * pid, or -1. */
static pid_t daemon_at(const char *path)
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
		snprintf(a.sun_path, sizeof(a.sun_path), "%.107s", path);
		unlink(path);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0)
			_exit(1);
		chmod(path, 0777);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c >= 0 && send(c, "D", 1, MSG_NOSIGNAL) < 0) {
			}
			if (c >= 0)
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

static bool have_probes(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("unix-connect"), X_OK) < 0 ||
	    access(probe_path("tcp-connect"), X_OK) < 0) {
		CHECK_MSG(0, "%s, unix-connect or tcp-connect is missing (make check builds them)", stockade_bin());
		return false;
	}
	return true;
}

TEST(mediated_refusals_in_report)
{
	char dir[512], sub[560], sock[600], env[600];
	const char *json = tmp_path("mediated-report.jsonl");
	pid_t d;
	struct run r;
	char *text;

	if (!have_probes() || !make_tmpdir(dir, sizeof(dir), NULL, "medrep"))
		return;
	snprintf(sub, sizeof(sub), "%s/tmux-%u", dir, (unsigned)getuid());
	mkdir(sub, 0700);
	snprintf(sock, sizeof(sock), "%s/default", sub);
	snprintf(env, sizeof(env), "TMPDIR=%s", dir);
	d = daemon_at(sock);
	CHECK_MSG(d > 0, "cannot start the stand-in daemon at %s", sock);
	if (d <= 0) {
		rm_rf(dir);
		return;
	}

	/* Enforced: refused, in the text report with its fix, counted in
	 * the JSON exit record. */
	unlink(json);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--report", "--report-json", json, "--",
			  probe_path("unix-connect"), "read", sock),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, EACCES, "connect to the stand-in daemon under agent --report");
	CHECK_STR_CONTAINS(r.out, "the supervisor refused 1 call");
	CHECK_STR_CONTAINS(r.out, "x1 by unix-connect (pid ");
	CHECK_STR_CONTAINS(r.out, "fix: sockets: allow: [\"");
	CHECK_MSG(!strstr(r.out, "no call was denied"), "the text report says nothing was denied:\n%s", r.out);
	text = read_file(json);
	CHECK_STR_CONTAINS(text ?: "", "\"mediated_denials\":1");
	CHECK_STR_CONTAINS(text ?: "", "\"enforced\":true");
	free(text);

	/* Audit: the connect runs, and is reported as a refusal to come. */
	unlink(json);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--audit", "--report-json", json, "--",
			  probe_path("unix-connect"), "read", sock),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 0, "the same connect under --audit runs");
	CHECK_STR_CONTAINS(r.out, "audit: the supervisor would have refused 1 call");
	text = read_file(json);
	CHECK_STR_CONTAINS(text ?: "", "\"event\":\"mediated\"");
	CHECK_STR_CONTAINS(text ?: "", "\"enforced\":false");
	CHECK_STR_CONTAINS(text ?: "", "\"mediated_denials\":1");
	free(text);

	/* TCP: a port tcp_connect does not list; the fix is the option. */
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--report", "--tcp-connect", "127.0.0.1:9", "--",
			  probe_path("tcp-connect"), "127.0.0.1", "10"),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, EACCES, "TCP connect to a port the policy does not list");
	CHECK_STR_CONTAINS(r.out, "the supervisor refused 1 call");
	CHECK_STR_CONTAINS(r.out, "fix: --tcp-connect 127.0.0.1:10");

	/* learn: the connect the base refuses becomes the narrowest entry, a
	 * socket path under sockets.allow; never a host daemon's socket. */
	{
		char own[600], script[4096], learned[600], entry[700];
		pid_t o;

		snprintf(own, sizeof(own), "%s/app.sock", dir);
		snprintf(learned, sizeof(learned), "%s/learned.yaml", dir);
		o = daemon_at(own);
		CHECK_MSG(o > 0, "cannot start the listener at %s", own);
		/* The daemon's socket also under other names: a link the command
		 * makes, and a doubled slash.  None may be learned. */
		snprintf(script, sizeof(script), "%s read %s; %s read %s; ln -s %s %s/alias.sock; %s read %s/alias.sock; %s read %s//tmux-%u/default",
			 probe_path("unix-connect"), own, probe_path("unix-connect"), sock, sock, dir,
			 probe_path("unix-connect"), dir, probe_path("unix-connect"), dir, (unsigned)getuid());
		run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "agent", "--isolation", "off", "-o", learned, "--",
				  "/bin/sh", "-c", script),
			     &(struct run_opts){ .env = ARGV(env) }, &r);
		CHECK_OUTCOME(&r, 0, "learn --base agent: both connects run");
		text = read_file(learned);
		CHECK_MSG(text && strstr(text, "sockets:\n  allow:\n    - \"") && strstr(text, "/app.sock\""),
			  "learn did not write the socket the command used:\n%s", text ?: r.out);
		snprintf(entry, sizeof(entry), "- \"%s\"", sock);
		CHECK_MSG(text && !strstr(text, entry) && strstr(text, "host daemon's socket"),
			  "learn wrote or did not mention the host daemon's socket:\n%s", text ?: "");
		CHECK_MSG(text && !strstr(text, "alias.sock\" #") && !strstr(text, "/default\" #"),
			  "learn granted the daemon's socket under another name:\n%s", text ?: "");
		free(text);
		run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", learned, "--",
				  probe_path("unix-connect"), "read", own),
			     &(struct run_opts){ .env = ARGV(env) }, &r);
		CHECK_OUTCOME(&r, 0, "the learned policy lets the command reach its socket");
		run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--policy", learned, "--",
				  probe_path("unix-connect"), "read", sock),
			     &(struct run_opts){ .env = ARGV(env) }, &r);
		CHECK_OUTCOME(&r, EACCES, "the learned policy still refuses the host daemon's socket");
		if (o > 0) {
			kill(o, SIGKILL);
			waitpid(o, NULL, 0);
		}
	}

	kill(d, SIGKILL);
	waitpid(d, NULL, 0);
	rm_rf(dir);
	unlink(json);
}
