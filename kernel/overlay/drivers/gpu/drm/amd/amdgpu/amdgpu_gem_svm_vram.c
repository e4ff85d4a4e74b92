// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 The amdgpu-svm authors
 */

/**
 * DOC: amdgpu GEM SVM VRAM pagemap
 *
 * The SVM core migrates process memory into a GPU's VRAM through the
 * &drm_pagemap its ``pagemap`` op returns. On amdgpu that is:
 *
 * - a device-private &dev_pagemap as large as the device's VRAM, over a
 *   free physical address range (devm_request_free_mem_region()): page i
 *   of it stands for the VRAM page at offset i * PAGE_SIZE;
 * - populate_mm: one migration unit gets one cleared amdgpu BO in VRAM
 *   (&struct amdgpu_gem_svm_devmem), whose pages populate_devmem_pfn hands
 *   out; drm_pagemap migrates the data with the SDMA copy of
 *   amdgpu_gem_svm_copy() (copy_to_devmem, copy_to_ram); devmem_release
 *   drops the BO when its last page left VRAM;
 * - device_map gives the device itself the VRAM offset of a page
 *   (DRM_INTERCONNECT_DRIVER), which amdgpu_gem_svm_update_ptes() turns
 *   into a VRAM PTE. Other devices get an error: no peer-to-peer yet, so
 *   hmm_range_fault() migrates other owners' pages to system memory first.
 *
 * The BO is not pinned: SVM VRAM competes with every other VRAM user.
 * It is marked %AMDGPU_GEM_SVM_CREATE_DEVMEM, for which amdgpu_evict_flags()
 * names system memory as the only place and amdgpu_bo_move() calls
 * amdgpu_gem_svm_vram_evict(): drm_pagemap_evict_to_ram() copies the
 * unit's pages back to system memory, wherever they are mapped (also in a
 * child that shares them since fork() after the process that migrated
 * them exited), its VRAM is wiped, and the BO moves out empty; a BO freed
 * in VRAM is wiped too (VRAM_WIPE_ON_RELEASE, as amdgpu's GEM BOs), so no
 * later user of the VRAM reads the process's data. A unit whose pages are
 * still being migrated in cannot be evicted (-EBUSY) and TTM picks
 * another BO. TTM charges the BO to the dmem cgroup of the task that
 * migrates (amdgpu registers its VRAM as a dmem region): the process for
 * a SET_ATTR prefetch, the kernel worker for a migration on a GPU fault
 * or in the restore worker (see "Known limits" in docs/lab.md).
 *
 * Lifetime: one drm_pagemap per device at a time, made at first use and
 * shared; every SVM context of the device holds a reference, and so does
 * every migration unit with pages in VRAM. When the last goes, ``destroy``
 * unlinks it and unmaps the device pages; the next user makes a new one.
 * Freeing a unit's BO and a pagemap's pages happens in process context,
 * on a workqueue of the module's (drained at module exit), and each work
 * item holds a reference to the drm device of its own: the drm_pagemap
 * drops its reference from another work item, which may run first, and
 * after a hot-unplug that may be the device's last.
 *
 * KFD (HSA_AMD_SVM) registers its own device-private pagemap of the same
 * size for its SVM; both can coexist but double the struct page cost
 * (about 1.6% of VRAM each), so lab kernels using this one may turn
 * HSA_AMD_SVM off.
 */

#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/memremap.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_pagemap.h>

#include "amdgpu.h"
#include "amdgpu_gem_svm.h"
#include "amdgpu_object.h"
#include "amdgpu_res_cursor.h"
#include "amdgpu_ttm.h"

/**
 * struct amdgpu_gem_svm_vram - the drm_pagemap of a device's VRAM
 */
