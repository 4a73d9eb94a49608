/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The denial report: one text line per distinct denial (syscall, decoded
 * arguments, count, processes, errno, the entry responsible, the fix), and
 * a JSON object per event for agents and log pipelines.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "base/json.h"
#include "run/denial.h"
#include "report.h"
#include "run/mediate_files.h"

/* What a command can make the report hold: distinct denials kept (then
 * only counted), processes named per denial, JSON events per denial. */
#define MAX_GROUPS 4096
#define INDEX_SIZE (2 * MAX_GROUPS)
/* Distinct denials kept per syscall name, so one call's argument variants
 * cannot fill MAX_GROUPS and push every other call out of the report;
 * numbers nobody can name share one name per arch, with more room. */
#define NAME_GROUPS 64
#define UNNAMED_GROUPS 1024
/* Names seen: syscall names are a bounded set (a few hundred per arch),
 * so this table holds them all. */
#define NAME_INDEX 4096
#define MAX_PIDS 256
#define JSON_PER_GROUP 100
#define TEXT_GROUPS 64

struct group {
	const stockade_plan *plan;
	char *name; /* NULL: a number libseccomp cannot name */
	uint32_t arch;
	int nr;
	char decoded[160];
	struct sk_verdict verdict;
	bool compat_refused, mismatch;
	uint64_t args[SK_MAX_ARGS]; /* the first call's */
	unsigned long count;
	char comm[16];
	pid_t *pids;
	size_t npids;
	bool many_pids, many_comms;
	uint32_t hash;
};

/* One syscall name (or, name NULL, the unnamed numbers of one arch). */
struct name_seen {
	char *name;
	uint32_t arch;
	unsigned groups;    /* distinct denials kept */
	bool texted;	    /* a group of it is in the text report */
	unsigned long over; /* calls past the caps, not kept */
};

struct report {
	const stockade_plan *plan;
	const char *policy;
	enum sk_notify_mode mode;
	FILE *json;
	struct group *groups;
	size_t ngroups, cap;
	uint32_t index[INDEX_SIZE]; /* 1 + a group's index, 0: empty */
	unsigned long over_cap;	    /* denials of kinds past MAX_GROUPS */
	unsigned long json_suppressed; /* events past JSON_PER_GROUP of a kind */
	unsigned long events, mismatches;
	unsigned long fallbacks; /* designed fallbacks' ENOSYS: no denials */
	bool oom;
	const struct sk_files_mediation *files; /* report_set_files() */
	const struct mreport *mediated;		/* report_set_mediated() */
	struct name_seen names[NAME_INDEX];	/* open addressing; name or arch set: used */
};

void report_set_files(struct report *r, const struct sk_files_mediation *files)
{
	r->files = files;
}

void report_set_mediated(struct report *r, const struct mreport *m)
{
	r->mediated = m;
}

struct report *report_new(const stockade_plan *plan, const char *policy, enum sk_notify_mode mode, FILE *json)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->plan = plan;
	r->policy = policy;
	r->mode = mode;
	r->json = json;
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ngroups; i++) {
		free(r->groups[i].name);
		free(r->groups[i].pids);
	}
	for (size_t i = 0; i < NAME_INDEX; i++)
		free(r->names[i].name);
	free(r->groups);
	free(r);
}

/* ---- pieces shared by text and JSON ---- */

static const char *arch_name(uint32_t arch, char *buf, size_t size)
{
	const char *n = stockade_arch_name(arch);

	if (n)
		return n;
	snprintf(buf, size, "0x%x", arch);
	return buf;
}

