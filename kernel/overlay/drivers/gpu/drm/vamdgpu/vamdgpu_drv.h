/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_DRV_H_
#define _VAMDGPU_DRV_H_

#include <linux/container_of.h>
#include <drm/drm_device.h>

struct faux_device;
struct vamdgpu_personality;

/**
 * struct vamdgpu_device - one virtual GPU
 */
struct vamdgpu_device {
	/** @drm: the DRM device; its render node is what userspace opens. */
	struct drm_device drm;
	/** @faux: the bus-less device the DRM device hangs off. */
	struct faux_device *faux;
	/** @personality: the GPU this one imitates. */
	const struct vamdgpu_personality *personality;
	/** @instance: index among all vamdgpu devices. */
	unsigned int instance;
};

static inline struct vamdgpu_device *to_vamdgpu(struct drm_device *drm)
{
	return container_of(drm, struct vamdgpu_device, drm);
}

#endif /* _VAMDGPU_DRV_H_ */