struct amdgpu_gem_svm_vram {
	/** @dpagemap: the drm_pagemap. */
	struct drm_pagemap dpagemap;
	/** @pgmap: the device-private pages standing for VRAM. */
	struct dev_pagemap pgmap;
	/** @adev: the device. */
	struct amdgpu_device *adev;
	/** @link: in amdgpu_gem_svm_vrams, under amdgpu_gem_svm_vram_lock. */
	struct list_head link;
	/** @mapped: @pgmap is live (devm_memremap_pages() succeeded). */
	bool mapped;
	/**
	 * @owners: the holders of the structure, the last of which frees it:
	 * the drm_pagemap's destroy, and the device's devres, which at a
	 * removal of the device unmaps @pgmap whether the pagemap still
	 * lives or not.
	 */
	refcount_t owners;
	/** @destroy_work: destruction outside atomic or reclaim context. */
	struct work_struct destroy_work;
};

/**
 * struct amdgpu_gem_svm_devmem - one migration unit in VRAM
 *
 * amdgpu_bo_create() allocates the whole structure (&amdgpu_bo_param
 * bo_ptr_size), and the BO's last reference frees it. It holds a
 * reference on its drm_pagemap until then: the last of its device pages
 * freed may drop the pagemap's other last reference, while the BO waits
 * on the LRU for its release work and TTM may still pick it to evict.
 */
struct amdgpu_gem_svm_devmem {
	/** @bo: the VRAM BO holding the unit; first member. */
	struct amdgpu_bo bo;
	/** @base: what drm_pagemap tracks the pages by. */
	struct drm_pagemap_devmem base;
	/** @release_work: drops the BO in process context. */
	struct work_struct release_work;
	/**
	 * @ready: @base is initialized (set with release semantics, then
	 * woken with wake_up_var()): until then TTM, which may pick the BO
	 * as soon as amdgpu_bo_create() returns, must leave it alone.
	 */
	bool ready;
};

static LIST_HEAD(amdgpu_gem_svm_vrams);
static DEFINE_SPINLOCK(amdgpu_gem_svm_vram_lock);
/*
 * Serializes the making of pagemaps: two first users of a device would
 * each map device-private pages for all of its VRAM (gigabytes of struct
 * pages on a large GPU) before one of them gave its own up.
 */
static DEFINE_MUTEX(amdgpu_gem_svm_vram_create_lock);
/* Where BOs and pagemaps are freed; amdgpu_gem_svm_exit() drains it. */
static struct workqueue_struct *amdgpu_gem_svm_vram_wq;

/**
 * amdgpu_gem_svm_init() - make the backend's workqueue
 *
 * Context: amdgpu module init.
 * Return: 0 or -ENOMEM.
 */
int amdgpu_gem_svm_init(void)
{
	amdgpu_gem_svm_vram_wq = alloc_workqueue("amdgpu_gem_svm", WQ_UNBOUND,
						 0);
	return amdgpu_gem_svm_vram_wq ? 0 : -ENOMEM;
}

/**
 * amdgpu_gem_svm_exit() - wait for the backend's work and free it
 *
 * Every device is unbound by now, so no device page is left to free a
 * unit and queue more: the BOs and pagemaps still queued are freed, and
 * the drm devices they held go, before the module's code does.
 *
 * Context: amdgpu module exit, after the PCI driver is unregistered.
 */
void amdgpu_gem_svm_exit(void)
{
	destroy_workqueue(amdgpu_gem_svm_vram_wq);
}

static struct amdgpu_gem_svm_vram *page_to_vram(struct page *page)
{
	return container_of(page_pgmap(page), struct amdgpu_gem_svm_vram, pgmap);
}

static u64 amdgpu_gem_svm_page_offset(struct page *page)
{
	return ((u64)page_to_pfn(page) << PAGE_SHIFT) -
	       page_to_vram(page)->pgmap.range.start;
}

static struct amdgpu_gem_svm_devmem *to_devmem(struct drm_pagemap_devmem *d)
{
	return container_of(d, struct amdgpu_gem_svm_devmem, base);
}

static void amdgpu_gem_svm_devmem_release_work(struct work_struct *work)
{
	struct amdgpu_gem_svm_devmem *devmem =
		container_of(work, struct amdgpu_gem_svm_devmem, release_work);
	struct drm_pagemap *dpagemap = devmem->base.dpagemap;
	struct amdgpu_bo *bo = &devmem->bo;
	struct drm_device *drm = adev_to_drm(amdgpu_ttm_adev(bo->tbo.bdev));

	/* Frees devmem, work item included, which the workqueue allows. */
	amdgpu_bo_unref(&bo);
	drm_pagemap_put(dpagemap);
	drm_dev_put(drm);
}