/* The fix: flags and a sentence for people (flag), or policy text. */
static const char *fix_text(const struct report *r, const stockade_plan *plan, const char *name,
			    const uint64_t args[SK_MAX_ARGS], const struct sk_verdict *v, bool compat, bool flag,
			    char *buf, size_t size)
{
	const char *net = NULL;
	struct sk_fix f;
	char rule[600];
	size_t len = 0;

#define ADD(...)                                                                                               \
	do {                                                                                                   \
		int n_ = snprintf(buf + len, size - len, __VA_ARGS__);                                       \
		if (n_ > 0)                                                                                    \
			len = len + (size_t)n_ < size ? len + (size_t)n_ : size - 1;                           \
	} while (0)
	buf[0] = '\0';
	if (!name)
		return "none by name: libseccomp does not know this syscall number";
	sk_fix_for(plan, name, args, v, compat, &f);
	if (f.kind == SK_FIX_RULE)
		sk_fix_rule_format(name, &f, rule, sizeof(rule));
	if (f.net == SK_NET_FULL || f.net == SK_NET_UNIX)
		net = f.net == SK_NET_FULL ? "full" : "unix";
	/* The policy limited the network on purpose (mode proxy, or TCP
	 * destinations listed): `--net full` would undo that, so name the
	 * narrow way in instead (docs/network.md). */
	if (net && (plan->access.net == SK_NET_PROXY || plan->access.ntcp[SK_TCP_CONNECT])) {
		bool proxy = plan->access.net == SK_NET_PROXY;
		if (flag)
			ADD("%s (the policy limits the network on purpose: this socket stays closed; `--net full` "
			    "would open every host)",
			    proxy ? "--allow-host HOST, through stockade's proxy" : "--tcp-connect ADDR:PORT");
		else
			ADD("%s", proxy ? "network: {allow: [HOST]}" : "network: {tcp_connect: [\"ADDR:PORT\"]}");
		return buf;
	}
	if (!flag) {
		if (net)
			ADD("network: {mode: %s}", net);
		if (f.compat || f.kind != SK_FIX_NONE)
			ADD("%sseccomp: {", net ? "; " : "");
		if (f.compat)
			ADD("compat_arches: filter%s", f.kind != SK_FIX_NONE ? ", " : "");
		if (f.kind == SK_FIX_ALLOW)
			ADD("allow: [%s]", name);
		else if (f.kind == SK_FIX_RULE)
			ADD("rules: [%s]", rule);
		if (f.compat || f.kind != SK_FIX_NONE)
			ADD("}");
		return buf;
	}
	/* Flags where there are flags for it, then the policy change. */
	if (net)
		ADD("--net %s", net);
	if (f.kind == SK_FIX_ALLOW && !f.compat)
		ADD("%s--allow %s", net ? " " : "", name);
	if (f.compat || f.kind == SK_FIX_RULE) {
		ADD("%sin a policy extending %s, ", net ? "; and " : "", r->policy);
		if (f.compat)
			ADD("set compat_arches: filter%s", f.kind != SK_FIX_NONE ? " and " : "");
		if (f.kind == SK_FIX_ALLOW)
			ADD("allow: [%s]", name);
		else if (f.kind == SK_FIX_RULE)
			ADD("add the rule %s", rule);
	}
#undef ADD
	return buf;
}

static const char *action_text(struct sk_action a, char *buf, size_t size)
{
	const char *e;

	if (a.type == SK_ACT_ERRNO && (e = sk_errno_name(a.errnum)))
		return e;
	return sk_action_format(a, buf, size);
}

/* ---- JSON ---- */

/* One JSON object a line, written whole and flushed: a reader following the
 * file sees each event as it happens.  Keys are in the order jansson kept. */
static void json_line(struct report *r, struct sk_json_writer *w)
{
	if (!w->buf.failed) {
		fwrite(w->buf.data, 1, w->buf.len, r->json);
		fputc('\n', r->json);
		fflush(r->json);
	} else {
		r->oom = true;
	}
	free(w->buf.data);
}

static void json_member(struct sk_json_writer *w, const char *key, const char *value)
{
	sk_jw_key(w, key);
	sk_jw_string(w, value);
}

