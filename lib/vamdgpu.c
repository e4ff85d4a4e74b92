// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

#include <errno.h>
#include <string.h>

#include <xf86drm.h>

#include "igt.h"
#include "vamdgpu.h"

/**
 * __vamdgpu_info() - query what a virtual GPU is
 * @fd: an open vamdgpu render node
 * @info: filled in; its pad must be zero on entry (it is cleared here)
 *
 * Return: 0, or -errno from DRM_IOCTL_VAMDGPU_INFO.
 */
int __vamdgpu_info(int fd, struct drm_vamdgpu_info *info)
{
	memset(info, 0, sizeof(*info));
	if (drmIoctl(fd, DRM_IOCTL_VAMDGPU_INFO, info))
		return -errno;
	return 0;
}

/**
 * vamdgpu_info() - query what a virtual GPU is, failing the test on error
 * @fd: an open vamdgpu render node
 * @info: filled in
 */
void vamdgpu_info(int fd, struct drm_vamdgpu_info *info)
{
	igt_assert_eq(__vamdgpu_info(fd, info), 0);
}
