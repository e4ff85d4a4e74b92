/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef VAMDGPU_H
#define VAMDGPU_H

#include <vamdgpu_drm.h>

int __vamdgpu_info(int fd, struct drm_vamdgpu_info *info);
void vamdgpu_info(int fd, struct drm_vamdgpu_info *info);

#endif /* VAMDGPU_H */
