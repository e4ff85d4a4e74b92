/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_SVM_H_
#define _VAMDGPU_SVM_H_

#include <linux/types.h>

struct drm_device;
struct drm_file;
struct vamdgpu_device;
struct vamdgpu_vm;

void vamdgpu_svm_init(struct vamdgpu_device *vdev);
void vamdgpu_svm_open(struct vamdgpu_vm *vm);
void vamdgpu_svm_fini(struct vamdgpu_vm *vm);
int vamdgpu_svm_set_xnack(struct vamdgpu_vm *vm, bool enable);
int vamdgpu_svm_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write);
bool vamdgpu_svm_span_in_use(struct vamdgpu_vm *vm, u64 start, u64 end);
void vamdgpu_svm_queue_created(struct vamdgpu_vm *vm);
void vamdgpu_svm_queue_destroyed(struct vamdgpu_vm *vm);
int vamdgpu_svm_ioctl(struct drm_device *drm, void *data,
		      struct drm_file *file);

#endif /* _VAMDGPU_SVM_H_ */
