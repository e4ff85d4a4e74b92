// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: Hand-mapping path
 *
 * DRM_IOCTL_VAMDGPU_VM_OP maps user memory into the GPU page table without
 * the SVM driver, so the device model (queues, TLB, faults, XNACK) can be
 * tested on its own and before the SVM core exists. A mapping pins the
 * user pages (FOLL_LONGTERM), DMA-maps them for the virtual GPU and writes
 * PTEs through the same functions the SVM core's ops use. It is not SVM:
 * no MMU notifier follows the CPU page tables, the pages stay pinned until
 * the mapping is removed or the file is closed.
 *
 * A VAMDGPU_VM_MAP_LAZY mapping writes no PTE: the GPU faults on the first
 * access of each page. With XNACK on, vamdgpu_userptr_handle_fault()
 * (asked first by the VM's built-in fault handler, before the SVM core)
 * writes the PTE and the access retries; with XNACK off the access is a
 * VM fault.
 * VAMDGPU_VM_SKIP_TLB_FLUSH leaves the TLB alone after a change, which is
 * how a test shows that the TLB really caches.
 *
 * Locking: &vamdgpu_vm.userptr_lock protects &vamdgpu_vm.userptrs and is
 * taken by the fault handler from a queue worker.
 */

#include <linux/dma-mapping.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/vamdgpu_drm.h>

#include "vamdgpu_drv.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_userptr.h"
#include "vamdgpu_vm.h"

/**
 * struct vamdgpu_userptr - user memory mapped by hand
 */
struct vamdgpu_userptr {
	/** @link: in &vamdgpu_vm.userptrs. */
	struct list_head link;
	/** @va: first GPU VA. */
	u64 va;
	/** @npages: pages mapped. */
	unsigned long npages;
	/** @read_only: no GPU write permission. */
	bool read_only;
	/**
	 * @lazy: PTEs are written at the GPU's first access of each page
	 * (VAMDGPU_VM_MAP_LAZY), not at map time.
	 */
	bool lazy;
	/** @pages: the pinned pages. */
	struct page **pages;
	/** @dma: their DMA addresses for the virtual GPU. */
	dma_addr_t *dma;
};

static u64 vamdgpu_userptr_end(const struct vamdgpu_userptr *up)
{
	return up->va + ((u64)up->npages << PAGE_SHIFT);
}

static u64 vamdgpu_userptr_pte(const struct vamdgpu_userptr *up,
			       unsigned long i)
{
	return up->dma[i] | VAMDGPU_PTE_VALID | VAMDGPU_PTE_READ |
	       VAMDGPU_PTE_SNOOPED | VAMDGPU_PTE_PINNED |
	       (up->read_only ? 0 : VAMDGPU_PTE_WRITE);
}

static struct vamdgpu_userptr *
vamdgpu_userptr_find(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	struct vamdgpu_userptr *up;

	lockdep_assert_held(&vm->userptr_lock);

	list_for_each_entry(up, &vm->userptrs, link)
		if (up->va < end && start < vamdgpu_userptr_end(up))
			return up;
	return NULL;
}

/**
 * vamdgpu_userptr_in_span() - does a hand-made mapping overlap a VA span
 * @vm: the VM
 * @start: first GPU VA
 * @end: one past the last
 *
 * Context: process context; takes &vamdgpu_vm.userptr_lock (inside the
 * SVM lock and the mmap_lock when the SVM core asks, in check_span).
 * Return: true if a MAP_USERPTR mapping overlaps [@start, @end).
 */
bool vamdgpu_userptr_in_span(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	bool found;

	mutex_lock(&vm->userptr_lock);
	found = vamdgpu_userptr_find(vm, start, end);
	mutex_unlock(&vm->userptr_lock);
	return found;
}

/* DMA-unmap and unpin; the PTEs must already be cleared and flushed. */
static void vamdgpu_userptr_free(struct vamdgpu_vm *vm,
				 struct vamdgpu_userptr *up, unsigned long mapped,
				 unsigned long pinned)
{
	struct device *dev = vm->vdev->drm.dev;
	unsigned long i;

	for (i = 0; i < mapped; i++)
		dma_unmap_page(dev, up->dma[i], PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (pinned)
		unpin_user_pages_dirty_lock(up->pages, pinned, !up->read_only);
	kvfree(up->dma);
	kvfree(up->pages);
	kfree(up);
}

static int vamdgpu_vm_op_check(const struct drm_vamdgpu_vm_op *args, u32 flags)
{
	u64 end;

	if (args->flags & ~flags)
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->va) || !PAGE_ALIGNED(args->size))
		return -EINVAL;
	if (check_add_overflow(args->va, args->size, &end) ||
	    end > VAMDGPU_VA_LIMIT)
		return -EINVAL;
	if (args->size > VAMDGPU_VM_MAP_MAX_SIZE)
		return -E2BIG;
	return 0;
}

