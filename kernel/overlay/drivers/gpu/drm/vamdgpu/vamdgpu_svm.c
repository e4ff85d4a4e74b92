// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: SVM glue
 *
 * vamdgpu is one of the GPUs the amdgpu SVM core (amdgpu_svm.ko) drives:
 * this file implements the core's &struct amdgpu_svm_gpu_ops with the
 * virtual GPU's page table, TLB and queues, and routes
 * DRM_IOCTL_AMDGPU_GEM_SVM to the core. Each VM (one per open file) gets
 * its SVM context at its first SVM ioctl, in the VM's XNACK mode; from
 * then on GPU faults of the VM go to amdgpu_svm_handle_fault() and XNACK
 * changes to amdgpu_svm_set_xnack(). The VM holds a reference to the
 * drm_pagemap of the device's VRAM (vamdgpu_pagemap.c), which the core
 * migrates into.
 */

#include <linux/sched.h>

#include <drm/drm_file.h>
#include <drm/drm_pagemap.h>
#include <drm/amdgpu_svm_drm.h>

#include "../amd/svm/amdgpu_svm.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_pagemap.h"
#include "vamdgpu_personality.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_vm.h"
#include "vamdgpu_vram.h"

static struct vamdgpu_vm *svm_vm(struct amdgpu_svm *svm)
{
	return amdgpu_svm_drvdata(svm);
}

static int vamdgpu_svm_reserve_ptes(struct amdgpu_svm *svm,
				    unsigned long start, unsigned long end)
{
	return vamdgpu_vm_reserve_range(svm_vm(svm), start, end);
}

static int vamdgpu_svm_update_ptes(struct amdgpu_svm *svm,
				   const struct amdgpu_svm_pte_update *update)
{
	u64 flags = 0;

	if (update->pte_flags & AMDGPU_SVM_PTE_READ)
		flags |= VAMDGPU_PTE_READ;
	if (update->pte_flags & AMDGPU_SVM_PTE_WRITE)
		flags |= VAMDGPU_PTE_WRITE;
	if (update->pte_flags & AMDGPU_SVM_PTE_EXEC)
		flags |= VAMDGPU_PTE_EXEC;
	if (update->pte_flags & AMDGPU_SVM_PTE_COHERENT)
		flags |= VAMDGPU_PTE_SNOOPED;
	return vamdgpu_vm_update_range(svm_vm(svm), update->start, update->end,
				       update->dma_addr, flags);
}

static void vamdgpu_svm_clear_ptes(struct amdgpu_svm *svm, unsigned long start,
				   unsigned long end)
{
	vamdgpu_vm_clear_range(svm_vm(svm), start, end);
}

static void vamdgpu_svm_flush_tlb(struct amdgpu_svm *svm)
{
	vamdgpu_vm_flush_tlb(svm_vm(svm));
}

static void vamdgpu_svm_quiesce(struct amdgpu_svm *svm)
{
	vamdgpu_vm_quiesce(svm_vm(svm));
}

static void vamdgpu_svm_resume(struct amdgpu_svm *svm)
{
	WARN_ON_ONCE(vamdgpu_vm_resume(svm_vm(svm)));
}

static struct drm_pagemap *vamdgpu_svm_pagemap(struct amdgpu_svm *svm)
{
	return svm_vm(svm)->dpagemap;
}

static const struct amdgpu_svm_gpu_ops vamdgpu_svm_ops = {
	.reserve_ptes = vamdgpu_svm_reserve_ptes,
	.update_ptes = vamdgpu_svm_update_ptes,
	.clear_ptes = vamdgpu_svm_clear_ptes,
	.flush_tlb = vamdgpu_svm_flush_tlb,
	.quiesce = vamdgpu_svm_quiesce,
	.resume = vamdgpu_svm_resume,
	.pagemap = vamdgpu_svm_pagemap,
};

static int vamdgpu_svm_handle_fault(struct vamdgpu_vm *vm, void *priv,
				    u64 addr, bool write)
{
	return amdgpu_svm_handle_fault(priv, addr, write);
}