static void json_event(struct report *r, const struct sk_event *ev)
{
	static const char *const kinds[] = { "rule", "base", "default", "compat" };
	char when[64], act[48], origin[400], fix[1000], buf[200];
	struct sk_json_writer w = { 0 };
	struct tm tm;

	gmtime_r(&ev->when.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06ldZ", ev->when.tv_nsec / 1000);

	sk_jw_open(&w, '{');
	json_member(&w, "event", "denial");
	json_member(&w, "time", when);
	sk_jw_key(&w, "pid");
	sk_jw_int(&w, ev->pid);
	json_member(&w, "comm", ev->comm);
	json_member(&w, "arch", arch_name(ev->arch, buf, sizeof(buf)));
	json_member(&w, "syscall", ev->name); /* null: libseccomp cannot name it */
	sk_jw_key(&w, "nr");
	sk_jw_int(&w, ev->nr);
	sk_jw_key(&w, "args");
	sk_jw_open(&w, '[');
	for (int i = 0; i < SK_MAX_ARGS; i++) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)ev->args[i]);
		sk_jw_string(&w, buf);
	}
	sk_jw_close(&w, ']');
	if (*sk_decode_args(ev->name, ev->args, buf, sizeof(buf)))
		json_member(&w, "decoded", buf);
	json_member(&w, "action", sk_action_format(ev->verdict.action, act, sizeof(act)));
	json_member(&w, "mode", ev->mode == SK_NOTIFY_ERRNO ? "report" : "audit");
	sk_jw_key(&w, "enforced");
	sk_jw_bool(&w, !ev->ran);
	if (!ev->ran) {
		sk_jw_key(&w, "errno");
		sk_jw_int(&w, ev->errnum);
	}

	sk_jw_key(&w, "rule");
	sk_jw_open(&w, '{');
	sk_verdict_origin(ev->plan, ev->name, &ev->verdict, ev->compat_refused, origin, sizeof(origin));
	json_member(&w, "kind", kinds[sk_verdict_kind(ev->plan, ev->name, &ev->verdict, ev->compat_refused)]);
	json_member(&w, "description", origin);
	json_member(&w, "file", ev->verdict.at.file);
	if (ev->verdict.at.line) {
		sk_jw_key(&w, "line");
		sk_jw_int(&w, ev->verdict.at.line);
		sk_jw_key(&w, "column");
		sk_jw_int(&w, ev->verdict.at.column);
	}
	if (ev->verdict.via)
		json_member(&w, "via", ev->verdict.via);
	if (ev->verdict.reason)
		json_member(&w, "reason", ev->verdict.reason);
	sk_jw_close(&w, '}');

	json_member(&w, "fix",
		    fix_text(r, ev->plan, ev->name, ev->args, &ev->verdict, ev->compat_refused, true, fix, sizeof(fix)));
	json_member(&w, "fix_policy",
		    fix_text(r, ev->plan, ev->name, ev->args, &ev->verdict, ev->compat_refused, false, fix, sizeof(fix)));
	if (ev->mismatch) {
		sk_jw_key(&w, "mismatch");
		sk_jw_bool(&w, true);
	}
	sk_jw_close(&w, '}');
	json_line(r, &w);
}

/* ---- aggregation ---- */

static bool same_group(const struct group *g, const struct sk_event *ev, const char *decoded)
{
	if (g->plan != ev->plan || (g->name == NULL) != (ev->name == NULL))
		return false;
	if (g->name ? strcmp(g->name, ev->name) != 0 : g->nr != ev->nr || g->arch != ev->arch)
		return false;
	return strcmp(g->decoded, decoded) == 0 && g->compat_refused == ev->compat_refused &&
	       g->mismatch == ev->mismatch && g->verdict.rule == ev->verdict.rule &&
	       g->verdict.at.file == ev->verdict.at.file && g->verdict.at.line == ev->verdict.at.line &&
	       g->verdict.at.column == ev->verdict.at.column && sk_action_eq(g->verdict.action, ev->verdict.action);
}

/* FNV-1a over what same_group() compares. */
static uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t group_hash(const struct sk_event *ev, const char *decoded)
{
	uint32_t h = 2166136261u;
	int line = ev->verdict.at.line, column = ev->verdict.at.column;

	if (ev->name) {
		h = hash_bytes(h, ev->name, strlen(ev->name));
	} else {
		h = hash_bytes(h, &ev->nr, sizeof(ev->nr));
		h = hash_bytes(h, &ev->arch, sizeof(ev->arch));
	}
	h = hash_bytes(h, decoded, strlen(decoded));
	h = hash_bytes(h, &line, sizeof(line));
	h = hash_bytes(h, &column, sizeof(column));
	return h;
}

/* The group of ev, or NULL and *slot where it would go.  Open addressing
 * over INDEX_SIZE slots (twice MAX_GROUPS: never full). */
static struct group *find_group(struct report *r, const struct sk_event *ev, const char *decoded, uint32_t h,
				size_t *slot)
{
	for (size_t i = h & (INDEX_SIZE - 1);; i = (i + 1) & (INDEX_SIZE - 1)) {
		struct group *g;

		if (!r->index[i]) {
			*slot = i;
			return NULL;
		}
		g = &r->groups[r->index[i] - 1];
		if (g->hash == h && same_group(g, ev, decoded))
			return g;
	}
}

