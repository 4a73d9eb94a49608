/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy, the CLI's side: the library starts it
 * (run/proxy_run.c, docs/network.md); this prints what went wrong.
 */
#include "cli.h"
#include "proxy_start.h"

/* Call first, then pass: an argument list has no order of evaluation. */
static int printed(int ret, stockade_error *err)
{
	if (ret < 0)
		print_error(err);
	stockade_error_free(err);
	return ret < 0 ? -1 : 0;
}

int proxy_prepare(stockade_policy *policy, struct sk_proxy *pr)
{
	stockade_error *err = NULL;

	*pr = (struct sk_proxy)SK_PROXY_INIT;
	int ret = sk_proxy_prepare(policy, pr, &err);
	return printed(ret, err);
}

int proxy_spawn(struct sk_proxy *pr, const stockade_plan *plan, bool audit)
{
	stockade_error *err = NULL;

	int ret = sk_proxy_spawn(pr, plan, audit, &err);
	return printed(ret, err);
}

int proxy_ready(struct sk_proxy *pr)
{
	stockade_error *err = NULL;

	if (pr->ready < 0)
		return 0;
	int ret = sk_proxy_ready(pr, &err);
	return printed(ret, err);
}

int proxy_start(struct sk_proxy *pr, const stockade_plan *plan, bool audit)
{
	return proxy_spawn(pr, plan, audit) < 0 ? -1 : proxy_ready(pr);
}

void proxy_run_free(struct sk_proxy *pr)
{
	sk_proxy_free(pr);
}

void proxy_run_close(struct sk_proxy *pr)
{
	sk_proxy_close(pr);
}
