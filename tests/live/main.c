/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live tier's runner: the tests themselves are in the test_*.c files. */
#define HARNESS_MAIN
#include "../harness.h"
