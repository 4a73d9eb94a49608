/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI / Docker seccomp profile -> policy layer.
 *
 * A profile means what runc and crun make of it after Docker or Podman have
 * resolved it for one machine, so that is what this computes:
 *
 *  - `includes` / `excludes` are evaluated as Docker does (oci_resolve.c): `arches` against
 *    the target architecture's Docker name (amd64, arm64, x86, x32), `caps`
 *    against a capability set (Docker's default unless the policy says
 *    otherwise; excludes.caps drops an entry if *any* listed cap is present,
 *    includes.caps keeps it only if *all* are), `minKernel` against the
 *    running kernel's "major.minor";
 *  - `archMap` keeps the entry of the target architecture; the architectures
 *    a profile lists become `compat_arches: filter` when they cover every
 *    other entry point of the target, `refuse` otherwise (OCI runtimes kill
 *    the calling thread there; stockade kills the process);
 *  - entries whose action equals the default are dropped (runc and crun skip
 *    them; libseccomp refuses them);
 *  - for one syscall, the first entry without arguments decides it outright:
 *    libseccomp keeps the first unconditional rule and silently ignores every
 *    conditional rule (and later unconditional rule) for the same call;
 *  - otherwise the entries are ORed.  Two conditional entries of different
 *    actions that can match the same call are an error: libseccomp decides
 *    such overlaps by its own tree order (or refuses identical ones), so the
 *    profile has no meaning of its own there;
 *  - arguments of one entry are ANDed, except that two conditions on the same
 *    argument make one rule per condition (an OR), as runc and crun do;
 *  - names libseccomp does not know are skipped, as runc and crun skip them,
 *    and listed in the layer's description.
 *
 * Every key of the OCI schema that runc or crun reads, plus Docker's
 * (archMap, includes, excludes, name, comment) and containers/common's
 * (errno, defaultErrno) is understood; anything else is an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "policy/oci.h"
#include "policy/oci_import.h"

#define MAX_PROFILE_BYTES (4 * 1024 * 1024)

int sk_oci_at(struct importer *im, int line, int column, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return sk_error(im->err, ENOMEM, "out of memory");
	return sk_error_at(im->err, EINVAL, im->file, im->text, line, column, "%s:%d:%d: %s", im->file, line, column,
			   msg);
}

int sk_oci_check_keys(struct importer *im, const struct sk_json *o, const char *where, const char *const *keys)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct sk_json_member *m = &o->members[i];
		const char *best;
		bool ok = false;

		for (size_t k = 0; keys[k] && !ok; k++)
			ok = strcmp(keys[k], m->key) == 0;
		if (ok)
			continue;
		best = stockade_suggest(m->key, keys, SIZE_MAX);
		if (best)
			return sk_oci_at(im, m->line, m->column, "unknown key `%s` in %s, did you mean `%s`?", m->key,
					 where, best);
		return sk_oci_at(im, m->line, m->column,
				 "unknown key `%s` in %s (stockade reads the OCI and Docker seccomp profile keys only)",
				 m->key, where);
	}
	return 0;
}

int sk_oci_expect(struct importer *im, const struct sk_json *v, enum sk_json_type t, const char *what)
{
	if (v->type == t)
		return 0;
	return AT(v, "%s must be %s, not %s", what, sk_json_type_name(t), sk_json_type_name(v->type));
}

static int expect_uint(struct importer *im, const struct sk_json *v, const char *what, uint64_t max,
		       uint64_t *out)
{
	if (v->type != SK_JSON_NUMBER || !v->is_uint)
		return AT(v, "%s must be an unsigned integer", what);
	if (v->uint > max)
		return AT(v, "%s must be at most %llu", what, (unsigned long long)max);
	*out = v->uint;
	return 0;
}

