// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: SVM glue
 *
 * vamdgpu is one of the GPUs the amdgpu SVM core (amdgpu_svm.ko) drives:
 * this file implements the core's &struct amdgpu_svm_gpu_ops with the
 * virtual GPU's page table, TLB and queues, and routes
 * DRM_IOCTL_AMDGPU_GEM_SVM to the core. Each VM (one per open file) joins
 * the SVM of its process at open: every GPU the process opened is an
 * attribute target, and the XNACK mode is the process's (XNACK changes go
 * to amdgpu_svm_set_xnack(), refused while the process has a queue on any
 * GPU; queues are counted with amdgpu_svm_queue_created()). GPU faults
 * that no lazy userptr mapping covers go to amdgpu_svm_handle_fault().
 * Only the process that opened a file may drive its VM. The VM holds a
 * reference to the drm_pagemap of the device's VRAM (vamdgpu_pagemap.c),
 * which the core migrates into.
 *
 * The invalidation check: with its SVM context the VM registers an MMU
 * notifier of its own on the process's mm. The kernel calls interval
 * notifiers, the core's among them, before the others
 * (__mmu_notifier_invalidate_range_start()), and until the invalidation
 * ends no page of its span can be mapped again (get_pages waits for it).
 * So when this notifier runs, no PTE of the span may be valid and the TLB
 * may hold none of it: one that does reaches memory the CPU is about to
 * free or move, whatever the timing of the GPU's accesses, which the
 * access-time checks (DOC: GPU MMU) see only when an access comes then.
 * It WARNs, once, naming the VA and the event. Pages the VM maps by hand
 * (vamdgpu_userptr.c: pinned, no notifier) are left out, by a software
 * bit of their PTEs: the rest of such a VM is checked as any other.
 */

#include <linux/sched.h>
#include <linux/wait.h>

#include <drm/drm_file.h>
#include <drm/drm_pagemap.h>
#include <drm/drm_print.h>
#include <drm/amdgpu_svm_drm.h>

#include "../amd/svm/amdgpu_svm.h"
#include "vamdgpu_debugfs.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_pagemap.h"
#include "vamdgpu_personality.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_inject.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_userptr.h"
#include "vamdgpu_vm.h"
#include "vamdgpu_vram.h"

static struct vamdgpu_vm *svm_vm(struct amdgpu_svm *svm)
{
	return amdgpu_svm_drvdata(svm);
}

/* The invalidation check (DOC: SVM glue). */
static int vamdgpu_svm_check_invalidation(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct vamdgpu_vm *vm = container_of(mn, struct vamdgpu_vm, svm_check);
	u64 va;

	if (!mmu_notifier_range_blockable(range))
		return 0;
	va = vamdgpu_vm_first_reachable(vm, range->start, range->end);
	WARN_ONCE(va < range->end,
		  "vamdgpu: VM %u: GPU VA 0x%llx still reachable once the SVM core invalidated [0x%lx, 0x%lx) (event %d)\n",
		  vm->id, va, range->start, range->end, range->event);
	return 0;
}

static const struct mmu_notifier_ops vamdgpu_svm_check_ops = {
	.invalidate_range_start = vamdgpu_svm_check_invalidation,
};

/*
 * A reservation debugfs armed to stall waits as a stalled update does, at
 * the point where amdgpu's waits for its page-table BOs to be validated:
 * after the pages were collected, with the SVM lock held but neither the
 * mmap_lock nor the notifier lock, so the CPU can change the span
 * meanwhile.
 */
static int vamdgpu_svm_reserve_ptes(struct amdgpu_svm *svm,
				    unsigned long start, unsigned long end)
{
	struct vamdgpu_vm *vm = svm_vm(svm);

	vamdgpu_stall_if_armed(vm->vdev, &vm->vdev->stall_pte_reserves,
			       &vm->vdev->pte_updates_stalled);
	return vamdgpu_vm_reserve_range(vm, start, end);
}