/* The entry of a syscall name (NULL: the unnamed numbers of arch), made if
 * new; NULL if the table is full (it is sized for every name of every
 * arch: never) or out of memory. */
static struct name_seen *name_entry(struct report *r, const char *name, uint32_t arch)
{
	uint32_t h = 2166136261u, mark = name ? 0 : (arch ? arch : 1); /* an unnamed bucket: its arch */

	h = name ? hash_bytes(h, name, strlen(name)) : hash_bytes(h, &mark, sizeof(mark));
	for (size_t n = 0, i = h & (NAME_INDEX - 1); n < NAME_INDEX; n++, i = (i + 1) & (NAME_INDEX - 1)) {
		struct name_seen *e = &r->names[i];

		if (!e->name && !e->arch) {
			if (name && !(e->name = strdup(name))) {
				r->oom = true;
				return NULL;
			}
			e->arch = mark;
			return e;
		}
		if (name ? e->name && !strcmp(e->name, name) : !e->name && e->arch == mark)
			return e;
	}
	return NULL;
}

static void add_pid(struct group *g, pid_t pid)
{
	pid_t *n;

	for (size_t i = 0; i < g->npids; i++)
		if (g->pids[i] == pid)
			return;
	if (g->npids >= MAX_PIDS) {
		g->many_pids = true;
		return;
	}
	n = realloc(g->pids, (g->npids + 1) * sizeof(*n));
	if (!n)
		return;
	g->pids = n;
	n[g->npids++] = pid;
}

void report_event(const struct sk_event *ev, void *data)
{
	struct report *r = data;
	struct group *g = NULL;
	char decoded[160];
	size_t slot = 0;
	uint32_t h;

	/* clone3's ENOSYS is the policy working as designed: counted, never
	 * listed, never a fix. */
	if (ev->fallback || sk_verdict_is_fallback(ev->name, &ev->verdict)) {
		r->fallbacks++;
		return;
	}
	r->events++;
	if (ev->mismatch)
		r->mismatches++;
	sk_decode_args(ev->name, ev->args, decoded, sizeof(decoded));
	h = group_hash(ev, decoded);
	g = find_group(r, ev, decoded, h, &slot);
	if (!g) {
		/* The command chooses how many kinds of denial it makes: past
		 * the caps (per name, then in all) they are counted, not kept
		 * or listed; but the first call of a name that has no group
		 * kept is logged, so no call is hidden behind others. */
		struct name_seen *n = name_entry(r, ev->name, ev->arch);
		unsigned cap = ev->name ? NAME_GROUPS : UNNAMED_GROUPS;

		if (!n || n->groups >= cap || r->ngroups >= MAX_GROUPS) {
			if (n && !n->groups && !n->over && r->json)
				json_event(r, ev);
			if (n)
				n->over++;
			r->over_cap++;
			return;
		}
		n->groups++;
	}
	if (!g) {
		if (r->ngroups == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			struct group *n = realloc(r->groups, cap * sizeof(*n));

			if (!n) {
				r->oom = true;
				return;
			}
			r->groups = n;
			r->cap = cap;
		}
		g = &r->groups[r->ngroups];
		memset(g, 0, sizeof(*g));
		if (ev->name && !(g->name = strdup(ev->name))) {
			r->oom = true;
			return;
		}
		r->index[slot] = (uint32_t)r->ngroups + 1;
		r->ngroups++;
		g->hash = h;
		g->plan = ev->plan;
		g->arch = ev->arch;
		g->nr = ev->nr;
		snprintf(g->decoded, sizeof(g->decoded), "%s", decoded);
		g->verdict = ev->verdict;
		g->compat_refused = ev->compat_refused;
		g->mismatch = ev->mismatch;
		memcpy(g->args, ev->args, sizeof(g->args));
		snprintf(g->comm, sizeof(g->comm), "%s", ev->comm);
	} else if (strcmp(g->comm, ev->comm) != 0) {
		g->many_comms = true;
	}
	/* The JSON has the first JSON_PER_GROUP events of each kind; the
	 * rest are in the counts (the "exit" object says how many). */
	if (r->json && g->count < JSON_PER_GROUP)
		json_event(r, ev);
	else if (r->json)
		r->json_suppressed++;
	g->count++;
	add_pid(g, ev->pid);
}

