/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live tier's shared plumbing: see live_util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"

/* ---- running commands ---- */

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void child(const char *const *argv, const struct run_opts *o, int out)
{
	struct rlimit nocore = { 0, 0 };
	int in = open(o->in ? o->in : "/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (o->cwd && chdir(o->cwd) < 0)
		_exit(RUN_EXEC_FAILED);
	if (in >= 0)
		dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	/* dup2 clears O_CLOEXEC, but not when the fd is already 3 */
	if (o->fd3 == 3)
		fcntl(3, F_SETFD, 0);
	else if (o->fd3 > 0)
		dup2(o->fd3, 3);
	for (const char *const *e = o->env; e && *e; e++)
		putenv((char *)(uintptr_t)*e);
	setrlimit(RLIMIT_CORE, &nocore);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	fprintf(stderr, "test-live: cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(RUN_EXEC_FAILED);
}

int run_cmd_opts(const char *const *argv, const struct run_opts *o, struct run *r)
{
	long start = now_ms(), deadline = start + (o->timeout_ms > 0 ? o->timeout_ms : RUN_TIMEOUT_MS);
	bool termed = false;
	size_t used = 0;
	int pipefd[2], status;
	pid_t pid;

	r->outcome = RUN_ERROR;
	r->out[0] = '\0';
	r->ms = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return r->outcome;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return r->outcome;
	}
	if (pid == 0)
		child(argv, o, pipefd[1]);
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		long left = deadline - now_ms(), step = o->term_after_ms > 0 && !termed ? 50 : 1000;
		char sink[512];
		ssize_t got;
		int ready;

		if (o->term_after_ms > 0 && !termed && now_ms() - start >= o->term_after_ms) {
			kill(pid, SIGTERM);
			termed = true;
		}
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(pipefd[0]);
			r->outcome = RUN_TIMEOUT;
			return r->outcome;
		}
		ready = poll(&p, 1, (int)(left > step ? step : left));
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;
		if (used + 1 < sizeof(r->out))
			got = read(pipefd[0], r->out + used, sizeof(r->out) - used - 1);
		else
			got = read(pipefd[0], sink, sizeof(sink));
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
		return r->outcome;
	r->ms = now_ms() - start;
	if (WIFEXITED(status))
		r->outcome = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->outcome = SIGNALLED(WTERMSIG(status));
	return r->outcome;
}

int run_cmd(const char *const *argv, struct run *r)
{
	static const struct run_opts none;

	return run_cmd_opts(argv, &none, r);
}

void cmd_push(struct cmd *c, const char *s)
{
	if (c->n < CMD_MAX_ARGV)
		c->v[c->n++] = s;
	c->v[c->n] = NULL;
}

void cmd_push_all(struct cmd *c, const char *const *list)
{
	for (; list && *list; list++)
		cmd_push(c, *list);
}

void cmd_push_words(struct cmd *c, const char *words)
{
	char *copy, *save = NULL;

	if (!words || !*words || c->nowned >= (int)(sizeof(c->owned) / sizeof(c->owned[0])))
		return;
	copy = strdup(words);
	if (!copy)
		abort();
	c->owned[c->nowned++] = copy;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cmd_push(c, w);
}

void cmd_push_stockade_run(struct cmd *c, const char *const *opts)
{
	cmd_push(c, stockade_bin());
	cmd_push(c, "run");
	cmd_push_all(c, opts);
	cmd_push(c, "--");
}

int cmd_run(struct cmd *c, const struct run_opts *o, struct run *r)
{
	static const struct run_opts none;

	return run_cmd_opts(c->v, o ? o : &none, r);
}

