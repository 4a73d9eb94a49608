/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: policy text -> layers -> plan -> BPF.
 *
 * Beyond "no crash, no leak, no undefined behaviour" (ASan, UBSan and
 * LeakSanitizer), every input is held to the library's contract
 * (fuzz_common.h): a failure returns -status with a message and adds no
 * layer (a policy is applied whole or not at all); a plan that builds
 * compiles to a filter the kernel would accept, which decides every
 * syscall the plan mentions exactly as the plan's own semantics say.
 *
 * Build and run: make fuzz; make fuzz-run FUZZ_TIME=60.
 * Seeds: tests/fuzz/corpus/policy/; dictionary: tests/fuzz/policy.dict.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	int ret;

	if (stockade_policy_new(&p, &err) < 0)
		abort();
	ret = stockade_policy_add_text(p, "fuzz", (const char *)data, size, &err);
	check_error(ret, err, "stockade_policy_add_text");
	if (ret < 0) {
		if (p->nlayers != 0)
			fail("stockade_policy_add_text", "failed but left layers behind");
		goto out;
	}
	stockade_error_free(err);
	err = NULL;
	/* A command-line override on top, as `run --deny` does. */
	ret = stockade_policy_deny(p, "ptrace", NULL, &err);
	check_error(ret, err, "stockade_policy_deny");
	if (ret == 0)
		check_plan(p, seed_of(data, size));
out:
	stockade_error_free(err);
	stockade_policy_free(p);
	return 0;
}
