// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/*
 * igt_system_suspend_autoresume() of IGT's igt_aux.h: a system suspend
 * that the RTC's wake alarm ends, or one of the kernel's suspend tests
 * (/sys/power/pm_test), which ends by itself after its step.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "igt_aux.h"

/* Time the machine sleeps before the RTC wakes it. */
#define AUTORESUME_SECONDS	15

static const char *const suspend_state_names[SUSPEND_STATE_NUM] = {
	[SUSPEND_STATE_FREEZE] = "freeze",
	[SUSPEND_STATE_STANDBY] = "standby",
	[SUSPEND_STATE_S3] = "mem",
	[SUSPEND_STATE_MEM] = "mem",
	[SUSPEND_STATE_DISK] = "disk",
};

static const char *const suspend_test_names[SUSPEND_TEST_NUM] = {
	[SUSPEND_TEST_NONE] = "none",
	[SUSPEND_TEST_FREEZER] = "freezer",
	[SUSPEND_TEST_DEVICES] = "devices",
	[SUSPEND_TEST_PLATFORM] = "platform",
	[SUSPEND_TEST_PROCESSORS] = "processors",
	[SUSPEND_TEST_CORE] = "core",
};

/* The contents of a sysfs file, or "" when it cannot be read. */
static void sysfs_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Write @value to a sysfs file: 0 or a negative errno. */
static int sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int ret;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	ret = n < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* The entry of a sysfs choice list in brackets (the current one), or NULL. */
static const char *list_current(char *list)
{
	char *open = strchr(list, '['), *close = open ? strchr(open, ']') : NULL;

	if (!close)
		return NULL;
	*close = '\0';
	return open + 1;
}

/* Does the space-separated list @list (brackets allowed) name @word? */
static bool list_has(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word)) {
		bool starts = p == list || p[-1] == ' ' || p[-1] == '[';
		bool ends = !p[len] || strchr(" ]\n", p[len]);

		if (starts && ends)
			return true;
	}
	return false;
}

void igt_system_suspend_autoresume(enum igt_suspend_state state,
				   enum igt_suspend_test test)
{
	const char *name = suspend_state_names[state];
	char list[256], mem_sleep[256] = "", alarm[16];
	const char *old_mem_sleep = NULL;
	int ret;

	sysfs_read("/sys/power/state", list, sizeof(list));
	igt_require_f(list_has(list, name),
		      "the kernel offers no \"%s\" suspend (/sys/power/state: %s)\n",
		      name, list);
	if (state == SUSPEND_STATE_S3) {
		sysfs_read("/sys/power/mem_sleep", mem_sleep, sizeof(mem_sleep));
		igt_require_f(list_has(mem_sleep, "deep"),
			      "no suspend-to-RAM (/sys/power/mem_sleep: %s)\n",
			      mem_sleep);
		old_mem_sleep = list_current(mem_sleep);
		igt_assert_eq(sysfs_write("/sys/power/mem_sleep", "deep"), 0);
	}
	if (test != SUSPEND_TEST_NONE) {
		sysfs_read("/sys/power/pm_test", list, sizeof(list));
		igt_require_f(list_has(list, suspend_test_names[test]),
			      "no \"%s\" suspend test (/sys/power/pm_test: %s; CONFIG_PM_DEBUG)\n",
			      suspend_test_names[test], list);
		igt_assert_eq(sysfs_write("/sys/power/pm_test",
					  suspend_test_names[test]), 0);
	} else {
		/* The kernel takes a new alarm only once the old one is gone. */
		sysfs_write("/sys/class/rtc/rtc0/wakealarm", "0");
		snprintf(alarm, sizeof(alarm), "+%d", AUTORESUME_SECONDS);
		ret = sysfs_write("/sys/class/rtc/rtc0/wakealarm", alarm);
		igt_require_f(ret == 0,
			      "cannot set the RTC's wake alarm (/sys/class/rtc/rtc0/wakealarm): %s\n",
			      strerror(-ret));
	}

	igt_info("suspending (%s%s%s)\n", name,
		 test != SUSPEND_TEST_NONE ? ", test " : "",
		 test != SUSPEND_TEST_NONE ? suspend_test_names[test] : "");
	ret = sysfs_write("/sys/power/state", name);

	if (test != SUSPEND_TEST_NONE)
		sysfs_write("/sys/power/pm_test", "none");
	else
		sysfs_write("/sys/class/rtc/rtc0/wakealarm", "0");
	if (old_mem_sleep)
		sysfs_write("/sys/power/mem_sleep", old_mem_sleep);
	igt_assert_f(ret == 0, "suspend (%s) failed: %s\n", name,
		     strerror(-ret));
	igt_info("resumed\n");
}
