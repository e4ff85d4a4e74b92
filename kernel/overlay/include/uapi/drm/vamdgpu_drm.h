/* SPDX-License-Identifier: MIT */
/*
 * UAPI of the virtual amdgpu device (vamdgpu), the software stand-in for
 * gfx1100 and gfx943 that the SVM driver and its tests run on where no AMD
 * GPU exists.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef _UAPI_VAMDGPU_DRM_H_
#define _UAPI_VAMDGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VAMDGPU_INFO	0x00

#define DRM_IOCTL_VAMDGPU_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VAMDGPU_INFO, struct drm_vamdgpu_info)

/** Length of &drm_vamdgpu_info.gfx_target, including the terminating NUL. */
#define VAMDGPU_GFX_TARGET_LEN	16

/** The device can run with XNACK (GPU page-fault retry) enabled. */
#define VAMDGPU_INFO_XNACK_CAPABLE	(1u << 0)
/** XNACK is enabled for the calling process. */
#define VAMDGPU_INFO_XNACK_ENABLED	(1u << 1)

/**
 * struct drm_vamdgpu_info - what the virtual GPU is (DRM_IOCTL_VAMDGPU_INFO)
 *
 * Read-only: every field is written by the kernel. @pad must be zero on
 * entry, otherwise the ioctl fails with -EINVAL.
 */
struct drm_vamdgpu_info {
	/** @gfx_target: NUL-terminated gfx target name, "gfx1100" or "gfx943". */
	char gfx_target[VAMDGPU_GFX_TARGET_LEN];
	/** @device_id: the PCI device id of the GPU this one imitates. */
	__u32 device_id;
	/** @flags: VAMDGPU_INFO_* bits. */
	__u32 flags;
	/** @vram_size: bytes of device-private memory ("VRAM"). */
	__u64 vram_size;
	/** @page_size: GPU page size in bytes. */
	__u32 page_size;
	/** @fragment_size: largest GPU PTE fragment in bytes. */
	__u32 fragment_size;
	/** @instance: index of this virtual GPU among all vamdgpu devices. */
	__u32 instance;
	/** @pad: must be zero. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VAMDGPU_DRM_H_ */