/* A list of strings (null counts as empty). */
int sk_oci_expect_strings(struct importer *im, const struct sk_json *v, const char *what)
{
	if (v->type == SK_JSON_NULL)
		return 0;
	if (v->type != SK_JSON_ARRAY)
		return AT(v, "%s must be an array of strings, not %s", what, sk_json_type_name(v->type));
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i].type != SK_JSON_STRING)
			return AT(&v->items[i], "%s must contain strings only, not %s", what,
				  sk_json_type_name(v->items[i].type));
	return 0;
}

/* An action with its errno: `action`, `errnoRet`, and containers/common's
 * `errno` (a name).  `where` prefixes messages ("defaultAction"). */
static int parse_action(struct importer *im, const struct sk_json *act, const struct sk_json *ret_v,
			const struct sk_json *name_v, const char *ret_key, struct sk_action *out)
{
	static const struct {
		const char *name;
		enum sk_action_type type;
	} map[] = {
		{ "SCMP_ACT_ALLOW", SK_ACT_ALLOW },	      { "SCMP_ACT_LOG", SK_ACT_LOG },
		{ "SCMP_ACT_ERRNO", SK_ACT_ERRNO },	      { "SCMP_ACT_TRAP", SK_ACT_TRAP },
		/* libseccomp's SCMP_ACT_KILL is SECCOMP_RET_KILL_THREAD */
		{ "SCMP_ACT_KILL", SK_ACT_KILL_THREAD },    { "SCMP_ACT_KILL_THREAD", SK_ACT_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SK_ACT_KILL_PROCESS },
	};
	bool found = false;
	uint64_t num = 0;
	int named = 0;

	if (sk_oci_expect(im, act, SK_JSON_STRING, "an action") < 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(act->str, map[i].name) == 0) {
			*out = (struct sk_action){ .type = map[i].type };
			found = true;
		}
	}
	if (!found) {
		if (!strcmp(act->str, "SCMP_ACT_TRACE"))
			return AT(act, "SCMP_ACT_TRACE hands the call to a ptrace tracer, and stockade runs none; use "
				  "SCMP_ACT_ERRNO or SCMP_ACT_TRAP");
		if (!strcmp(act->str, "SCMP_ACT_NOTIFY"))
			return AT(act, "SCMP_ACT_NOTIFY needs a supervisor on a listener socket, and stockade runs "
				  "none; use SCMP_ACT_ERRNO or SCMP_ACT_TRAP");
		return AT(act, "unknown action `%s`; one of SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_ERRNO, "
			  "SCMP_ACT_TRAP, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS", act->str);
	}
	if (ret_v && ret_v->type == SK_JSON_NULL)
		ret_v = NULL;
	if (name_v && name_v->type == SK_JSON_NULL)
		name_v = NULL;
	if ((ret_v || name_v) && out->type != SK_ACT_ERRNO) {
		const struct sk_json *v = ret_v ? ret_v : name_v;
		return AT(v, "an errno is given for `%s`, which returns none (only SCMP_ACT_ERRNO does)", act->str);
	}
	if (out->type != SK_ACT_ERRNO)
		return 0;
	out->errnum = EPERM; /* runc and crun: SCMP_ACT_ERRNO alone means EPERM */
	if (ret_v) {
		if (expect_uint(im, ret_v, ret_key, 4095, &num) < 0)
			return -EINVAL;
		if (num == 0)
			return AT(ret_v, "%s 0 makes the call return 0 without running it; stockade cannot express "
				  "that (use SCMP_ACT_ALLOW, or a real errno)", ret_key);
		out->errnum = (int)num;
	}
	if (name_v) {
		if (sk_oci_expect(im, name_v, SK_JSON_STRING, "an errno name") < 0)
			return -EINVAL;
		if (sk_errno_lookup(name_v->str, &named) < 0)
			return AT(name_v, "unknown errno name `%s`", name_v->str);
		if (ret_v && named != out->errnum)
			return AT(name_v, "errno `%s` (%d) contradicts %s %d", name_v->str, named, ret_key,
				  out->errnum);
		out->errnum = named;
	}
	return 0;
}