/**
 * vamdgpu_userptr_map() - map user memory at a GPU VA (VM_OP MAP_USERPTR)
 * @vm: the VM
 * @args: the ioctl arguments
 *
 * The SVM core owns the spans where SVM attributes are set or SVM ranges
 * exist; a mapping there is refused, as amdgpu refuses a GEM VA over them
 * (checked before &vamdgpu_vm.userptr_lock, which nests inside the SVM
 * lock).
 *
 * Context: process context of the owner of the memory, may sleep.
 * Return: 0, -EINVAL / -E2BIG for bad arguments, -EADDRINUSE over SVM
 * memory, -EEXIST if the span is mapped, -EFAULT if the memory cannot be
 * pinned, -ENOMEM.
 */
int vamdgpu_userptr_map(struct vamdgpu_vm *vm,
			const struct drm_vamdgpu_vm_op *args)
{
	struct device *dev = vm->vdev->drm.dev;
	unsigned long i, mapped = 0;
	struct vamdgpu_userptr *up;
	int pinned = 0, ret;

	ret = vamdgpu_vm_op_check(args, VAMDGPU_VM_MAP_READ_ONLY |
				  VAMDGPU_VM_MAP_LAZY | VAMDGPU_VM_SKIP_TLB_FLUSH);
	if (ret)
		return ret;
	if (!PAGE_ALIGNED(args->userptr) || !args->userptr)
		return -EINVAL;
	if (vamdgpu_svm_span_in_use(vm, args->va, args->va + args->size))
		return -EADDRINUSE;

	up = kzalloc_obj(*up);
	if (!up)
		return -ENOMEM;
	up->va = args->va;
	up->npages = args->size >> PAGE_SHIFT;
	up->read_only = args->flags & VAMDGPU_VM_MAP_READ_ONLY;
	up->lazy = args->flags & VAMDGPU_VM_MAP_LAZY;
	up->pages = kvcalloc(up->npages, sizeof(*up->pages), GFP_KERNEL);
	up->dma = kvcalloc(up->npages, sizeof(*up->dma), GFP_KERNEL);
	if (!up->pages || !up->dma) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = vamdgpu_vm_reserve_range(vm, args->va, args->va + args->size);
	if (ret)
		goto err_free;

	pinned = pin_user_pages_fast(args->userptr, up->npages,
				     FOLL_LONGTERM |
				     (up->read_only ? 0 : FOLL_WRITE),
				     up->pages);
	if (pinned != up->npages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned < 0)
			pinned = 0;
		goto err_free;
	}

	for (mapped = 0; mapped < up->npages; mapped++) {
		up->dma[mapped] = dma_map_page(dev, up->pages[mapped], 0,
					       PAGE_SIZE, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, up->dma[mapped])) {
			ret = -ENOMEM;
			goto err_free;
		}
	}

	mutex_lock(&vm->userptr_lock);
	if (vamdgpu_userptr_find(vm, args->va, args->va + args->size)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (!up->lazy) {
		for (i = 0; i < up->npages; i++) {
			ret = vamdgpu_vm_set_pte(vm, up->va + (i << PAGE_SHIFT),
						 vamdgpu_userptr_pte(up, i));
			if (WARN_ON_ONCE(ret)) /* reserved above */
				goto err_clear;
		}
	}
	list_add_tail(&up->link, &vm->userptrs);
	if (!(args->flags & VAMDGPU_VM_SKIP_TLB_FLUSH))
		vamdgpu_vm_flush_tlb(vm);
	mutex_unlock(&vm->userptr_lock);
	return 0;

err_clear:
	vamdgpu_vm_clear_range(vm, args->va, args->va + args->size);
	vamdgpu_vm_flush_tlb(vm);
err_unlock:
	mutex_unlock(&vm->userptr_lock);
err_free:
	vamdgpu_userptr_free(vm, up, mapped, pinned);
	return ret;
}

/* Clear the PTEs of @up and unlink it. */
static void vamdgpu_userptr_remove(struct vamdgpu_vm *vm,
				   struct vamdgpu_userptr *up, bool flush)
{
	lockdep_assert_held(&vm->userptr_lock);

	list_del(&up->link);
	vamdgpu_vm_clear_range(vm, up->va, vamdgpu_userptr_end(up));
	if (flush)
		vamdgpu_vm_flush_tlb(vm);
}

