/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulator tier's test runner: the harness's main() is defined here. */
#define HARNESS_MAIN
#include "../harness.h"
