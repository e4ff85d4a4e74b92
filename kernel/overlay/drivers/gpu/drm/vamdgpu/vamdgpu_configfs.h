/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_CONFIGFS_H_
#define _VAMDGPU_CONFIGFS_H_

/* Instances of devices made through configfs: after the parameter's. */
#define VAMDGPU_CONFIGFS_FIRST_INSTANCE	8
#define VAMDGPU_CONFIGFS_LAST_INSTANCE	63

int vamdgpu_configfs_register(void);
void vamdgpu_configfs_unregister(void);

#endif /* _VAMDGPU_CONFIGFS_H_ */
