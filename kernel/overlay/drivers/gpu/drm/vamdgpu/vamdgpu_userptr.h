/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_USERPTR_H_
#define _VAMDGPU_USERPTR_H_

#include <linux/types.h>

struct drm_vamdgpu_vm_op;
struct vamdgpu_vm;

int vamdgpu_userptr_map(struct vamdgpu_vm *vm,
			const struct drm_vamdgpu_vm_op *args);
int vamdgpu_userptr_unmap(struct vamdgpu_vm *vm,
			  const struct drm_vamdgpu_vm_op *args);
void vamdgpu_userptr_unmap_all(struct vamdgpu_vm *vm);
void vamdgpu_userptr_restore_all(struct vamdgpu_vm *vm);
int vamdgpu_userptr_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write);
bool vamdgpu_userptr_in_span(struct vamdgpu_vm *vm, u64 start, u64 end);

#endif /* _VAMDGPU_USERPTR_H_ */
