// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "igt.h"
#include "svm_kmod.h"

#define VAMDGPU_DEVICES_PARAM	"/sys/module/vamdgpu/parameters/devices"

/** svm_vamdgpu_loaded() - is vamdgpu loaded. Return: true if so. */
bool svm_vamdgpu_loaded(void)
{
	return access("/sys/module/vamdgpu", F_OK) == 0;
}

/**
 * svm_vamdgpu_devices() - the personalities vamdgpu was loaded with
 * @buf: where the "gfx1100,gfx943" list goes
 * @len: its size
 *
 * Return: 0, or -errno (-ENOENT when vamdgpu is not loaded).
 */
int svm_vamdgpu_devices(char *buf, size_t len)
{
	FILE *f = fopen(VAMDGPU_DEVICES_PARAM, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

/**
 * __svm_vamdgpu_load() - (re)load vamdgpu with the virtual GPUs @devices
 * @devices: personalities joined by commas, "gfx943,gfx943,gfx1100"
 *
 * Unloads vamdgpu first if it is loaded (every render node of it must be
 * closed; libkmod never waits, so a busy module is retried for 5 s), then
 * loads it and its dependencies with devices=@devices.
 *
 * Return: 0, or -errno from libkmod (-EAGAIN: a node is still open).
 */
int __svm_vamdgpu_load(const char *devices)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	char options[256];
	int ret;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	ret = kmod_module_new_from_name(ctx, "vamdgpu", &mod);
	if (ret)
		goto out_ctx;
	/* Files closed a moment ago may still hold it: retry a while. */
	for (int tries = 0; svm_vamdgpu_loaded(); tries++) {
		ret = kmod_module_remove_module(mod, 0);
		if (!ret)
			break;
		if (ret != -EAGAIN || tries == 50)
			goto out_mod;
		usleep(100 * 1000);
	}
	snprintf(options, sizeof(options), "devices=%s", devices);
	ret = kmod_module_probe_insert_module(mod, 0, options, NULL, NULL, NULL);
	if (ret > 0)	/* a blacklist or command: not ours to follow */
		ret = -EPERM;
out_mod:
	kmod_module_unref(mod);
out_ctx:
	kmod_unref(ctx);
	return ret;
}

/**
 * svm_vamdgpu_load() - __svm_vamdgpu_load(), checking the result: the test
 * skips where vamdgpu cannot be loaded and fails if it runs other devices
 * @devices: personalities joined by commas
 */
void svm_vamdgpu_load(const char *devices)
{
	char loaded[256];
	int ret = __svm_vamdgpu_load(devices);

	igt_require_f(ret != -ENOENT, "vamdgpu is not installed\n");
	igt_assert_f(ret == 0, "loading vamdgpu devices=%s: %s\n", devices,
		     strerror(-ret));
	igt_assert_eq(svm_vamdgpu_devices(loaded, sizeof(loaded)), 0);
	igt_assert_f(!strcmp(loaded, devices),
		     "vamdgpu runs devices=%s, not %s\n", loaded, devices);
}