/*
 * May run in atomic context (the last device page freed): defer, holding
 * the device, whose drm_pagemap reference goes when this returns.
 */
static void amdgpu_gem_svm_devmem_release(struct drm_pagemap_devmem *base)
{
	struct amdgpu_gem_svm_devmem *devmem = to_devmem(base);

	drm_dev_get(adev_to_drm(amdgpu_ttm_adev(devmem->bo.tbo.bdev)));
	queue_work(amdgpu_gem_svm_vram_wq, &devmem->release_work);
}

static int amdgpu_gem_svm_populate_devmem_pfn(struct drm_pagemap_devmem *base,
					      unsigned long npages,
					      unsigned long *pfn)
{
	struct amdgpu_gem_svm_devmem *devmem = to_devmem(base);
	struct amdgpu_gem_svm_vram *vram =
		container_of(base->dpagemap, struct amdgpu_gem_svm_vram, dpagemap);
	struct amdgpu_res_cursor cursor;
	unsigned long i = 0;
	u64 off;

	if ((u64)npages << PAGE_SHIFT > amdgpu_bo_size(&devmem->bo))
		return -EINVAL;
	amdgpu_res_first(devmem->bo.tbo.resource, 0, (u64)npages << PAGE_SHIFT,
			 &cursor);
	while (cursor.remaining) {
		for (off = 0; off < cursor.size; off += PAGE_SIZE)
			pfn[i++] = PHYS_PFN(vram->pgmap.range.start +
					    cursor.start + off);
		amdgpu_res_next(&cursor, cursor.size);
	}
	return 0;
}

/*
 * Copy the pages that have both a device page and a system address, in
 * one SDMA stream, and wait for it: drm_pagemap frees the source after the
 * callback returns. A copy of which a GPU reset cancelled any job fails
 * the migration, which then leaves every page where it was, rather than
 * handing over unwritten destination pages.
 */
static int amdgpu_gem_svm_devmem_copy(struct page **pages,
				      struct drm_pagemap_addr *addrs,
				      unsigned long npages,
				      struct dma_fence *pre_migrate_fence,
				      bool to_vram)
{
	struct amdgpu_device *adev = NULL;
	unsigned long i, k, nr, n = 0;
	dma_addr_t *sys;
	u64 *vram, offset;
	int r;

	if (pre_migrate_fence)
		dma_fence_wait(pre_migrate_fence, false);

	sys = kvmalloc_array(npages, sizeof(*sys), GFP_KERNEL);
	vram = kvmalloc_array(npages, sizeof(*vram), GFP_KERNEL);
	if (!sys || !vram) {
		r = -ENOMEM;
		goto out_free;
	}
	/*
	 * drm_pagemap fills only the first entry of a folio of order > 0;
	 * both of its sides are contiguous: copy every page of it.
	 */
	for (i = 0; i < npages; i += nr) {
		nr = 1;
		if (!pages[i] || !drm_pagemap_addr_address(&addrs[i]))
			continue;
		nr = min(1UL << addrs[i].order, npages - i);
		adev = page_to_vram(pages[i])->adev;
		offset = amdgpu_gem_svm_page_offset(pages[i]);
		for (k = 0; k < nr; k++, n++) {
			sys[n] = drm_pagemap_addr_address(&addrs[i]) +
				 k * PAGE_SIZE;
			vram[n] = offset + k * PAGE_SIZE;
		}
	}
	r = n ? amdgpu_gem_svm_copy(adev, sys, vram, n, to_vram) : 0;
out_free:
	kvfree(vram);
	kvfree(sys);
	return r;
}

static int amdgpu_gem_svm_copy_to_devmem(struct page **pages,
					 struct drm_pagemap_addr *addrs,
					 unsigned long npages,
					 struct dma_fence *pre_migrate_fence)
{
	return amdgpu_gem_svm_devmem_copy(pages, addrs, npages,
					  pre_migrate_fence, true);
}