/**
 * vamdgpu_userptr_unmap() - remove a mapping (VM_OP UNMAP)
 * @vm: the VM
 * @args: the ioctl arguments: exactly the span of one mapping
 *
 * Without VAMDGPU_VM_SKIP_TLB_FLUSH the TLB is flushed before the pages
 * are unpinned. With it, stale TLB entries keep their own page references,
 * so the GPU reads stale data, never freed memory.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for bad arguments, -ENOENT if no mapping has that span.
 */
int vamdgpu_userptr_unmap(struct vamdgpu_vm *vm,
			  const struct drm_vamdgpu_vm_op *args)
{
	struct vamdgpu_userptr *up;
	int ret;

	ret = vamdgpu_vm_op_check(args, VAMDGPU_VM_SKIP_TLB_FLUSH);
	if (ret)
		return ret;
	if (args->userptr)
		return -EINVAL;

	mutex_lock(&vm->userptr_lock);
	up = vamdgpu_userptr_find(vm, args->va, args->va + args->size);
	if (!up || up->va != args->va ||
	    vamdgpu_userptr_end(up) != args->va + args->size) {
		mutex_unlock(&vm->userptr_lock);
		return -ENOENT;
	}
	vamdgpu_userptr_remove(vm, up,
			       !(args->flags & VAMDGPU_VM_SKIP_TLB_FLUSH));
	mutex_unlock(&vm->userptr_lock);

	vamdgpu_userptr_free(vm, up, up->npages, up->npages);
	return 0;
}

/**
 * vamdgpu_userptr_unmap_all() - remove every hand mapping of a VM
 * @vm: the VM, whose queues are stopped
 *
 * Context: process context, may sleep.
 */
void vamdgpu_userptr_unmap_all(struct vamdgpu_vm *vm)
{
	struct vamdgpu_userptr *up, *next;
	LIST_HEAD(list);

	mutex_lock(&vm->userptr_lock);
	list_for_each_entry_safe(up, next, &vm->userptrs, link) {
		vamdgpu_userptr_remove(vm, up, false);
		list_add_tail(&up->link, &list);
	}
	vamdgpu_vm_flush_tlb(vm);
	mutex_unlock(&vm->userptr_lock);

	list_for_each_entry_safe(up, next, &list, link)
		vamdgpu_userptr_free(vm, up, up->npages, up->npages);
}

/**
 * vamdgpu_userptr_restore_all() - write the PTEs of the hand-made mappings
 * again after the VM's page table was lost
 * @vm: the VM (vamdgpu_vm_revalidate())
 *
 * As amdgpu maps its buffers again after a reset that lost VRAM. Lazy
 * mappings stay lazy: their PTEs come back at the GPU's next access.
 *
 * Context: process context; takes &vamdgpu_vm.userptr_lock.
 */
void vamdgpu_userptr_restore_all(struct vamdgpu_vm *vm)
{
	struct vamdgpu_userptr *up;
	unsigned long i;

	mutex_lock(&vm->userptr_lock);
	list_for_each_entry(up, &vm->userptrs, link) {
		if (up->lazy)
			continue;
		/* The leaves were reserved at map time and are never freed. */
		for (i = 0; i < up->npages; i++)
			WARN_ON_ONCE(vamdgpu_vm_set_pte(vm, up->va + (i << PAGE_SHIFT),
							vamdgpu_userptr_pte(up, i)));
	}
	mutex_unlock(&vm->userptr_lock);
}

/**
 * vamdgpu_userptr_handle_fault() - XNACK on: map the page of a lazy mapping
 * @vm: the VM
 * @addr: the faulting GPU VA
 * @write: the access writes
 *
 * Context: a queue worker, may sleep; takes &vamdgpu_vm.userptr_lock.
 * Return: 0 to retry the access, -ENOENT when no hand-made mapping covers
 * @addr, -EFAULT for a write to a read-only one, -ENOMEM.
 */
int vamdgpu_userptr_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write)
{
	struct vamdgpu_userptr *up;
	unsigned long i;
	int ret;

	mutex_lock(&vm->userptr_lock);
	up = vamdgpu_userptr_find(vm, addr, addr + 1);
	if (!up) {
		ret = -ENOENT;
	} else if (write && up->read_only) {
		ret = -EFAULT;
	} else {
		i = (addr - up->va) >> PAGE_SHIFT;
		ret = vamdgpu_vm_set_pte(vm, addr & PAGE_MASK,
					 vamdgpu_userptr_pte(up, i));
	}
	mutex_unlock(&vm->userptr_lock);
	return ret;
}