/* ---- text ---- */

/* Printable ASCII only: a comm is whatever the process chose. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
}

static void print_group(const struct report *r, const struct group *g, FILE *out)
{
	char buf[64], origin[400], fix[1000];

	fputs("stockade:   ", out);
	if (g->name)
		fputs(g->name, out);
	else
		fprintf(out, "syscall %d (%s)", g->nr, arch_name(g->arch, buf, sizeof(buf)));
	if (g->decoded[0])
		fprintf(out, "(%s)", g->decoded);
	if (g->compat_refused)
		fprintf(out, " [%s]", arch_name(g->arch, buf, sizeof(buf)));
	fprintf(out, " x%lu by ", g->count);
	put_clean(out, g->comm);
	if (g->npids == 1)
		fprintf(out, " (pid %d)", (int)g->pids[0]);
	else
		fprintf(out, "%s (%s%zu processes)", g->many_comms ? " and others" : "", g->many_pids ? "over " : "",
			g->npids);
	fprintf(out, ": %s%s from %s", r->mode == SK_NOTIFY_ERRNO ? "" : "would be ",
		action_text(g->verdict.action, buf, sizeof(buf)),
		sk_verdict_origin(g->plan, g->name, &g->verdict, g->compat_refused, origin, sizeof(origin)));
	if (g->verdict.reason)
		fprintf(out, " (%s)", g->verdict.reason);
	if (g->mismatch)
		fputs("; internal error: the plan allows this call, it was denied with EPERM", out);
	fprintf(out, "; fix: %s",
		fix_text(r, g->plan, g->name, g->args, &g->verdict, g->compat_refused, true, fix, sizeof(fix)));
	fputc('\n', out);
}

/* The calls that kill or trap, for "killed by the policy". */
static void print_killers(const stockade_plan *plan, FILE *out)
{
	size_t shown = 0, more = 0;
	bool kill_default = plan->default_action.type >= SK_ACT_TRAP;

	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		bool kills = sk_plan_entry_base(plan, e).type >= SK_ACT_TRAP;

		for (size_t k = 0; k < e->nrules && !kills; k++)
			kills = e->rules[k].action.type >= SK_ACT_TRAP;
		if (!kills)
			continue;
		if (shown < 8)
			fprintf(out, "%s%s", shown ? ", " : ": ", e->name);
		else
			more++;
		shown++;
	}
	if (more)
		fprintf(out, " and %zu more", more);
	if (kill_default)
		fprintf(out, "%sany call the policy does not name (default_action)", shown ? "; or " : ": ");
	if (plan->compat == SK_COMPAT_REFUSE)
		fprintf(out, "%sa 32-bit or x32 call (compat_arches: refuse)", shown || kill_default ? "; or " : ": ");
}

/* The kernel's Landlock ABI version, 0 if it has none (or it is disabled). */
static int landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1UL /* LANDLOCK_CREATE_RULESET_VERSION */);

	return abi > 0 ? (int)abi : 0;
#else
	return 0;
#endif
}

const char *report_landlock_note(const stockade_plan *plan, char *buf, size_t size)
{
	const struct sk_plan_access *sb = &plan->access;
	bool uses = sb->fs || sb->scope_signals || sb->scope_abstract;
	int abi;

	for (int d = 0; d < SK_TCP_NDIRS; d++)
		uses = uses || sb->ntcp[d];
	if (!uses)
		return NULL;
	abi = landlock_abi();
	if (abi <= 0)
		snprintf(buf, size, "Landlock denials are not reported on this system: the kernel has no Landlock");
	else if (abi < 7)
		snprintf(buf, size,
			 "Landlock denials (files, TCP ports: they fail with EACCES) are not reported on this system: "
			 "Landlock ABI %d has no audit records (ABI 7, Linux 6.15, has)",
			 abi);
	else
		snprintf(buf, size,
			 "Landlock denials (files, TCP ports: they fail with EACCES) are not in this report: Landlock "
			 "ABI %d records them only in the kernel audit log, which stockade does not read",
			 abi);
	return buf;
}

static void print_files_hint(FILE *out)
{
	fputs("stockade: the command failed; if a file access was refused (EACCES), `--report` lists each one "
	      "with the rule and the fix\n",
	      out);
}