static int amdgpu_gem_svm_copy_to_ram(struct page **pages,
				      struct drm_pagemap_addr *addrs,
				      unsigned long npages,
				      struct dma_fence *pre_migrate_fence)
{
	return amdgpu_gem_svm_devmem_copy(pages, addrs, npages,
					  pre_migrate_fence, false);
}

static const struct drm_pagemap_devmem_ops amdgpu_gem_svm_devmem_ops = {
	.devmem_release = amdgpu_gem_svm_devmem_release,
	.populate_devmem_pfn = amdgpu_gem_svm_populate_devmem_pfn,
	.copy_to_devmem = amdgpu_gem_svm_copy_to_devmem,
	.copy_to_ram = amdgpu_gem_svm_copy_to_ram,
};

/*
 * A migration unit of @size bytes in a cleared, evictable VRAM BO, wiped
 * when it is freed in VRAM (as amdgpu's GEM BOs are) or evicted
 * (amdgpu_gem_svm_vram_evict()): the next user of the VRAM never reads
 * the process's data.
 */
static struct amdgpu_gem_svm_devmem *
amdgpu_gem_svm_devmem_create(struct amdgpu_device *adev, unsigned long size)
{
	struct amdgpu_bo_param bp = {
		.size = size,
		.byte_align = PAGE_SIZE,
		.domain = AMDGPU_GEM_DOMAIN_VRAM,
		.flags = AMDGPU_GEM_CREATE_NO_CPU_ACCESS |
			 AMDGPU_GEM_CREATE_VRAM_CLEARED |
			 AMDGPU_GEM_CREATE_VRAM_WIPE_ON_RELEASE |
			 AMDGPU_GEM_SVM_CREATE_DEVMEM,
		.type = ttm_bo_type_device,
		.bo_ptr_size = sizeof(struct amdgpu_gem_svm_devmem),
	};
	struct amdgpu_bo *bo;
	int r;

	r = amdgpu_bo_create(adev, &bp, &bo);
	if (r)
		return ERR_PTR(r);
	/* The clear must land before a copy writes the pages. */
	dma_resv_wait_timeout(bo->tbo.base.resv, DMA_RESV_USAGE_KERNEL, false,
			      MAX_SCHEDULE_TIMEOUT);
	return container_of(bo, struct amdgpu_gem_svm_devmem, bo);
}

/*
 * Clear the VRAM of @bo before the BO moves out without a copy, as
 * amdgpu_move_blit() wipes a BO created VRAM_WIPE_ON_RELEASE that it
 * evicts, and wait for it. Without the copy engine (amdgpu's own
 * evictions then copy with the CPU, and wipe nothing either) nothing is
 * cleared.
 */
static int amdgpu_gem_svm_devmem_wipe(struct amdgpu_bo *bo)
{
	struct amdgpu_device *adev = amdgpu_ttm_adev(bo->tbo.bdev);
	struct dma_fence *fence = NULL;
	int r;

	if (!adev->mman.buffer_funcs_enabled)
		return 0;
	r = amdgpu_ttm_clear_buffer(amdgpu_ttm_next_clear_entity(adev), bo,
				    NULL, &fence, false,
				    AMDGPU_KERNEL_JOB_ID_MOVE_BLIT);
	if (fence) {
		dma_fence_wait(fence, false);
		r = r ?: fence->error;
		dma_fence_put(fence);
	}
	if (!r)
		amdgpu_vram_mgr_set_cleared(bo->tbo.resource);
	return r;
}

