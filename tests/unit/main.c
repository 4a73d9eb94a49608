/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit-test runner: the harness main() lives here, tests in the other files. */
#define HARNESS_MAIN
#include "../harness.h"
