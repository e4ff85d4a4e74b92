/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_DEBUGFS_H_
#define _VAMDGPU_DEBUGFS_H_

struct vamdgpu_device;

void vamdgpu_debugfs_init(struct vamdgpu_device *vdev);

#endif /* _VAMDGPU_DEBUGFS_H_ */
