/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef AMDGPU_SVM_LIB_H
#define AMDGPU_SVM_LIB_H

#include <stdint.h>

#include <amdgpu_svm_drm.h>

int __svm_ioctl(int fd, uint32_t op, uint64_t start, uint64_t size,
		struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr);
int __svm_set_attr(int fd, uint64_t start, uint64_t size,
		   const struct drm_amdgpu_svm_attribute *attrs,
		   uint32_t nattr);
int __svm_set_attr_once(int fd, uint64_t start, uint64_t size,
			const struct drm_amdgpu_svm_attribute *attrs,
			uint32_t nattr);
void svm_set_attr(int fd, uint64_t start, uint64_t size,
		  const struct drm_amdgpu_svm_attribute *attrs,
		  uint32_t nattr);
int __svm_get_attr(int fd, uint64_t start, uint64_t size,
		   struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr);
void svm_get_attr(int fd, uint64_t start, uint64_t size,
		  struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr);
uint32_t svm_get_one(int fd, uint64_t start, uint64_t size, uint32_t type);
uint32_t svm_get_access(int fd, uint64_t start, uint64_t size,
			uint32_t gpu_id);
void svm_set_one(int fd, uint64_t start, uint64_t size, uint32_t type,
		 uint32_t value);

#endif /* AMDGPU_SVM_LIB_H */
