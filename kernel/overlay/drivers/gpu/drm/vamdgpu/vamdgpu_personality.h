/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_PERSONALITY_H_
#define _VAMDGPU_PERSONALITY_H_

#include <linux/types.h>

/**
 * struct vamdgpu_personality - which real GPU a virtual GPU imitates
 *
 * Plain data: everything the virtual GPU models that differs between the
 * GPUs the SVM driver supports.
 */
struct vamdgpu_personality {
	/** @gfx_target: the gfx target name, as ROCm spells it. */
	const char *gfx_target;
	/** @device_id: PCI device id of the imitated board. */
	u32 device_id;
	/** @xnack_capable: the GPU can retry faulting accesses (XNACK). */
	bool xnack_capable;
	/** @vram_size: device-private memory, scaled down for a guest. */
	u64 vram_size;
	/** @page_size: GPU page size. */
	u32 page_size;
	/** @fragment_size: largest PTE fragment. */
	u32 fragment_size;
};

const struct vamdgpu_personality *vamdgpu_personality_find(const char *name);

#endif /* _VAMDGPU_PERSONALITY_H_ */
