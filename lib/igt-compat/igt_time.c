// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/* Monotonic time for subtest durations and igt_until_timeout(). */
#include <errno.h>

#include "compat_internal.h"

/**
 * igt_gettime - read the monotonic clock
 * @ts: the reading, zeroed on failure
 *
 * Uses CLOCK_MONOTONIC_RAW, or CLOCK_MONOTONIC where that is missing, and
 * sticks to the first one that worked.
 *
 * Return: 0, or -errno.
 */
int igt_gettime(struct timespec *ts)
{
	static clockid_t clock_id = CLOCK_MONOTONIC_RAW;

	memset(ts, 0, sizeof(*ts));
	if (!clock_gettime(clock_id, ts))
		return 0;
	if (clock_id == CLOCK_MONOTONIC_RAW) {
		clock_id = CLOCK_MONOTONIC;
		if (!clock_gettime(clock_id, ts))
			return 0;
	}

	igt_warn("Could not read monotonic time: %s\n", strerror(errno));
	return -errno;
}

/**
 * igt_time_elapsed - seconds from @then to @now
 * @then: earlier reading
 * @now: later reading
 *
 * Return: the difference, or -1.0 if either reading is unset (zero).
 */
double igt_time_elapsed(struct timespec *then, struct timespec *now)
{
	if (!(then->tv_sec || then->tv_nsec) || !(now->tv_sec || now->tv_nsec))
		return -1.0;

	return (now->tv_sec - then->tv_sec) + (now->tv_nsec - then->tv_nsec) * 1e-9;
}

/**
 * igt_nsec_elapsed - nanoseconds since @start
 * @start: earlier reading; if zero, set to now
 *
 * Return: the nanoseconds since @start, 0 when @start was just set.
 */
uint64_t igt_nsec_elapsed(struct timespec *start)
{
	struct timespec now;

	igt_gettime(&now);
	if (!(start->tv_sec || start->tv_nsec)) {
		*start = now;
		return 0;
	}

	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000000000ull +
	       (now.tv_nsec - start->tv_nsec);
}
