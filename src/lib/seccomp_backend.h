/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef STOCKADE_SECCOMP_BACKEND_H
#define STOCKADE_SECCOMP_BACKEND_H

#include "plan.h"

/* Build a libseccomp context (scmp_filter_ctx) for `arch` (0 = native). */
int sk_seccomp_context(const stockade_plan *plan, uint32_t arch, void **ctx, stockade_error **err);
void sk_seccomp_release(void *ctx);
/* Compile for the native arch and load into the calling process. */
int sk_seccomp_load(const stockade_plan *plan, stockade_error **err);

#endif