void report_finish(struct report *r, const struct sk_supervise_result *res, FILE *out, bool quiet_if_clean)
{
	bool killed = res->phase == SK_SUP_RAN && WIFSIGNALED(res->wstatus) && WTERMSIG(res->wstatus) == SIGSYS;
	char note[400];
	const char *landlock = report_landlock_note(r->plan, note, sizeof(note));

	const struct sk_files_mediation *fm = r->files;
	unsigned long nfiles = fm ? fm->refused : 0;
	bool failed = res->phase != SK_SUP_RAN || !WIFEXITED(res->wstatus) || WEXITSTATUS(res->wstatus) != 0;

	if (fm && landlock) {
		snprintf(note, sizeof(note),
			 "file accesses are observed through the supervisor (%lu calls, %.1f us each on average); "
			 "TCP port denials are not in this report",
			 fm->observed, fm->observed ? (double)fm->ns / 1000.0 / (double)fm->observed : 0.0);
		landlock = note;
	}
	/* The default report does not observe files: when the command failed,
	 * one line says how to see them. */
	bool hint = out && landlock && !fm && failed && r->plan->access.fs;
	bool said = false;
	unsigned long nmed = r->mediated ? r->mediated->calls : 0;

	if (out && (r->events || nfiles || nmed || killed || res->orphans_sigsys || res->lingering ||
		    res->killed_leftovers || !quiet_if_clean)) {
		said = true;
		if (!r->events && nmed)
			; /* the supervisor's refusals follow */
		else if (!r->events)
			fprintf(out, "stockade: %s by policy %s\n",
				r->mode == SK_NOTIFY_ERRNO ? "report: no call was denied"
							   : "audit: no call would have been denied",
				r->policy);
		else if (r->mode == SK_NOTIFY_ERRNO)
			fprintf(out, "stockade: policy %s denied %lu call%s (%zu distinct):\n", r->policy, r->events,
				r->events == 1 ? "" : "s", r->ngroups);
		else
			fprintf(out,
				"stockade: audit: nothing was denied; policy %s would have denied %lu call%s (%zu "
				"distinct):\n",
				r->policy, r->events, r->events == 1 ? "" : "s", r->ngroups);
		for (size_t i = 0; i < r->ngroups && i < TEXT_GROUPS; i++) {
			struct name_seen *n = name_entry(r, r->groups[i].name, r->groups[i].arch);

			print_group(r, &r->groups[i], out);
			if (n)
				n->texted = true;
		}
		/* Past a screenful, still one line for each call not listed
		 * yet: many kinds of one call do not hide another. */
		for (size_t i = TEXT_GROUPS, extra = 0; i < r->ngroups && extra < TEXT_GROUPS; i++) {
			struct name_seen *n = name_entry(r, r->groups[i].name, r->groups[i].arch);

			if (!n || n->texted)
				continue;
			print_group(r, &r->groups[i], out);
			n->texted = true;
			extra++;
		}
		if (r->ngroups > TEXT_GROUPS) {
			unsigned long calls = 0;

			for (size_t i = TEXT_GROUPS; i < r->ngroups; i++)
				calls += r->groups[i].count;
			fprintf(out, "stockade:   and %zu more distinct denials (%lu calls)%s\n", r->ngroups - TEXT_GROUPS,
				calls, r->json ? ", in the JSON report" : "; --report-json lists them");
		}
		if (r->over_cap) {
			fprintf(out,
				"stockade:   and %lu more calls of kinds past the first %d distinct (%d per call): "
				"counted, not listed\n",
				r->over_cap, MAX_GROUPS, NAME_GROUPS);
			/* Calls with nothing listed are named all the same. */
			for (size_t i = 0; i < NAME_INDEX; i++)
				if (r->names[i].name && !r->names[i].groups && r->names[i].over) {
					fputs("stockade:     also denied: ", out);
					put_clean(out, r->names[i].name);
					fprintf(out, " (%lu call%s)\n", r->names[i].over, r->names[i].over == 1 ? "" : "s");
				}
		}
		mreport_text(r->mediated, out, r->mode != SK_NOTIFY_ERRNO);
		if (nfiles) {
			fprintf(out, "stockade: %s %lu file access%s (%zu distinct):\n",
				r->mode == SK_NOTIFY_ERRNO ? "Landlock refused" : "audit: the policy would refuse", nfiles,
				nfiles == 1 ? "" : "es", fm->n);
			report_files_text(fm, out, r->mode != SK_NOTIFY_ERRNO);
		}
		if (r->oom)
			fputs("stockade: (out of memory: some denials are missing from this report)\n", out);
		if (killed) {
			fputs("stockade: the command was killed by the policy (SIGSYS), by a call whose action is kill "
			      "or trap",
			      out);
			print_killers(r->plan, out);
			fputs("\n", out);
		}
		if (res->orphans_sigsys)
			fprintf(out, "stockade: %u of the command's processes were killed by the policy (SIGSYS)\n",
				res->orphans_sigsys);
		if (res->lingering)
			fprintf(out,
				"stockade: some of the command's processes outlived it; stockade-linger (pid %d) "
				"answers their calls until they exit%s\n",
				(int)res->linger_pid,
				r->json ? " (their denials go to the JSON report only)" : " (their denials are not reported)");
		if (res->killed_leftovers)
			fprintf(out,
				"stockade: %u of the command's processes were still running when it exited; killed, "
				"%s\n",
				res->killed_leftovers,
				r->mode == SK_NOTIFY_ERRNO ? "as a pid namespace's would be (without one, they would keep "
							     "this terminal)"
							   : "so none keeps audit's permissions");
		if (hint)
			print_files_hint(out);
		else if (landlock && fm && r->mode != SK_NOTIFY_ERRNO)
			fprintf(out,
				"stockade: %s; audit mode covers files too: Landlock refused only what the carve-outs "
				"(deny, read_only: credentials) refuse, the rest is what the policy would refuse; "
				"no_new_privs, the capability drop, namespaces and the network rules were enforced\n",
				landlock);
		else if (landlock)
			fprintf(out, "stockade: %s%s\n", landlock,
				r->mode == SK_NOTIFY_ERRNO ? "" : "; audit mode covers the seccomp filter only: the "
								  "Landlock rules were enforced");
	}
	if (hint && !said)
		print_files_hint(out);
	if (r->json) {
		struct sk_json_writer w = { 0 };

		if (fm)
			report_files_json(fm, r->json, r->mode != SK_NOTIFY_ERRNO);
		sk_jw_open(&w, '{');
		json_member(&w, "event", "exit");
		if (res->phase == SK_SUP_RAN && WIFEXITED(res->wstatus)) {
			sk_jw_key(&w, "status");
			sk_jw_int(&w, WEXITSTATUS(res->wstatus));
		}
		if (res->phase == SK_SUP_RAN && WIFSIGNALED(res->wstatus)) {
			const char *sig = sk_signal_name(WTERMSIG(res->wstatus));

			json_member(&w, "signal", sig ? sig : "SIG?");
		}
		if (res->phase == SK_SUP_EXEC_FAILED) {
			sk_jw_key(&w, "exec_errno");
			sk_jw_int(&w, res->exec_errno);
		}
		sk_jw_key(&w, "killed_by_policy");
		sk_jw_bool(&w, killed);
		sk_jw_key(&w, "denials");
		sk_jw_int(&w, (long long)r->events);
		sk_jw_key(&w, "distinct");
		sk_jw_int(&w, (long long)r->ngroups);
		sk_jw_key(&w, "not_listed");
		sk_jw_int(&w, (long long)r->over_cap);
		sk_jw_key(&w, "json_suppressed");
		sk_jw_int(&w, (long long)r->json_suppressed);
		/* The supervisor's refusals ("mediated" events). */
		sk_jw_key(&w, "mediated_denials");
		sk_jw_int(&w, (long long)nmed);
		sk_jw_key(&w, "mediated_distinct");
		sk_jw_int(&w, (long long)(r->mediated ? r->mediated->n : 0));
		if (fm) {
			sk_jw_key(&w, "file_denials");
			sk_jw_int(&w, (long long)nfiles);
			sk_jw_key(&w, "file_distinct");
			sk_jw_int(&w, (long long)fm->n);
		}
		sk_jw_key(&w, "fallbacks");
		sk_jw_int(&w, (long long)r->fallbacks);
		sk_jw_key(&w, "lingering");
		sk_jw_bool(&w, res->lingering);
		sk_jw_key(&w, "killed_leftovers");
		sk_jw_int(&w, res->killed_leftovers);
		if (landlock)
			json_member(&w, "landlock", landlock);
		sk_jw_close(&w, '}');
		json_line(r, &w);
	}
}
