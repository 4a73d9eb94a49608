/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: `stockade compile --format oci-config` in crun.
 *
 * The fragment is merged into the config.json `crun spec` writes, the way
 * docs/artifacts.md says (namespaces and masked paths added to the
 * config's, each capability set intersected with it, the rest replaced),
 * by a python3 program here; where jq is installed, the jq program of
 * docs/artifacts.md must give the same config.  The base config is given
 * every capability of our bounding set first, so that what the container
 * holds is the fragment's doing.  The container (the consumer tests'
 * rootfs, test_consumers.c, with an /etc/shadow) prints its
 * /proc/self/status capability sets, NoNewPrivs and Seccomp, what it reads
 * of /etc/shadow and /sys/kernel, its pid and cgroup namespace, and runs
 * the probe's calls.  The same container without the fragment is the
 * baseline.  Checked: the capability sets are the policy's kept set (of
 * ours), inheritable and ambient empty, no_new_privs and a filter, the
 * masked paths empty, pid 1 and a cgroup namespace of its own, and every
 * call the policy's verdict.
 *
 * Skipped with the reason where crun, python3 or the rootfs cannot be
 * had, or crun cannot run as this user.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "consumers.h"
#include "live_util.h"
#include "plan/plan.h"
#include "tables/tables.h"

/* The merge of docs/artifacts.md, in python3; argv: CONFIG FRAGMENT|-
 * ROOTFS CAPS [JQ-PROGRAM].  CONFIG is `crun spec`'s, made to run
 * /check.sh in ROOTFS with CAPS (comma-separated), then merged in place. */
static const char merge_py[] =
	"import json, shutil, subprocess, sys\n"
	"cfg_path, frag_path, rootfs, caps = sys.argv[1:5]\n"
	"cfg = json.load(open(cfg_path))\n"
	"p = cfg['process']\n"
	"p['terminal'] = False\n"
	"p['args'] = ['/bin/sh', '/check.sh']\n"
	"p['env'] = ['PATH=/bin', 'PROBE=/probe']\n"
	"for s in ('bounding', 'effective', 'permitted'):\n"
	"    p['capabilities'][s] = caps.split(',')\n"
	"cfg['root'] = {'path': rootfs, 'readonly': True}\n"
	"# crun 1.8 and a hybrid cgroup layout: no cgroup mount, no resources\n"
	"cfg['mounts'] = [m for m in cfg['mounts'] if m['destination'] != '/sys/fs/cgroup']\n"
	"cfg.get('linux', {}).pop('resources', None)\n"
	"base = json.loads(json.dumps(cfg))\n"
	"def merge(c, f, path):\n"
	"    for k, v in f.items():\n"
	"        at = path + '.' + k\n"
	"        if at == '.linux.namespaces':\n"
	"            have = [n['type'] for n in c.get(k, [])]\n"
	"            c[k] = c.get(k, []) + [n for n in v if n['type'] not in have]\n"
	"        elif at == '.linux.maskedPaths':\n"
	"            c[k] = c.get(k, []) + [x for x in v if x not in c.get(k, [])]\n"
	"        elif at == '.process.capabilities':\n"
	"            old = c.get(k, {})\n"
	"            c[k] = {s: [x for x in v[s] if x in old.get(s, [])] for s in v}\n"
	"        elif isinstance(v, dict) and isinstance(c.get(k), dict):\n"
	"            merge(c[k], v, at)\n"
	"        else:\n"
	"            c[k] = v\n"
	"if frag_path != '-':\n"
	"    merge(cfg, json.load(open(frag_path)), '')\n"
	"    jq = shutil.which('jq')\n"
	"    if len(sys.argv) > 5 and jq:\n"
	"        out = subprocess.run([jq, '-s', sys.argv[5], '/dev/stdin', frag_path], input=json.dumps(base),\n"
	"                             capture_output=True, text=True, check=True).stdout\n"
	"        if json.loads(out) != cfg:\n"
	"            sys.exit('the jq merge of docs/artifacts.md gives another config than python3')\n"
	"        print('jq agrees')\n"
	"json.dump(cfg, open(cfg_path, 'w'), indent=1)\n";

/* Run in the container before the probe's calls. */
static const char check_sh[] =
	"b=/bin/busybox\n"
	"while read k v rest; do case $k in CapInh:|CapPrm:|CapEff:|CapBnd:|CapAmb:|NoNewPrivs:|Seccomp:) "
	"echo \"S $k $v\";; esac; done </proc/self/status\n"
	"echo \"S shadow: $($b wc -c </etc/shadow 2>/dev/null || echo none)\"\n"
	"echo \"S kernel: $($b ls /sys/kernel 2>/dev/null | $b wc -l)\"\n"
	"echo \"S pid: $$\"\n"
	"echo \"S cgroupns: $($b readlink /proc/self/ns/cgroup)\"\n"
	". /run.sh\n";