/**
 * amdgpu_gem_svm_vram_evict() - evict a migration unit from VRAM
 * @bo: a BO created %AMDGPU_GEM_SVM_CREATE_DEVMEM, in VRAM
 *
 * amdgpu_bo_move() evicts SVM VRAM through here: the unit's pages go back
 * to system memory with drm_pagemap_evict_to_ram() (the MMU notifiers of
 * the process invalidate the GPU mappings on the way), and its VRAM is
 * wiped (amdgpu_gem_svm_devmem_wipe()), after which the BO holds nothing
 * and the caller moves it out empty.
 *
 * A unit still being set up (its clear landing, see
 * amdgpu_gem_svm_populate_mm()) is waited for, not refused: TTM's
 * evict-all of suspend and device removal stops at the first BO that
 * refuses, and the set-up ends on its own.
 *
 * Context: process context; @bo reserved by TTM; waits for the SDMA copy.
 * A unit whose pages were all freed (drm_pagemap detached it) holds
 * nothing: its BO waits for its release work, and is moved out empty.
 *
 * Return: 0 when no page of the unit is left in VRAM and it is wiped;
 * -EBUSY, which makes TTM's eviction walk go on to the next BO, while its
 * pages are being migrated in; -ENOMEM; the error of the wipe. On error
 * the BO stays where it is.
 */
int amdgpu_gem_svm_vram_evict(struct amdgpu_bo *bo)
{
	struct amdgpu_gem_svm_devmem *devmem =
		container_of(bo, struct amdgpu_gem_svm_devmem, bo);
	int r = 0;

	dma_resv_assert_held(bo->tbo.base.resv);
	if (WARN_ON_ONCE(!(bo->flags & AMDGPU_GEM_SVM_CREATE_DEVMEM)))
		return -EINVAL;
	/* Pairs with the release in amdgpu_gem_svm_populate_mm(). */
	wait_var_event(&devmem->ready, smp_load_acquire(&devmem->ready));
	if (!completion_done(&devmem->base.detached))
		r = drm_pagemap_evict_to_ram(&devmem->base);
	return r ?: amdgpu_gem_svm_devmem_wipe(bo);
}

/**
 * amdgpu_gem_svm_populate_mm() - &drm_pagemap_ops.populate_mm
 * @dpagemap: the device's VRAM
 * @start: first byte, page aligned
 * @end: one past the last; [start, end) is one migration unit
 * @mm: the address space, mmap_lock held at least for read
 * @timeslice_ms: minimum VRAM residency against CPU faults
 *
 * Context: process context, may sleep; the mmap_lock of @mm held.
 * Return: 0, -ENOSPC or -ENOMEM when VRAM cannot hold the unit, -EBUSY
 * when the migration raced, -ENODEV after device removal.
 */
static int amdgpu_gem_svm_populate_mm(struct drm_pagemap *dpagemap,
				      unsigned long start, unsigned long end,
				      struct mm_struct *mm,
				      unsigned long timeslice_ms)
{
	struct amdgpu_gem_svm_vram *vram =
		container_of(dpagemap, struct amdgpu_gem_svm_vram, dpagemap);
	struct drm_pagemap_migrate_details details = {
		.timeslice_ms = timeslice_ms,
	};
	struct amdgpu_gem_svm_devmem *devmem;
	int idx, r;

	mmap_assert_locked(mm);
	if (!drm_dev_enter(dpagemap->drm, &idx))
		return -ENODEV;

	devmem = amdgpu_gem_svm_devmem_create(vram->adev, end - start);
	if (IS_ERR(devmem)) {
		r = PTR_ERR(devmem);
		goto out_exit;
	}
	INIT_WORK(&devmem->release_work, amdgpu_gem_svm_devmem_release_work);
	drm_pagemap_devmem_init(&devmem->base, dpagemap->drm->dev, mm,
				&amdgpu_gem_svm_devmem_ops,
				drm_pagemap_get(dpagemap), end - start, NULL);
	/* @base before @ready: pairs with amdgpu_gem_svm_vram_evict(). */
	smp_store_release(&devmem->ready, true);
	wake_up_var(&devmem->ready);
	/* Consumes devmem: devmem_release drops it, on error too. */
	r = drm_pagemap_migrate_to_devmem(&devmem->base, mm, start, end,
					  &details);
out_exit:
	drm_dev_exit(idx);
	return r;
}

static struct drm_pagemap_addr
amdgpu_gem_svm_device_map(struct drm_pagemap *dpagemap, struct device *dev,
			  struct page *page, unsigned int order,
			  enum dma_data_direction dir)
{
	dma_addr_t addr = DMA_MAPPING_ERROR;