static int vamdgpu_svm_update_ptes(struct amdgpu_svm *svm,
				   const struct amdgpu_svm_pte_update *update)
{
	struct vamdgpu_vm *vm = svm_vm(svm);
	u64 flags = 0;
	int ret;

	vamdgpu_stall_if_armed(vm->vdev, &vm->vdev->stall_pte_updates,
			       &vm->vdev->pte_updates_stalled);
	/* Page tables "being evicted": refuse as amdgpu does (debugfs). */
	if (atomic_add_unless(&vm->vdev->fail_pte_updates, -1, 0))
		return -EBUSY;

	if (update->pte_flags & AMDGPU_SVM_PTE_READ)
		flags |= VAMDGPU_PTE_READ;
	if (update->pte_flags & AMDGPU_SVM_PTE_WRITE)
		flags |= VAMDGPU_PTE_WRITE;
	if (update->pte_flags & AMDGPU_SVM_PTE_EXEC)
		flags |= VAMDGPU_PTE_EXEC;
	if (update->pte_flags & AMDGPU_SVM_PTE_COHERENT)
		flags |= VAMDGPU_PTE_SNOOPED;
	ret = vamdgpu_vm_update_range(vm, update->start, update->end,
				      update->dma_addr, flags);
	/* A clear queued earlier on another engine lands now (XNACK on). */
	if (!ret && vamdgpu_vm_xnack(vm) &&
	    vamdgpu_should_fail(VAMDGPU_FAIL_PTE_LOST)) {
		vamdgpu_vm_clear_range(vm, update->start, update->end);
		vamdgpu_vm_flush_tlb(vm);
	}
	return ret;
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

/* A span with MAP_USERPTR mappings is not SVM's, as GEM VA spans on amdgpu. */
static int vamdgpu_svm_check_span(struct amdgpu_svm *svm, unsigned long start,
				  unsigned long end)
{
	return vamdgpu_userptr_in_span(svm_vm(svm), start, end) ? -EADDRINUSE : 0;
}

static const struct amdgpu_svm_gpu_ops vamdgpu_svm_ops = {
	.reserve_ptes = vamdgpu_svm_reserve_ptes,
	.update_ptes = vamdgpu_svm_update_ptes,
	.clear_ptes = vamdgpu_svm_clear_ptes,
	.flush_tlb = vamdgpu_svm_flush_tlb,
	.quiesce = vamdgpu_svm_quiesce,
	.resume = vamdgpu_svm_resume,
	.pagemap = vamdgpu_svm_pagemap,
	.check_span = vamdgpu_svm_check_span,
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

/* The SVM context of a VM: made at open, or at first use if it failed then. */
static struct amdgpu_svm *vamdgpu_svm_get(struct vamdgpu_vm *vm)
{
	struct drm_pagemap *dpagemap = NULL;
	struct amdgpu_svm *svm;
	unsigned int i;
	int ret;

	mutex_lock(&vm->lock);
	svm = vm->svm;
	if (svm)
		goto out_unlock;

	if (vm->vdev->vram) {
		dpagemap = vamdgpu_pagemap_get(vm->vdev);
		if (IS_ERR(dpagemap)) {
			svm = ERR_CAST(dpagemap);
			goto out_unlock;
		}
	}
	/*
	 * Set first: the pagemap op may be called as soon as the process
	 * lists the context.
	 */
	vm->dpagemap = dpagemap;
	svm = amdgpu_svm_create(&vm->vdev->svm_gpu, vm->xnack_enabled, vm);
	if (IS_ERR(svm)) {
		vm->dpagemap = NULL;
		drm_pagemap_put(dpagemap);
		goto out_unlock;
	}
	/* Queues made before the context count for the process's mode. */
	for (i = 0; i < vm->num_queues; i++)
		amdgpu_svm_queue_created(svm);
	/* Registering needs a live mm: the opener's, made by the opener. */
	vm->svm_check.ops = &vamdgpu_svm_check_ops;
	if (vm->mm && vm->mm == current->mm) {
		/* -EINTR: a signal was pending (mm_take_all_locks()). */
		ret = mmu_notifier_register(&vm->svm_check, vm->mm);
		if (ret) {
			vm->svm_check.mm = NULL;
			drm_warn_once(&vm->vdev->drm,
				      "VM %u: no invalidation check: its MMU notifier failed (%d)\n",
				      vm->id, ret);
		}
	}
	/* Queue workers read it without the lock (vamdgpu_svm_handle_fault()). */
	smp_store_release(&vm->svm, svm);
out_unlock:
	mutex_unlock(&vm->lock);
	return svm;
}

/**
 * vamdgpu_svm_open() - join the process's SVM at open of the render node
 * @vm: the new VM, of the opening process
 *
 * Every GPU a process opened is then part of its SVM: a valid attribute
 * target and in the process's XNACK mode, whichever file makes SVM calls.
 * When the process runs XNACK on and this GPU cannot, the file stays out
 * of it (its SVM ioctl reports why) and runs XNACK off.
 *
 * Context: process context (open), may sleep.
 */
void vamdgpu_svm_open(struct vamdgpu_vm *vm)
{
	vamdgpu_svm_get(vm);
}

/**
 * vamdgpu_svm_handle_fault() - resolve an XNACK-on GPU fault through SVM
 * @vm: the VM
 * @addr: the faulting GPU VA
 * @write: the access writes
 *
 * Context: a queue worker, may sleep; no vamdgpu lock held.
 * Return: amdgpu_svm_handle_fault()'s, or -ENOENT without an SVM context.
 */
int vamdgpu_svm_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write)
{
	/* Pairs with smp_store_release() in vamdgpu_svm_get(). */
	struct amdgpu_svm *svm = smp_load_acquire(&vm->svm);

	return svm ? amdgpu_svm_handle_fault(svm, addr, write) : -ENOENT;
}

/**
 * vamdgpu_svm_span_in_use() - does SVM own part of a GPU VA span of the VM
 * @vm: the VM
 * @start: first GPU VA
 * @end: one past the last
 *
 * Context: process context, may sleep; no vamdgpu lock held, nor the
 * mmap_lock (takes the SVM lock, then the mmap_lock).
 * Return: amdgpu_svm_span_in_use()'s, false without an SVM context.
 */
bool vamdgpu_svm_span_in_use(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	/* Pairs with smp_store_release() in vamdgpu_svm_get(). */
	struct amdgpu_svm *svm = smp_load_acquire(&vm->svm);

	return svm && amdgpu_svm_span_in_use(svm, start, end);
}

/**
 * vamdgpu_svm_queue_created() - count a new queue of the VM in its process
 * @vm: the VM
 *
 * Context: process context; &vamdgpu_vm.lock held.
 */
void vamdgpu_svm_queue_created(struct vamdgpu_vm *vm)
{
	lockdep_assert_held(&vm->lock);

	if (vm->svm)
		amdgpu_svm_queue_created(vm->svm);
}

/**
 * vamdgpu_svm_queue_destroyed() - a queue of the VM is gone
 * @vm: the VM
 *
 * Context: process context; &vamdgpu_vm.lock held.
 */
void vamdgpu_svm_queue_destroyed(struct vamdgpu_vm *vm)
{
	lockdep_assert_held(&vm->lock);

	if (vm->svm)
		amdgpu_svm_queue_destroyed(vm->svm);
}

/**
 * vamdgpu_svm_fini() - drop the SVM context of a VM
 * @vm: the VM, its queues already destroyed
 *
 * Context: process context, may sleep.
 */
void vamdgpu_svm_fini(struct vamdgpu_vm *vm)
{
	if (vm->svm_check.mm)
		mmu_notifier_unregister(&vm->svm_check, vm->mm);
	if (vm->svm)
		amdgpu_svm_destroy(vm->svm);
	vm->svm = NULL;
	drm_pagemap_put(vm->dpagemap);
	vm->dpagemap = NULL;
}

/**
 * vamdgpu_svm_set_xnack() - change the XNACK mode of the VM's process
 * @vm: the VM, with an SVM context
 * @enable: the new mode
 *
 * Context: process context; &vamdgpu_vm.lock held.
 * Return: 0 or the SVM core's errno (-EBUSY while the process has queues,
 * -EOPNOTSUPP when one of its GPUs cannot retry faults).
 */
int vamdgpu_svm_set_xnack(struct vamdgpu_vm *vm, bool enable)
{
	lockdep_assert_held(&vm->lock);

	return amdgpu_svm_set_xnack(vm->svm, enable);
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
	struct vamdgpu_vm *vm = vamdgpu_vm_from_file(file);
	struct amdgpu_svm *svm;

	/* The core checks its arguments first, then the caller (-EBADF). */
	svm = READ_ONCE(vm->svm);
	if (!svm) {
		if (vm->mm != current->mm)
			return -EBADF;
		svm = vamdgpu_svm_get(vm);
		if (IS_ERR(svm))
			return PTR_ERR(svm);
	}
	return amdgpu_svm_ioctl(svm, data);
}
