/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_PAGEMAP_H_
#define _VAMDGPU_PAGEMAP_H_

struct drm_pagemap;
struct vamdgpu_device;

struct drm_pagemap *vamdgpu_pagemap_get(struct vamdgpu_device *vdev);

#endif /* _VAMDGPU_PAGEMAP_H_ */