	if (dev == dpagemap->drm->dev)
		addr = amdgpu_gem_svm_page_offset(page);
	return drm_pagemap_addr_encode(addr, DRM_INTERCONNECT_DRIVER, order,
				       dir);
}

/* A VRAM offset holds no mapping resources. */
static void amdgpu_gem_svm_device_unmap(struct drm_pagemap *dpagemap,
					struct device *dev,
					const struct drm_pagemap_addr *addr)
{
}

static void amdgpu_gem_svm_vram_put(struct amdgpu_gem_svm_vram *vram)
{
	if (refcount_dec_and_test(&vram->owners))
		kfree(vram);
}

/* Devres: runs after the device's devres unmapped @data's pages. */
static void amdgpu_gem_svm_vram_devres_put(void *data)
{
	amdgpu_gem_svm_vram_put(data);
}

static void amdgpu_gem_svm_vram_destroy_work(struct work_struct *work)
{
	struct amdgpu_gem_svm_vram *vram =
		container_of(work, struct amdgpu_gem_svm_vram, destroy_work);
	struct drm_device *drm = vram->dpagemap.drm;
	struct dev_pagemap *pgmap = &vram->pgmap;
	int idx;

	/*
	 * After unbind the devm_ actions already did (or will do) this, and
	 * the last of them lets the structure go.
	 */
	if (vram->mapped && drm_dev_enter(drm, &idx)) {
		devm_memunmap_pages(drm->dev, pgmap);
		devm_release_mem_region(drm->dev, pgmap->range.start,
					range_len(&pgmap->range));
		devm_release_action(drm->dev, amdgpu_gem_svm_vram_devres_put,
				    vram);
		drm_dev_exit(idx);
	}
	amdgpu_gem_svm_vram_put(vram);
	drm_dev_put(drm);
}

static void amdgpu_gem_svm_vram_destroy(struct drm_pagemap *dpagemap,
					bool is_atomic_or_reclaim)
{
	struct amdgpu_gem_svm_vram *vram =
		container_of(dpagemap, struct amdgpu_gem_svm_vram, dpagemap);
	unsigned long flags;

	spin_lock_irqsave(&amdgpu_gem_svm_vram_lock, flags);
	if (!list_empty(&vram->link))
		list_del_init(&vram->link);
	spin_unlock_irqrestore(&amdgpu_gem_svm_vram_lock, flags);

	/* The drm_pagemap's own device reference goes once this returns. */
	drm_dev_get(dpagemap->drm);
	if (is_atomic_or_reclaim)
		queue_work(amdgpu_gem_svm_vram_wq, &vram->destroy_work);
	else
		amdgpu_gem_svm_vram_destroy_work(&vram->destroy_work);
}

static const struct drm_pagemap_ops amdgpu_gem_svm_pagemap_ops = {
	.device_map = amdgpu_gem_svm_device_map,
	.device_unmap = amdgpu_gem_svm_device_unmap,
	.populate_mm = amdgpu_gem_svm_populate_mm,
	.destroy = amdgpu_gem_svm_vram_destroy,
};

/* A reference to the live drm_pagemap of @adev, or NULL. */
static struct drm_pagemap *
amdgpu_gem_svm_vram_lookup_locked(struct amdgpu_device *adev)
{
	struct amdgpu_gem_svm_vram *vram;

	lockdep_assert_held(&amdgpu_gem_svm_vram_lock);

	/* One being destroyed may still be listed before the new one. */
	list_for_each_entry(vram, &amdgpu_gem_svm_vrams, link)
		if (vram->adev == adev &&
		    drm_pagemap_get_unless_zero(&vram->dpagemap))
			return &vram->dpagemap;
	return NULL;
}

static struct drm_pagemap *amdgpu_gem_svm_vram_lookup(struct amdgpu_device *adev)
{
	struct drm_pagemap *dpagemap;
	unsigned long flags;

	spin_lock_irqsave(&amdgpu_gem_svm_vram_lock, flags);
	dpagemap = amdgpu_gem_svm_vram_lookup_locked(adev);
	spin_unlock_irqrestore(&amdgpu_gem_svm_vram_lock, flags);
	return dpagemap;
}