/* The jq program docs/artifacts.md gives (the text between `jq -s '` and
 * the next `'`), or NULL if the docs are not here. */
static char *docs_jq_program(void)
{
	char *docs = read_file("docs/artifacts.md"), *at = docs ? strstr(docs, "jq -s '") : NULL, *end;
	char *prog = NULL;

	if (at && (end = strchr(at + 7, '\'')))
		prog = strndup(at + 7, (size_t)(end - at - 7));
	free(docs);
	return prog;
}

/* The value after "S key " in the container's output, or "". */
static const char *reported(const char *out, const char *key, char *buf, size_t size)
{
	char k[64];
	const char *p;
	size_t n = 0;

	snprintf(k, sizeof(k), "S %s ", key);
	buf[0] = 0;
	for (p = out; (p = strstr(p, k)); p++)
		if (p == out || p[-1] == '\n') {
			p += strlen(k);
			while (p[n] && p[n] != '\n' && n + 1 < size)
				n++;
			memcpy(buf, p, n);
			buf[n] = 0;
			break;
		}
	return buf;
}

/* `crun spec`, merged with `frag` (NULL: none), run; false if a step failed
 * (with the reason in r->out). */
static bool crun_config(struct fixture *fx, const char *name, const char *frag, const char *jq, struct run *r)
{
	char bundle[700], config[800], merge[700], state[700], id[64], cmd[3000], caps[2048];
	static int seq;

	bounding_caps(caps, sizeof(caps));
	/* the JSON list as a comma list */
	for (char *s = caps, *d = caps;; s++) {
		if (*s != '[' && *s != ']' && *s != '"' && *s != ' ')
			*d++ = *s;
		if (!*s)
			break;
	}
	snprintf(bundle, sizeof(bundle), "%s/%s", fx->dir, name);
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	snprintf(merge, sizeof(merge), "%s/merge.py", fx->dir);
	snprintf(state, sizeof(state), "%s/crun-state", fx->dir);
	snprintf(id, sizeof(id), "stockade-config-%d-%d", (int)getpid(), seq++);
	mkdir(bundle, 0755);
	mkdir(state, 0700);
	{
		const char *argv[] = { "crun", "spec", NULL };
		run_in(bundle, argv, -1, r);
		if (r->outcome != 0)
			return false;
	}
	{
		const char *argv[] = { "python3", merge, config, frag ? frag : "-", fx->rootfs, caps, jq, NULL };
		run_in(NULL, argv, -1, r);
		if (r->outcome != 0)
			return false;
		if (strstr(r->out, "jq agrees"))
			printf("  %s: the jq merge of docs/artifacts.md gives the same config\n", name);
	}
	snprintf(cmd, sizeof(cmd), "%s exec crun --root '%s' run --bundle '%s' '%s'",
		 fx->hybrid_cgroups ? "mount -t tmpfs stockade-test /sys/fs/cgroup/unified &&" : "", state, bundle, id);
	if (fx->hybrid_cgroups) {
		const char *argv[] = { "unshare", "-m", "--propagation", "private", "sh", "-c", cmd, NULL };
		run_in(NULL, argv, -1, r);
	} else {
		const char *argv[] = { "sh", "-c", cmd, NULL };
		run_in(NULL, argv, -1, r);
	}
	return r->outcome == 0;
}

