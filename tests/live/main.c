/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live tier's runner: the tests themselves are in test_live.c. */
#define HARNESS_MAIN
#include "../harness.h"