/* Make the drm_pagemap of @adev's VRAM; amdgpu_gem_svm_vram_create_lock. */
static struct drm_pagemap *amdgpu_gem_svm_vram_create(struct amdgpu_device *adev)
{
	struct device *dev = adev->dev;
	struct amdgpu_gem_svm_vram *vram;
	struct dev_pagemap *pgmap;
	struct resource *res;
	unsigned long flags;
	void *addr;
	int r;

	lockdep_assert_held(&amdgpu_gem_svm_vram_create_lock);

	vram = kzalloc_obj(*vram);
	if (!vram)
		return ERR_PTR(-ENOMEM);
	vram->adev = adev;
	INIT_LIST_HEAD(&vram->link);
	INIT_WORK(&vram->destroy_work, amdgpu_gem_svm_vram_destroy_work);
	refcount_set(&vram->owners, 1);
	r = drm_pagemap_init(&vram->dpagemap, &vram->pgmap, adev_to_drm(adev),
			     &amdgpu_gem_svm_pagemap_ops);
	if (r) {
		kfree(vram);
		return ERR_PTR(r);
	}

	/* Before the mapping's own devres, so that it runs after them. */
	refcount_inc(&vram->owners);
	r = devm_add_action_or_reset(dev, amdgpu_gem_svm_vram_devres_put,
				     vram);
	if (r)
		goto err_put;

	/* Whole 2 MiB units, as KFD's: a device THP never straddles the end. */
	res = devm_request_free_mem_region(dev, &iomem_resource,
					   ALIGN(adev->gmc.real_vram_size,
						 SZ_2M));
	if (IS_ERR(res)) {
		r = PTR_ERR(res);
		goto err_action;
	}
	pgmap = &vram->pgmap;
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	pgmap->range.start = res->start;
	pgmap->range.end = res->end;
	pgmap->nr_range = 1;
	pgmap->owner = vram;
	pgmap->ops = drm_pagemap_pagemap_ops_get();
	addr = devm_memremap_pages(dev, pgmap);
	if (IS_ERR(addr)) {
		r = PTR_ERR(addr);
		goto err_release;
	}
	vram->mapped = true;

	spin_lock_irqsave(&amdgpu_gem_svm_vram_lock, flags);
	list_add_tail(&vram->link, &amdgpu_gem_svm_vrams);
	spin_unlock_irqrestore(&amdgpu_gem_svm_vram_lock, flags);
	return &vram->dpagemap;

err_release:
	devm_release_mem_region(dev, res->start, resource_size(res));
err_action:
	devm_release_action(dev, amdgpu_gem_svm_vram_devres_put, vram);
err_put:
	/* Not mapped: destroy only lets it go. */
	drm_pagemap_put(&vram->dpagemap);
	return ERR_PTR(r);
}

/**
 * amdgpu_gem_svm_vram_get() - a reference to the drm_pagemap of a device's VRAM
 * @adev: the device
 *
 * Makes the drm_pagemap (and its device-private pages) if the device has
 * none. Drop the reference with drm_pagemap_put(); the page owner for
 * hmm_range_fault() is ``dpagemap->pagemap->owner``.
 *
 * Context: process context, may sleep.
 * Return: the drm_pagemap, or an ERR_PTR(): -ENODEV without VRAM or SDMA,
 * -ENOMEM, or the error of the device-private page setup.
 */
struct drm_pagemap *amdgpu_gem_svm_vram_get(struct amdgpu_device *adev)
{
	struct drm_pagemap *dpagemap;

	if ((adev->flags & AMD_IS_APU) || !adev->gmc.real_vram_size ||
	    !adev->mman.buffer_funcs_enabled)
		return ERR_PTR(-ENODEV);
	dpagemap = amdgpu_gem_svm_vram_lookup(adev);
	if (dpagemap)
		return dpagemap;

	mutex_lock(&amdgpu_gem_svm_vram_create_lock);
	dpagemap = amdgpu_gem_svm_vram_lookup(adev) ?:
		   amdgpu_gem_svm_vram_create(adev);
	mutex_unlock(&amdgpu_gem_svm_vram_create_lock);
	return dpagemap;
}
