/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * amdgpu backend of the amdgpu SVM core (drivers/gpu/drm/amd/svm/):
 * DRM_AMDGPU_GEM_SVM on amdgpu render nodes.
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#ifndef __AMDGPU_GEM_SVM_H__
#define __AMDGPU_GEM_SVM_H__

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

/*
 * &amdgpu_bo.flags of a BO holding SVM VRAM (amdgpu_gem_svm_vram.c), which
 * TTM evicts through amdgpu_gem_svm_vram_evict(); beside KFD's internal
 * AMDGPU_AMDKFD_CREATE_USERPTR_BO, bit 63.
 */
#define AMDGPU_GEM_SVM_CREATE_DEVMEM	BIT_ULL(62)

struct amdgpu_bo;
struct amdgpu_device;
struct amdgpu_vm;
struct drm_device;
struct drm_file;
struct drm_pagemap;
struct kfd_process;

/* Inside the backend (amdgpu_gem_svm_migrate.c, amdgpu_gem_svm_vram.c). */
int amdgpu_gem_svm_copy(struct amdgpu_device *adev, const dma_addr_t *sys,
			const u64 *vram, unsigned long npages, bool to_vram);
struct drm_pagemap *amdgpu_gem_svm_vram_get(struct amdgpu_device *adev);

/* For amdgpu: stubs when the backend is off. */
#if IS_ENABLED(CONFIG_DRM_AMDGPU_GEM_SVM)

int amdgpu_gem_svm_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *filp);
void amdgpu_gem_svm_fini(struct amdgpu_device *adev, struct amdgpu_vm *vm);
int amdgpu_gem_svm_handle_fault(struct amdgpu_device *adev, u32 pasid,
				u64 addr, bool write_fault);
int amdgpu_gem_svm_check_caller(struct amdgpu_vm *vm);
int amdgpu_gem_svm_check_userq(struct amdgpu_vm *vm);
int amdgpu_gem_svm_check_gem_va(struct amdgpu_vm *vm, u64 start, u64 size);
int amdgpu_gem_svm_cs_wait(struct amdgpu_vm *vm);
bool amdgpu_gem_svm_cs_blocked(struct amdgpu_vm *vm);
int amdgpu_gem_svm_kfd_set_xnack(struct kfd_process *p, bool xnack);
int amdgpu_gem_svm_kfd_acquired(struct amdgpu_vm *vm, struct kfd_process *p);
void amdgpu_gem_svm_pm_evict(struct amdgpu_device *adev);
void amdgpu_gem_svm_pm_complete(struct amdgpu_device *adev);
int amdgpu_gem_svm_vram_evict(struct amdgpu_bo *bo);
int amdgpu_gem_svm_init(void);
void amdgpu_gem_svm_exit(void);

#else

static inline int amdgpu_gem_svm_ioctl(struct drm_device *dev, void *data,
				       struct drm_file *filp)
{
	return -EOPNOTSUPP;
}

static inline void amdgpu_gem_svm_fini(struct amdgpu_device *adev,
				       struct amdgpu_vm *vm)
{
}

static inline int amdgpu_gem_svm_handle_fault(struct amdgpu_device *adev,
					      u32 pasid, u64 addr,
					      bool write_fault)
{
	return -ENOENT;
}

static inline int amdgpu_gem_svm_check_caller(struct amdgpu_vm *vm)
{
	return 0;
}

static inline int amdgpu_gem_svm_check_userq(struct amdgpu_vm *vm)
{
	return 0;
}

static inline int amdgpu_gem_svm_check_gem_va(struct amdgpu_vm *vm, u64 start,
					      u64 size)
{
	return 0;
}

static inline int amdgpu_gem_svm_cs_wait(struct amdgpu_vm *vm)
{
	return 0;
}

static inline bool amdgpu_gem_svm_cs_blocked(struct amdgpu_vm *vm)
{
	return false;
}

static inline int amdgpu_gem_svm_kfd_set_xnack(struct kfd_process *p,
					       bool xnack)
{
	return 0;
}

static inline int amdgpu_gem_svm_kfd_acquired(struct amdgpu_vm *vm,
					      struct kfd_process *p)
{
	return 0;
}

static inline void amdgpu_gem_svm_pm_evict(struct amdgpu_device *adev)
{
}

static inline void amdgpu_gem_svm_pm_complete(struct amdgpu_device *adev)
{
}

static inline int amdgpu_gem_svm_vram_evict(struct amdgpu_bo *bo)
{
	return -EINVAL;
}

static inline int amdgpu_gem_svm_init(void)
{
	return 0;
}

static inline void amdgpu_gem_svm_exit(void)
{
}

#endif /* CONFIG_DRM_AMDGPU_GEM_SVM */

#endif /* __AMDGPU_GEM_SVM_H__ */
