/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright 2026 The amdgpu-svm authors */
#ifndef _VAMDGPU_USERPTR_H_
#define _VAMDGPU_USERPTR_H_

struct drm_vamdgpu_vm_op;
struct vamdgpu_vm;

extern const struct vamdgpu_fault_handler vamdgpu_userptr_fault_handler;

int vamdgpu_userptr_map(struct vamdgpu_vm *vm,
			const struct drm_vamdgpu_vm_op *args);
int vamdgpu_userptr_unmap(struct vamdgpu_vm *vm,
			  const struct drm_vamdgpu_vm_op *args);
void vamdgpu_userptr_unmap_all(struct vamdgpu_vm *vm);

#endif /* _VAMDGPU_USERPTR_H_ */