TEST(consumer_crun_oci_config_fragment)
{
	static struct run base, got, comp;
	struct fixture fx;
	stockade_plan *plan = NULL;
	char path[1200], frag[700], buf[128], want[64], host_ns[64] = "";
	char *jq = NULL, *status = NULL, *line;
	unsigned long long bnd = 0, keep, v;
	size_t compared = 0;

	if (!fixture_init(&fx))
		return;
	if (fx.skip[C_CRUN] || !exists_in_path("python3")) {
		static char reason[700];
		snprintf(reason, sizeof(reason), "%s", fx.skip[C_CRUN] ? fx.skip[C_CRUN] : "python3 is not installed");
		fixture_free(&fx);
		SKIP(reason);
	}
	snprintf(path, sizeof(path), "%s/merge.py", fx.dir);
	CHECK(write_file(path, merge_py));
	snprintf(path, sizeof(path), "%s/check.sh", fx.rootfs);
	CHECK(write_file(path, check_sh));
	for (const char *const *d = (const char *const[]){ "etc", "sys", "etc/ssl", NULL }; *d; d++) {
		snprintf(path, sizeof(path), "%s/%s", fx.rootfs, *d);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/etc/shadow", fx.rootfs);
	CHECK(write_file(path, "root:SECRET:19000::::::\n"));
	jq = docs_jq_program();
	if (!jq)
		printf("  (docs/artifacts.md is not here: its jq merge is not compared)\n");

	if (!crun_config(&fx, "baseline", NULL, NULL, &base) || !strstr(base.out, "R getpid = 0")) {
		static char reason[700];
		snprintf(reason, sizeof(reason), "crun cannot run `crun spec`'s config here (status %d): %.400s",
			 base.outcome, base.out);
		fixture_free(&fx);
		free(jq);
		SKIP(reason);
	}
	/* The baseline reads what the fragment masks: the test can fail. */
	CHECK_MSG(strcmp(reported(base.out, "shadow:", buf, sizeof(buf)), "24") == 0, "baseline /etc/shadow: %s", buf);
	CHECK_MSG(atoi(reported(base.out, "kernel:", buf, sizeof(buf))) > 0, "baseline /sys/kernel: %s", buf);

	plan = preset_plan("agent");
	CHECK(plan && plan->access.caps);
	snprintf(frag, sizeof(frag), "%s/agent-config.json", fx.dir);
	{
		const char *argv[] = { stockade_bin(), "compile", "--preset", "agent", "--format", "oci-config", "--lossy",
				       "-o", frag, NULL };
		run_in(NULL, argv, -1, &comp);
		CHECK_MSG(comp.outcome == 0, "stockade compile --format oci-config: status %d: %s", comp.outcome, comp.out);
	}
	CHECK_MSG(crun_config(&fx, "agent", frag, jq, &got), "crun with the fragment: status %d: %s", got.outcome,
		  got.out);
	if (!plan || got.outcome != 0)
		goto out;

	/* The kept set, of what we have; nothing inheritable or ambient. */
	status = read_file("/proc/self/status");
	line = status ? strstr(status, "CapBnd:") : NULL;
	bnd = line ? strtoull(line + 7, NULL, 16) : 0;
	keep = plan->access.caps_keep & bnd;
	CHECK(keep != 0 && keep != bnd);
	for (const char *const *k = (const char *const[]){ "CapBnd:", "CapPrm:", "CapEff:", NULL }; *k; k++) {
		v = strtoull(reported(got.out, *k, buf, sizeof(buf)), NULL, 16);
		printf("  %s %016llx (kept set %016llx)\n", *k, v, keep);
		CHECK_MSG(v == keep && buf[0], "%s %s, the policy keeps %016llx", *k, buf, keep);
	}
	CHECK_MSG(strtoull(reported(got.out, "CapInh:", buf, sizeof(buf)), NULL, 16) == 0 && buf[0], "CapInh %s", buf);
	CHECK_MSG(strtoull(reported(got.out, "CapAmb:", buf, sizeof(buf)), NULL, 16) == 0 && buf[0], "CapAmb %s", buf);
	CHECK_MSG(!strcmp(reported(got.out, "NoNewPrivs:", buf, sizeof(buf)), "1"), "NoNewPrivs %s", buf);
	CHECK_MSG(!strcmp(reported(got.out, "Seccomp:", buf, sizeof(buf)), "2"), "Seccomp %s", buf);
	/* Masked: /dev/null over the file, an empty tmpfs over the directory. */
	CHECK_MSG(!strcmp(reported(got.out, "shadow:", buf, sizeof(buf)), "0"), "/etc/shadow: %s bytes", buf);
	CHECK_MSG(!strcmp(reported(got.out, "kernel:", buf, sizeof(buf)), "0"), "/sys/kernel: %s entries", buf);
	/* Its own pid and cgroup namespaces (crun spec's config has no cgroup one). */
	CHECK_MSG(!strcmp(reported(got.out, "pid:", buf, sizeof(buf)), "1"), "pid %s", buf);
	if (readlink("/proc/self/ns/cgroup", host_ns, sizeof(host_ns) - 1) < 0)
		host_ns[0] = 0;
	CHECK_MSG(!strcmp(reported(base.out, "cgroupns:", buf, sizeof(buf)), host_ns), "baseline cgroup ns %s, ours %s",
		  buf, host_ns);
	CHECK_MSG(strcmp(reported(got.out, "cgroupns:", buf, sizeof(buf)), host_ns) != 0 && buf[0],
		  "the container's cgroup namespace is ours (%s)", buf);
	/* Every call as the policy says, against the baseline's answers. */
	for (size_t k = 0; k < ncalls; k++) {
		int bs = status_of(base.out, &calls[k]), st = status_of(got.out, &calls[k]);
		char gv[48], bv[48];

		expected(plan, &calls[k], want, sizeof(want));
		verdict(st, bs, gv, sizeof(gv));
		verdict(bs, -2, bv, sizeof(bv));
		printf("  %-31s %-18s %s\n", calls[k].probe, want, strcmp(want, "allow") && !strcmp(want, bv)
								       ? "(as unconfined)" : gv);
		if (strcmp(want, "allow") != 0 && !strcmp(want, bv))
			continue;
		compared++;
		CHECK_MSG(!strcmp(gv, want), "%s: %s (status %d, unconfined %d), the policy says %s", calls[k].probe, gv,
			  st, bs, want);
	}
	CHECK(compared > 5);
out:
	free(status);
	free(jq);
	stockade_plan_free(plan);
	fixture_free(&fx);
}