static const struct vamdgpu_fault_handler vamdgpu_svm_fault_handler = {
	.handle_fault = vamdgpu_svm_handle_fault,
};

/**
 * vamdgpu_svm_init() - describe a virtual GPU to the SVM core
 * @vdev: the device, its VRAM initialized
 *
 * Context: process context.
 */
void vamdgpu_svm_init(struct vamdgpu_device *vdev)
{
	vdev->svm_gpu = (struct amdgpu_svm_gpu) {
		.drm = &vdev->drm,
		.ops = &vamdgpu_svm_ops,
		.gpu_id = vdev->gpu_id,
		.xnack_capable = vdev->personality->xnack_capable,
		.page_owner = vdev->vram ? vamdgpu_vram_owner(vdev->vram) : NULL,
	};
}

/* The SVM context of a VM, created at its first use. */
static struct amdgpu_svm *vamdgpu_svm_get(struct vamdgpu_vm *vm)
{
	struct drm_pagemap *dpagemap = NULL;
	struct amdgpu_svm *svm;
	int ret;

	mutex_lock(&vm->lock);
	svm = vm->svm;
	if (svm)
		goto out_unlock;
	/* A forked child must not bind its parent's file to its own mm. */
	svm = ERR_PTR(-EBADF);
	if (vm->pid != task_tgid_nr(current))
		goto out_unlock;

	if (vm->vdev->vram) {
		dpagemap = vamdgpu_pagemap_get(vm->vdev);
		if (IS_ERR(dpagemap)) {
			svm = ERR_CAST(dpagemap);
			goto out_unlock;
		}
	}
	vm->dpagemap = dpagemap;
	svm = amdgpu_svm_create(&vm->vdev->svm_gpu, vm->xnack_enabled, vm);
	if (IS_ERR(svm))
		goto err_put_pagemap;
	ret = vamdgpu_vm_set_fault_handler(vm, &vamdgpu_svm_fault_handler, svm);
	if (ret) {
		amdgpu_svm_destroy(svm);
		svm = ERR_PTR(ret);
		goto err_put_pagemap;
	}
	vm->svm = svm;
	goto out_unlock;

err_put_pagemap:
	vm->dpagemap = NULL;
	drm_pagemap_put(dpagemap);
out_unlock:
	mutex_unlock(&vm->lock);
	return svm;
}

/**
 * vamdgpu_svm_fini() - drop the SVM context of a VM
 * @vm: the VM, its queues already destroyed
 *
 * Context: process context, may sleep.
 */
void vamdgpu_svm_fini(struct vamdgpu_vm *vm)
{
	if (vm->svm)
		amdgpu_svm_destroy(vm->svm);
	vm->svm = NULL;
	drm_pagemap_put(vm->dpagemap);
	vm->dpagemap = NULL;
}

/**
 * vamdgpu_svm_set_xnack() - follow a change of the VM's XNACK mode
 * @vm: the VM, without queues
 * @enable: the new mode
 *
 * Context: process context; &vamdgpu_vm.lock held.
 * Return: 0 or the SVM core's errno.
 */
int vamdgpu_svm_set_xnack(struct vamdgpu_vm *vm, bool enable)
{
	lockdep_assert_held(&vm->lock);

	return vm->svm ? amdgpu_svm_set_xnack(vm->svm, enable) : 0;
}

/**
 * vamdgpu_svm_ioctl() - DRM_IOCTL_AMDGPU_GEM_SVM on a virtual GPU
 * @drm: the device
 * @data: &struct drm_amdgpu_gem_svm
 * @file: the file (its VM)
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno (see amdgpu_svm_drm.h).
 */
int vamdgpu_svm_ioctl(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct amdgpu_svm *svm = vamdgpu_svm_get(vamdgpu_vm_from_file(file));

	if (IS_ERR(svm))
		return PTR_ERR(svm);
	return amdgpu_svm_ioctl(svm, data);
}
