/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: OCI / Docker seccomp profile (JSON) -> layer -> plan ->
 * BPF, with the checks of fuzz_common.h.  The first byte picks what the
 * profile is resolved against (architecture, capability set, kernel), the
 * rest is the profile.
 *
 * Seeds: tests/fuzz/corpus/oci/ (and the system's containers seccomp.json
 * when tests/fuzz/run.sh finds one).
 */
#include "fuzz_common.h"
#include "policy/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86, SCMP_ARCH_X32 };
	struct sk_oci_env env;
	struct sk_layer *l = NULL;
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	uint8_t pick;
	int ret;

	if (size < 1)
		return 0;
	pick = data[0];
	env = (struct sk_oci_env){
		.arch = arches[pick & 3],
		.caps = pick & 4 ? ~0ULL : sk_docker_default_caps,
		.kernel_major = pick & 8 ? 4 : 6,
		.kernel_minor = (pick >> 4) & 15,
	};
	ret = sk_oci_import("fuzz.json", (const char *)data + 1, size - 1, &env, &l, &err);
	check_error(ret, err, "sk_oci_import");
	if (ret < 0) {
		if (l)
			fail("sk_oci_import", "failed but returned a layer");
		goto out;
	}
	if (stockade_policy_new(&p, NULL) < 0)
		abort();
	ret = sk_policy_push(p, l, &err);
	check_error(ret, err, "sk_policy_push");
	if (ret == 0)
		check_plan(p, seed_of(data, size));
out:
	stockade_error_free(err);
	stockade_policy_free(p);
	return 0;
}