void cmd_free(struct cmd *c)
{
	for (int i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	c->nowned = 0;
	c->n = 0;
	c->v[0] = NULL;
}

const char *describe_outcome(int outcome, char *buf, size_t size)
{
	const char *name;

	if (outcome == RUN_ERROR)
		snprintf(buf, size, "could not run");
	else if (outcome == RUN_TIMEOUT)
		snprintf(buf, size, "timed out");
	else if (outcome >= SIGNALLED(0)) {
		name = sigabbrev_np(outcome - SIGNALLED(0));
		snprintf(buf, size, "killed by SIG%s", name ? name : "?");
	} else if (outcome == STOCKADE_FAILED)
		snprintf(buf, size, "exit %d (stockade failed)", outcome);
	else if (outcome == EXEC_NOT_EXECUTABLE)
		snprintf(buf, size, "exit %d (not executable)", outcome);
	else if (outcome == EXEC_NOT_FOUND)
		snprintf(buf, size, "exit %d (not found)", outcome);
	else if (outcome > 0 && outcome < 200 && (name = strerrorname_np(outcome)))
		snprintf(buf, size, "exit %d (%s)", outcome, name);
	else
		snprintf(buf, size, "exit %d", outcome);
	return buf;
}

void show_run(const struct run *r)
{
	size_t len = strlen(r->out);
	const char *start = len > 1500 ? r->out + len - 1500 : r->out;
	char b[64];

	fprintf(stderr, "    %s after %ld ms%s", describe_outcome(r->outcome, b, sizeof(b)), r->ms,
		*start ? "; output: " : "\n");
	if (!*start)
		return;
	for (const char *p = start; *p; p++) {
		fputc(*p, stderr);
		if (*p == '\n' && p[1])
			fprintf(stderr, "            ");
	}
	if (r->out[len - 1] != '\n')
		fputc('\n', stderr);
}

/* ---- paths ---- */

/* $env (or fallback), made absolute against the working directory. */
static const char *abs_env_path(const char *env, const char *fallback, char *buf, size_t size)
{
	const char *v = getenv(env);
	char cwd[PATH_MAX];

	if (!v || !*v)
		v = fallback;
	if (v[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		if (snprintf(buf, size, "%s/%s", cwd, v) >= (int)size)
			abort();
	} else if (snprintf(buf, size, "%s", v) >= (int)size) {
		abort();
	}
	return buf;
}

const char *stockade_bin(void)
{
	static char buf[PATH_MAX];

	return buf[0] ? buf : abs_env_path("STOCKADE", "build/stockade", buf, sizeof(buf));
}

const char *probe_path(const char *name)
{
	static char dir[PATH_MAX], buf[4][PATH_MAX + 256];
	static int which;

	if (!dir[0])
		abs_env_path("PROBES", "build/probes", dir, sizeof(dir));
	which = (which + 1) % 4;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", dir, name);
	return buf[which];
}

const char *find_tool(const char *env, const char *const *candidates, const char *name)
{
	static char buf[4096];
	const char *e = env ? getenv(env) : NULL;
	const char *path = getenv("PATH");

	if (e && *e)
		return e;
	for (; candidates && *candidates; candidates++)
		if (access(*candidates, X_OK) == 0)
			return *candidates;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, name);
		if (len && access(buf, X_OK) == 0)
			return buf;
		path += len + (path[len] == ':');
	}
	return NULL;
}

const char *python(void)
{
	return find_tool("PYTHON", ARGV("/usr/bin/python3"), "python3");
}

/* ---- files ---- */

bool make_tmpdir(char *out, size_t size, const char *base, const char *name)
{
	if (!base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(out, size, "%s/%s.XXXXXX", base, name);
	if (!mkdtemp(out)) {
		CHECK_MSG(0, "mkdtemp %s: %s", out, strerror(errno));
		out[0] = '\0';
		return false;
	}
	chmod(out, 0755);
	return true;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char tmpdir[PATH_MAX];
static char *tmp_paths[256]; /* every write_tmp() of the tier, kept until exit */
static int ntmp_paths;

static void cleanup_tmp(void)
{
	if (tmpdir[0])
		rm_rf(tmpdir);
	for (int i = 0; i < ntmp_paths; i++)
		free(tmp_paths[i]);
	ntmp_paths = 0;
}

const char *tmp_path(const char *name)
{
	char path[PATH_MAX + 256];

	if (!tmpdir[0]) {
		if (!make_tmpdir(tmpdir, sizeof(tmpdir), NULL, "stockade-live")) {
			fprintf(stderr, "test-live: cannot make a temporary directory\n");
			exit(2);
		}
		atexit(cleanup_tmp);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	rm_rf(path);
	/* Kept until exit: callers hold several at once. */
	if (ntmp_paths >= (int)(sizeof(tmp_paths) / sizeof(tmp_paths[0])))
		abort();
	tmp_paths[ntmp_paths] = strdup(path);
	if (!tmp_paths[ntmp_paths])
		abort();
	return tmp_paths[ntmp_paths++];
}

const char *write_tmp(const char *name, const char *text, mode_t mode)
{
	const char *path = tmp_path(name);

	if (!write_file(path, text)) {
		fprintf(stderr, "test-live: write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	chmod(path, mode);
	return path;
}

bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

char *read_file(const char *path)
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
