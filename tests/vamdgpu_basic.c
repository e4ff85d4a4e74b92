// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu basic
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU
 * Functionality: device discovery, personality query
 * Description: The virtual amdgpu device the SVM suite runs on where no AMD
 *	GPU exists: its render nodes appear as the module was told, and each
 *	reports the personality it was created with.
 *
 * SUBTEST: render-nodes
 * Description: One vamdgpu render node exists per entry of the module's
 *	devices= parameter.
 *
 * SUBTEST: info
 * Description: Each virtual GPU reports the gfx target, XNACK capability,
 *	page size and instance it was created with.
 *
 * SUBTEST: info-nonzero-pad
 * Description: The info query refuses a non-zero pad field with EINVAL.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xf86drm.h>

#include "igt.h"
#include "drm_render_nodes.h"
#include "vamdgpu.h"

#define DEVICES_PARAM "/sys/module/vamdgpu/parameters/devices"

/* The gfx targets the module was loaded with, in device order. */
static int read_requested_targets(char targets[][VAMDGPU_GFX_TARGET_LEN], int max)
{
	char buf[256], *cursor = buf, *name;
	int count = 0;
	FILE *f;

	f = fopen(DEVICES_PARAM, "r");
	igt_require_f(f, "vamdgpu is not loaded (%s: %m)\n", DEVICES_PARAM);
	igt_assert(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';

	while ((name = strsep(&cursor, ",")) && count < max) {
		if (!*name)
			continue;
		snprintf(targets[count++], VAMDGPU_GFX_TARGET_LEN, "%s", name);
	}
	return count;
}

static void check_info(int gpu, int fd, const char *target)
{
	struct drm_vamdgpu_info info;
	bool xnack_capable;

	vamdgpu_info(fd, &info);
	igt_assert_f(!strcmp(info.gfx_target, target),
		     "gpu%d: expected gfx target %s, got %.*s\n", gpu, target,
		     VAMDGPU_GFX_TARGET_LEN, info.gfx_target);
	igt_assert_eq_u32(info.instance, gpu);
	xnack_capable = info.flags & VAMDGPU_INFO_XNACK_CAPABLE;
	igt_assert_f(xnack_capable == !strcmp(target, "gfx943"),
		     "gpu%d (%s): XNACK capable is %d\n", gpu, target, xnack_capable);
	igt_assert_eq_u32(info.page_size, 4096);
	igt_assert_f(info.vram_size && info.vram_size % info.page_size == 0,
		     "gpu%d: VRAM size %llu is not a non-zero multiple of the page size\n",
		     gpu, (unsigned long long)info.vram_size);
}

static void test_info(const int *fds, int nfds,
		      char targets[][VAMDGPU_GFX_TARGET_LEN], int ntargets)
{
	igt_require_f(nfds > 0, "no vamdgpu render node\n");
	for (int i = 0; i < nfds && i < ntargets; i++)
		igt_dynamic_f("gpu%d-%s", i, targets[i])
			check_info(i, fds[i], targets[i]);
}

int igt_main()
{
	static char targets[DRM_RENDER_NODES_MAX][VAMDGPU_GFX_TARGET_LEN];
	static int fds[DRM_RENDER_NODES_MAX];
	static int nfds, ntargets;

	igt_fixture() {
		ntargets = read_requested_targets(targets, DRM_RENDER_NODES_MAX);
		nfds = drm_render_nodes_open_all("vamdgpu", fds, DRM_RENDER_NODES_MAX);
		igt_assert_f(nfds >= 0, "cannot read /dev/dri: %s\n", strerror(-nfds));
	}

	igt_describe("One vamdgpu render node exists per entry of the module's devices= parameter.");
	igt_subtest("render-nodes")
		igt_assert_f(nfds == ntargets,
			     "module asked for %d devices (%s), found %d vamdgpu render nodes\n",
			     ntargets, DEVICES_PARAM, nfds);

	igt_describe("Each virtual GPU reports the gfx target, XNACK capability, page size and instance it was created with.");
	igt_subtest_with_dynamic("info")
		test_info(fds, nfds, targets, ntargets);

	igt_describe("The info query refuses a non-zero pad field with EINVAL.");
	igt_subtest("info-nonzero-pad") {
		struct drm_vamdgpu_info info = { .pad = 1 };

		igt_require_f(nfds > 0, "no vamdgpu render node\n");
		igt_assert_eq(drmIoctl(fds[0], DRM_IOCTL_VAMDGPU_INFO, &info), -1);
		igt_assert_eq(errno, EINVAL);
	}

	igt_fixture()
		drm_render_nodes_close_all(fds, nfds);
}