static int parse_arg(struct importer *im, const struct sk_json *a, struct sk_cond *c)
{
	static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
	static const struct {
		const char *name;
		enum sk_op op;
	} ops[] = {
		{ "SCMP_CMP_NE", SK_OP_NE }, { "SCMP_CMP_LT", SK_OP_LT }, { "SCMP_CMP_LE", SK_OP_LE },
		{ "SCMP_CMP_EQ", SK_OP_EQ }, { "SCMP_CMP_GE", SK_OP_GE }, { "SCMP_CMP_GT", SK_OP_GT },
		{ "SCMP_CMP_MASKED_EQ", SK_OP_MASKED_EQ },
	};
	const struct sk_json *index, *value, *two, *op;
	uint64_t idx = 0, val = 0, val2 = 0;
	bool found = false;

	if (sk_oci_expect(im, a, SK_JSON_OBJECT, "an argument condition") < 0 ||
	    sk_oci_check_keys(im, a, "an argument condition", keys) < 0)
		return -EINVAL;
	index = sk_json_get(a, "index");
	value = sk_json_get(a, "value");
	two = sk_json_get(a, "valueTwo");
	op = sk_json_get(a, "op");
	if (!index || !value || !op)
		return AT(a, "an argument condition needs `index`, `value` and `op`");
	if (expect_uint(im, index, "index", SK_MAX_ARGS - 1, &idx) < 0 ||
	    expect_uint(im, value, "value", UINT64_MAX, &val) < 0 ||
	    (two && expect_uint(im, two, "valueTwo", UINT64_MAX, &val2) < 0) ||
	    sk_oci_expect(im, op, SK_JSON_STRING, "op") < 0)
		return -EINVAL;
	*c = (struct sk_cond){ .arg = (uint8_t)idx };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strcmp(op->str, ops[i].name) == 0) {
			c->op = (uint8_t)ops[i].op;
			found = true;
		}
	}
	if (!found)
		return AT(op, "unknown comparison `%s`; one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
			  "SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ", op->str);
	/* libseccomp: MASKED_EQ is (arg & value) == valueTwo; the other
	 * comparisons ignore valueTwo. */
	if (c->op == SK_OP_MASKED_EQ) {
		c->mask = val;
		c->value = val2;
	} else {
		c->value = val;
	}
	return 0;
}

static int push_record(struct importer *im, const struct record *r)
{
	if (im->nrecs == im->cap) {
		size_t ncap = im->cap ? im->cap * 2 : 256;
		struct record *n = realloc(im->recs, ncap * sizeof(*n));
		if (!n)
			return sk_error(im->err, ENOMEM, "out of memory");
		im->recs = n;
		im->cap = ncap;
	}
	im->recs[im->nrecs] = *r;
	im->recs[im->nrecs].seq = im->nrecs;
	im->nrecs++;
	return 0;
}

static int note_unknown(struct importer *im, const char *name)
{
	const char **n;

	for (size_t i = 0; i < im->nunknown; i++)
		if (strcmp(im->unknown[i], name) == 0)
			return 0;
	n = realloc(im->unknown, (im->nunknown + 1) * sizeof(*n));
	if (!n)
		return sk_error(im->err, ENOMEM, "out of memory");
	im->unknown = n;
	im->unknown[im->nunknown++] = name;
	return 0;
}

