/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_INJECT_H_
#define _VAMDGPU_INJECT_H_

#include <linux/types.h>

/**
 * enum vamdgpu_fail_point - hardware steps the tests can make fail
 * @VAMDGPU_FAIL_PTE_UPDATE_MIDWAY: a PTE update, half-way through its span
 * @VAMDGPU_FAIL_COPY_TO_VRAM: a migration copy to VRAM, half-way through
 * @VAMDGPU_FAIL_VRAM_ALLOC: the VRAM allocation of a migration
 * @VAMDGPU_FAIL_PTE_LOST: the PTEs of an SVM update (XNACK on), wiped after it
 * @VAMDGPU_FAIL_POINTS: the number of points
 */
enum vamdgpu_fail_point {
	VAMDGPU_FAIL_PTE_UPDATE_MIDWAY,
	VAMDGPU_FAIL_COPY_TO_VRAM,
	VAMDGPU_FAIL_VRAM_ALLOC,
	VAMDGPU_FAIL_PTE_LOST,
	VAMDGPU_FAIL_POINTS,
};

bool vamdgpu_should_fail(enum vamdgpu_fail_point point);
void vamdgpu_inject_init(void);
void vamdgpu_inject_fini(void);

#endif /* _VAMDGPU_INJECT_H_ */
