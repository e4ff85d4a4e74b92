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

/**
 * enum igt_suspend_state - the system sleep igt_system_suspend_autoresume()
 * enters, as IGT names them
 * @SUSPEND_STATE_FREEZE: suspend-to-idle ("freeze")
 * @SUSPEND_STATE_STANDBY: power-on suspend ("standby")
 * @SUSPEND_STATE_S3: suspend-to-RAM, /sys/power/mem_sleep set to "deep"
 * @SUSPEND_STATE_MEM: "mem", whatever /sys/power/mem_sleep selects
 * @SUSPEND_STATE_DISK: hibernation ("disk")
 * @SUSPEND_STATE_NUM: the number of states
 */
enum igt_suspend_state {
	SUSPEND_STATE_FREEZE,
	SUSPEND_STATE_STANDBY,
	SUSPEND_STATE_S3,
	SUSPEND_STATE_MEM,
	SUSPEND_STATE_DISK,
	SUSPEND_STATE_NUM,
};

/**
 * enum igt_suspend_test - how far the kernel goes (/sys/power/pm_test)
 * @SUSPEND_TEST_NONE: a full cycle, ended by the RTC's wake alarm
 * @SUSPEND_TEST_FREEZER: back after freezing tasks and freezable workqueues
 * @SUSPEND_TEST_DEVICES: back after the devices' suspend callbacks too
 * @SUSPEND_TEST_PLATFORM: back after the platform's global methods too
 * @SUSPEND_TEST_PROCESSORS: back after the other CPUs went offline too
 * @SUSPEND_TEST_CORE: back after the system core's suspend too
 * @SUSPEND_TEST_NUM: the number of tests
 */
enum igt_suspend_test {
	SUSPEND_TEST_NONE,
	SUSPEND_TEST_FREEZER,
	SUSPEND_TEST_DEVICES,
	SUSPEND_TEST_PLATFORM,
	SUSPEND_TEST_PROCESSORS,
	SUSPEND_TEST_CORE,
	SUSPEND_TEST_NUM,
};

/**
 * igt_system_suspend_autoresume - suspend the machine and come back
 * @state: the sleep state
 * @test: SUSPEND_TEST_NONE, or the kernel's suspend test to stop at
 *
 * Skips when the kernel offers neither the state nor the test, or the RTC
 * cannot wake the machine; fails when the suspend fails.
 */
void igt_system_suspend_autoresume(enum igt_suspend_state state,
				   enum igt_suspend_test test);

#endif /* IGT_AUX_H */