static int parse_entry(struct importer *im, const struct sk_json *s, size_t index)
{
	static const char *const keys[] = { "names",	"name",	    "action",	"errnoRet", "errno",
					    "args",	"comment",  "includes", "excludes", NULL };
	const struct sk_json *names = sk_json_get(s, "names"), *name = sk_json_get(s, "name");
	const struct sk_json *act = sk_json_get(s, "action"), *args = sk_json_get(s, "args");
	const struct sk_json *comment = sk_json_get(s, "comment");
	const struct sk_json *inc = sk_json_get(s, "includes"), *exc = sk_json_get(s, "excludes");
	struct sk_cond conds[SK_MAX_ARGS];
	struct sk_action action;
	size_t nconds = 0;
	unsigned seen = 0;
	bool same_arg = false;
	int inc_maj, inc_min, exc_maj, exc_min;
	char where[48];

	snprintf(where, sizeof(where), "syscalls[%zu]", index);
	if (sk_oci_expect(im, s, SK_JSON_OBJECT, where) < 0 || sk_oci_check_keys(im, s, where, keys) < 0)
		return -EINVAL;
	if (names && names->type == SK_JSON_NULL)
		names = NULL;
	if (name && name->type == SK_JSON_NULL)
		name = NULL;
	if (names && name)
		return AT(name, "%s has both `name` and `names`; use one", where);
	if (!names && !name)
		return AT(s, "%s names no syscall (`names`)", where);
	if (names && sk_oci_expect_strings(im, names, "names") < 0)
		return -EINVAL;
	if (name && sk_oci_expect(im, name, SK_JSON_STRING, "name") < 0)
		return -EINVAL;
	if (!act)
		return AT(s, "%s has no `action`", where);
	if (parse_action(im, act, sk_json_get(s, "errnoRet"), sk_json_get(s, "errno"), "errnoRet", &action) < 0)
		return -EINVAL;
	if (comment && comment->type != SK_JSON_NULL && sk_oci_expect(im, comment, SK_JSON_STRING, "comment") < 0)
		return -EINVAL;
	if (sk_oci_parse_filter(im, inc, "includes", &inc_maj, &inc_min) < 0 ||
	    sk_oci_parse_filter(im, exc, "excludes", &exc_maj, &exc_min) < 0)
		return -EINVAL;
	if (args && args->type != SK_JSON_NULL) {
		if (sk_oci_expect(im, args, SK_JSON_ARRAY, "args") < 0)
			return -EINVAL;
		if (args->n > SK_MAX_ARGS)
			return AT(args, "%s has %zu argument conditions; runc and crun read at most %d", where, args->n,
				  SK_MAX_ARGS);
		for (size_t i = 0; i < args->n; i++) {
			if (parse_arg(im, &args->items[i], &conds[nconds]) < 0)
				return -EINVAL;
			if (seen & (1u << conds[nconds].arg))
				same_arg = true;
			seen |= 1u << conds[nconds].arg;
			nconds++;
		}
	}
	for (size_t i = 0; names && i < names->n; i++)
		if (!names->items[i].str[0])
			return AT(&names->items[i], "an empty syscall name");
	if (name && !name->str[0])
		return AT(name, "an empty syscall name");

	if (!sk_oci_entry_applies(im, inc, exc, inc_maj, inc_min, exc_maj, exc_min)) {
		im->filtered++;
		return 0;
	}
	if (sk_action_eq(action, im->def)) {
		im->restated++;
		return 0;
	}
	im->applied++;
	for (size_t k = 0; k < (names ? names->n : 1); k++) {
		const char *sys = names ? names->items[k].str : name->str;
		const struct sk_json *pos = names ? &names->items[k] : name;

		if (!sk_syscall_known(sys)) {
			if (note_unknown(im, sys) < 0)
				return -ENOMEM;
			continue;
		}
		/* One rule per condition when two share an argument (runc and
		 * crun: "revert to old behaviour"), else one ANDed rule. */
		for (size_t alt = 0; alt < (same_arg ? nconds : 1); alt++) {
			struct record r = {
				.name = sys,
				.entry = index,
				.line = pos->line,
				.column = pos->column,
				.action = action,
				.uncond = nconds == 0,
				.comment = comment && comment->type == SK_JSON_STRING && comment->str[0] ? comment->str
													: NULL,
			};
			if (same_arg) {
				r.conds[0] = conds[alt];
				r.nconds = 1;
			} else {
				memcpy(r.conds, conds, sizeof(conds));
				r.nconds = nconds;
			}
			if (push_record(im, &r) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int import(struct importer *im, const struct sk_json *root)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "defaultErrno",	  "architectures",
					    "archMap",	     "flags",		"listenerPath",	  "listenerMetadata",
					    "syscalls",	     NULL };
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					     "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
	struct sk_layer *l = im->layer;
	const struct sk_json *v, *def, *calls;
	char note[160];
	int ret;

	if (root->type != SK_JSON_OBJECT)
		return AT(root, "a seccomp profile is a JSON object (defaultAction, syscalls, ...), not %s",
			  sk_json_type_name(root->type));
	if (sk_oci_check_keys(im, root, "the profile", keys) < 0)
		return -EINVAL;
	def = sk_json_get(root, "defaultAction");
	if (!def)
		return AT(root, "the profile has no `defaultAction`");
	if (parse_action(im, def, sk_json_get(root, "defaultErrnoRet"), sk_json_get(root, "defaultErrno"),
			 "defaultErrnoRet", &im->def) < 0)
		return -EINVAL;
	l->default_set = true;
	l->default_action = im->def;
	l->default_at = (struct sk_origin){ .file = l->file, .line = def->line, .column = def->column };
	l->enabled_set = true;
	l->enabled = true;

	if ((v = sk_json_get(root, "flags"))) {
		if (sk_oci_expect_strings(im, v, "flags") < 0)
			return -EINVAL;
		/* They change how the filter is loaded and logged, not what
		 * it decides. */
		for (size_t i = 0; v->type == SK_JSON_ARRAY && i < v->n; i++) {
			bool known = false;
			for (size_t k = 0; flags[k]; k++)
				known |= !strcmp(flags[k], v->items[i].str);
			if (!known)
				return AT(&v->items[i], "unknown seccomp flag `%s`", v->items[i].str);
		}
	}
	for (const char *const *k = (const char *const[]){ "listenerPath", "listenerMetadata", NULL }; *k; k++) {
		if (!(v = sk_json_get(root, *k)) || v->type == SK_JSON_NULL)
			continue;
		if (sk_oci_expect(im, v, SK_JSON_STRING, *k) < 0)
			return -EINVAL;
		if (v->str[0])
			return AT(v, "`%s` is for SCMP_ACT_NOTIFY supervisors, which stockade does not run", *k);
	}

	l->compat_set = true;
	l->compat_at = (struct sk_origin){ .file = l->file, .line = root->line, .column = root->column };
	ret = sk_oci_parse_arches(im, root, &l->compat_at, &l->compat, note, sizeof(note));
	if (ret < 0)
		return ret;

	calls = sk_json_get(root, "syscalls");
	if (calls && calls->type != SK_JSON_NULL) {
		if (sk_oci_expect(im, calls, SK_JSON_ARRAY, "syscalls") < 0)
			return -EINVAL;
		for (size_t i = 0; i < calls->n; i++)
			if ((ret = parse_entry(im, &calls->items[i], i)) < 0)
				return ret;
	}
	if (im->nrecs) /* qsort(NULL, 0) is undefined (found by fuzz_oci) */
		if (im->nrecs)
		qsort(im->recs, im->nrecs, sizeof(*im->recs), sk_oci_cmp_record);
	for (size_t i = 0; i < im->nrecs;) {
		size_t j = i;
		while (j < im->nrecs && strcmp(im->recs[j].name, im->recs[i].name) == 0)
			j++;
		if ((ret = sk_oci_resolve_syscall(im, i, j)) < 0)
			return ret;
		i = j;
	}

	/* What was made of it, for `show` and `explain`. */
	{
		struct sk_buf b = { 0 };
		const char *caps = im->env->caps == sk_docker_default_caps ? "Docker's default capabilities"
				   : im->env->caps == 0					? "no capabilities"
											: "the capabilities given";
		sk_buf_printf(&b, "OCI seccomp profile %s, resolved for %s, %s, kernel %d.%d: %zu entries apply, %zu "
			      "are left out by includes/excludes, %zu restate the default.%s",
			      im->file, stockade_arch_name(im->env->arch), caps, im->env->kernel_major,
			      im->env->kernel_minor, im->applied, im->filtered, im->restated, note);
		if (im->nunknown) {
			sk_buf_printf(&b, " Not system calls of x86_64, i386, x32 or aarch64 to stockade, skipped "
				      "(runc and crun skip the names libseccomp does not know):");
			for (size_t i = 0; i < im->nunknown; i++)
				sk_buf_printf(&b, "%s %s", i ? "," : "", im->unknown[i]);
			sk_buf_printf(&b, ".");
		}
		if (b.failed) {
			free(b.data);
			return sk_error(im->err, ENOMEM, "out of memory");
		}
		l->description = b.data;
	}
	return 0;
}

int sk_oci_import(const char *file, const char *text, size_t len, const struct sk_oci_env *env,
		  struct sk_layer **out, stockade_error **err)
{
	struct importer im = { .file = file, .text = text, .env = env, .err = err };
	struct sk_json root;
	struct sk_json_error jerr;
	const char *base;
	int ret;

	*out = NULL;
	if (!sk_docker_arch_name(env->arch))
		return sk_error(err, EINVAL, "OCI profiles cannot be resolved for architecture 0x%x", env->arch);
	im.layer = calloc(1, sizeof(*im.layer));
	if (!im.layer || !(im.layer->file = strdup(file)) || !(im.layer->text = strndup(text, len))) {
		sk_layer_free(im.layer);
		return sk_error(err, ENOMEM, "out of memory");
	}
	im.file = im.layer->file;
	im.text = im.layer->text;
	base = strrchr(file, '/');
	if (asprintf(&im.layer->name, "oci:%s", base ? base + 1 : file) < 0) {
		im.layer->name = NULL;
		sk_layer_free(im.layer);
		return sk_error(err, ENOMEM, "out of memory");
	}
	ret = sk_json_parse(text, len, &root, &jerr);
	if (ret == -ENOMEM) {
		sk_layer_free(im.layer);
		return sk_error(err, ENOMEM, "out of memory");
	}
	if (ret < 0) {
		ret = sk_error_at(err, EINVAL, im.file, im.text, jerr.line, jerr.column, "%s:%d:%d: invalid JSON: %s",
				  im.file, jerr.line, jerr.column, jerr.msg);
		sk_layer_free(im.layer);
		return ret;
	}
	ret = import(&im, &root);
	sk_json_free(&root);
	free(im.recs);
	free(im.unknown);
	if (ret < 0) {
		sk_layer_free(im.layer);
		return ret;
	}
	*out = im.layer;
	return 0;
}

/* ---- loading into a policy ---- */

int sk_policy_add_oci_at(stockade_policy *p, const char *path, const char *includer_dir,
			 const struct sk_origin *from, stockade_error **err)
{
	_cleanup_free_ char *joined = NULL, *text = NULL;
	struct sk_oci_env env;
	struct sk_layer *l = NULL;
	size_t len = 0;
	int ret;

	if (!*path)
		return sk_error(err, EINVAL, "an OCI profile needs a path (`oci:/path/to/profile.json`)");
	if (path[0] != '/' && includer_dir) {
		if (asprintf(&joined, "%s/%s", includer_dir, path) < 0) {
			joined = NULL;
			return sk_error(err, ENOMEM, "out of memory");
		}
		path = joined;
	}
	ret = sk_read_file(path, "OCI profile", MAX_PROFILE_BYTES, &text, &len, err);
	if (ret == 0)
		ret = sk_oci_env_of(p, &env, err);
	if (ret == 0)
		ret = sk_oci_import(path, text, len, &env, &l, err);
	if (ret < 0) {
		if (from && err && *err && !(*err)->file)
			sk_error_wrap(err, "%s:%d:%d: extends", from->file, from->line, from->column);
		return ret;
	}
	return sk_policy_push(p, l, err);
}

int stockade_policy_add_oci(stockade_policy *p, const char *path, stockade_error **err)
{
	int ret = sk_policy_materialize(p, err);

	if (ret < 0)
		return ret;
	return sk_policy_add_oci_at(p, path, NULL, NULL, err);
}
