// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu configfs
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU
 * Functionality: runtime device creation
 * Description: Virtual GPUs made and removed at runtime through
 *	/sys/kernel/config/vamdgpu, as vkms devices are.
 *
 * SUBTEST: create-and-remove
 * Description: For each gfx target, a configfs device gets a render node
 *	reporting that target and its instance, runs commands, refuses to be
 *	disabled (EBUSY) or retargeted (EBUSY) while in use, and disappears
 *	when disabled.
 *
 * SUBTEST: bad-target
 * Description: An unknown gfx target is refused with EINVAL and leaves
 *	the item's target as it was and the device disabled; the item then
 *	still makes a device.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igt.h"
#include "vamdgpu.h"

#define CONFIGFS	"/sys/kernel/config"
#define ROOT		CONFIGFS "/vamdgpu"
#define PAGE		4096ull

static char dir[256];

static void require_configfs(void)
{
	if (access(ROOT, F_OK))
		mount("none", CONFIGFS, "configfs", 0, NULL);
	igt_require_f(access(ROOT, F_OK) == 0,
		      "%s missing: vamdgpu not loaded or configfs unavailable\n", ROOT);
}

static int write_attr(const char *attr, const char *value)
{
	char path[300];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_WRONLY);
	igt_assert_f(fd >= 0, "open %s: %m\n", path);
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* @attr's value, up to 31 bytes, into @buf. */
static void read_attr(const char *attr, char buf[32])
{
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY);
	igt_assert_f(fd >= 0, "open %s: %m\n", path);
	n = read(fd, buf, 31);
	close(fd);
	igt_assert_f(n > 0, "read %s: %m\n", path);
	buf[n] = '\0';
}

static int read_attr_int(const char *attr)
{
	char buf[32];

	read_attr(attr, buf);
	return atoi(buf);
}

static void make_dir(const char *name)
{
	snprintf(dir, sizeof(dir), "%s/igt-%s-%d", ROOT, name, getpid());
	igt_assert_f(mkdir(dir, 0755) == 0, "mkdir %s: %m\n", dir);
}

static void remove_dir(void)
{
	igt_assert_f(rmdir(dir) == 0, "rmdir %s: %m\n", dir);
}

static int count_gpus(void)
{
	struct vamdgpu_gpu gpus[DRM_RENDER_NODES_MAX];
	int n = vamdgpu_gpus_open(gpus, DRM_RENDER_NODES_MAX);

	vamdgpu_gpus_close(gpus, n);
	return n;
}

/* An fd on the GPU with INFO instance @instance, or -1. */
static int open_instance(int instance, struct drm_vamdgpu_info *info)
{
	struct vamdgpu_gpu gpus[DRM_RENDER_NODES_MAX];
	int n = vamdgpu_gpus_open(gpus, DRM_RENDER_NODES_MAX), fd = -1;

	for (int i = 0; i < n; i++) {
		if ((int)gpus[i].info.instance == instance && fd < 0) {
			fd = gpus[i].fd;
			*info = gpus[i].info;
		} else {
			close(gpus[i].fd);
		}
	}
	return fd;
}

static void test_create(const char *target)
{
	struct drm_vamdgpu_info info;
	uint64_t *buf = aligned_alloc(PAGE, PAGE);
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write(0x10000000, 0x1234, 8);
	int before = count_gpus(), instance, fd, ret;
	uint32_t q;

	igt_assert(buf);
	make_dir(target);
	igt_assert_eq(read_attr_int("instance"), -1);
	igt_assert_eq(write_attr("gfx_target", target), 0);
	igt_assert_eq(write_attr("enabled", "1"), 0);
	instance = read_attr_int("instance");
	igt_assert_f(instance >= 8, "configfs device got instance %d, expected >= 8\n",
		     instance);
	igt_assert_eq(count_gpus(), before + 1);

	fd = open_instance(instance, &info);
	igt_assert_f(fd >= 0, "no render node reports instance %d\n", instance);
	igt_assert_f(!strcmp(info.gfx_target, target),
		     "configfs device %d: expected %s, INFO says %.*s\n", instance,
		     target, VAMDGPU_GFX_TARGET_LEN, info.gfx_target);

	vamdgpu_map_userptr(fd, 0x10000000, PAGE, buf, 0);
	q = vamdgpu_queue_create(fd);
	vamdgpu_exec(fd, q, &cmd, 1);
	igt_assert_eq_u64(*buf, 0x1234);

	ret = write_attr("enabled", "0");
	igt_assert_f(ret == -EBUSY, "disabling a device in use returned %d, expected -EBUSY\n",
		     ret);
	ret = write_attr("gfx_target", "gfx1100");
	igt_assert_f(ret == -EBUSY, "retargeting an enabled device returned %d, expected -EBUSY\n",
		     ret);
	close(fd);

	igt_assert_eq(write_attr("enabled", "0"), 0);
	igt_assert_eq(read_attr_int("enabled"), 0);
	igt_assert_eq(count_gpus(), before);
	remove_dir();
	free(buf);
}

static void test_bad_target(void)
{
	char target[32], now[32];
	int gpus = count_gpus(), ret;

	make_dir("bad");
	read_attr("gfx_target", target);
	ret = write_attr("gfx_target", "gfx9999");
	igt_assert_f(ret == -EINVAL, "gfx_target gfx9999 returned %d, expected -EINVAL\n", ret);
	read_attr("gfx_target", now);
	igt_assert_f(!strcmp(now, target),
		     "the refused gfx_target changed it from %s to %s\n",
		     target, now);
	igt_assert_eq(write_attr("enabled", "maybe"), -EINVAL);
	igt_assert_eq(read_attr_int("enabled"), 0);
	igt_assert_eq(read_attr_int("instance"), -1);
	igt_assert_eq(count_gpus(), gpus);

	/* The refusals left the item whole: it still makes a device. */
	igt_assert_eq(write_attr("enabled", "1"), 0);
	igt_assert_eq(count_gpus(), gpus + 1);
	igt_assert_eq(write_attr("enabled", "0"), 0);
	igt_assert_eq(count_gpus(), gpus);
	remove_dir();
}

int igt_main()
{
	static const char * const targets[] = { "gfx1100", "gfx943" };

	igt_fixture()
		require_configfs();

	igt_describe("For each gfx target, a configfs device gets a render node reporting that target and its instance, runs commands, refuses to be disabled (EBUSY) or retargeted (EBUSY) while in use, and disappears when disabled.");
	igt_subtest_with_dynamic("create-and-remove") {
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			igt_dynamic_f("%s", targets[i])
				test_create(targets[i]);
	}

	igt_describe("An unknown gfx target is refused with EINVAL and leaves the item's target as it was and the device disabled; the item then still makes a device.");
	igt_subtest("bad-target")
		test_bad_target();
}
