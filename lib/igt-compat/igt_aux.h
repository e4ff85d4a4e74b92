/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */

/* The part of IGT's igt_aux.h the suite uses. */
#ifndef IGT_AUX_H
#define IGT_AUX_H

#include "igt_core.h"

/* Number of elements of an array (IGT has it in drmtest.h, under igt.h). */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

/**
 * igt_until_timeout - run the block repeatedly for about @timeout seconds
 * @timeout: seconds; the block runs at least once
 */
#define igt_until_timeout(timeout) \
	for (struct timespec t__ = {}; igt_seconds_elapsed(&t__) < (timeout); )

#endif /* IGT_AUX_H */
