/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_DEBUGFS_H_
#define _VAMDGPU_DEBUGFS_H_

#include <linux/atomic.h>

struct vamdgpu_device;

void vamdgpu_debugfs_init(struct vamdgpu_device *vdev);
void vamdgpu_stall_if_armed(struct vamdgpu_device *vdev, atomic_t *armed,
			    atomic_t *stalled);

#endif /* _VAMDGPU_DEBUGFS_H_ */
