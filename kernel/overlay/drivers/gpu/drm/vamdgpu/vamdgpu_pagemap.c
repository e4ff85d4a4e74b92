// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: VRAM as a drm_pagemap
 *
 * The SVM core migrates process memory into a GPU's VRAM through the
 * &drm_pagemap the GPU returns from its ``pagemap`` op. Here that is a
 * drm_pagemap over the device's VRAM (vamdgpu_vram.c):
 *
 * - populate_mm: one migration unit (the core calls it once per granule)
 *   gets one VRAM block; when VRAM is full the oldest blocks are evicted
 *   to system memory first (VRAM pressure), then drm_pagemap migrates the
 *   pages in with a minimum residency (the core's timeslice).
 * - the block is a &drm_pagemap_devmem: populate_devmem_pfn hands out its
 *   pages, copy_to_devmem / copy_to_ram are the virtual copy engine, and
 *   devmem_release frees the block when its last page left VRAM.
 * - device_map gives the GPU the VRAM offset of a page
 *   (DRM_INTERCONNECT_DRIVER), which the page table turns into a
 *   VAMDGPU_PTE_VRAM entry. Another device gets an error: virtual GPUs
 *   have no peer-to-peer path, and hmm_range_fault() migrates other
 *   owners' pages to system memory before any GPU maps them.
 *
 * Lifetime: the drm_pagemap of a device is made at first use and shared;
 * every VM that may migrate holds a reference, and so does every block
 * with pages in VRAM. It holds the DRM device and the module until its
 * last reference goes, then ``destroy`` forgets it (&vamdgpu_device.dpagemap
 * under &vamdgpu_device.dpagemap_lock) and the next user makes a new one.
 * A block keeps the mm of its pages (mmgrab) so that an eviction can reach
 * it while the process exits.
 */

#include <kunit/visibility.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_pagemap.h>
#include <drm/drm_print.h>

#include "vamdgpu_drv.h"
#include "vamdgpu_inject.h"
#include "vamdgpu_pagemap.h"
#include "vamdgpu_vram.h"

/**
 * struct vamdgpu_pagemap - the drm_pagemap of a device's VRAM
 */
struct vamdgpu_pagemap {
	/** @base: the drm_pagemap. */
	struct drm_pagemap base;
	/** @vdev: the device. */
	struct vamdgpu_device *vdev;
};

/**
 * struct vamdgpu_devmem - one migration unit in VRAM
 */
struct vamdgpu_devmem {
	/** @base: what drm_pagemap tracks the pages by. */
	struct drm_pagemap_devmem base;
	/** @block: the VRAM it occupies. */
	struct vamdgpu_vram_block *block;
};

static struct vamdgpu_devmem *to_vamdgpu_devmem(struct drm_pagemap_devmem *d)
{
	return container_of(d, struct vamdgpu_devmem, base);
}

static void vamdgpu_devmem_release(struct drm_pagemap_devmem *base)
{
	vamdgpu_vram_free(to_vamdgpu_devmem(base)->block);
}

static int vamdgpu_devmem_populate_pfn(struct drm_pagemap_devmem *base,
				       unsigned long npages, unsigned long *pfn)
{
	struct vamdgpu_vram_block *block = to_vamdgpu_devmem(base)->block;
	unsigned long i;

	if (npages > block->npages)
		return -EINVAL;
	for (i = 0; i < npages; i++)
		pfn[i] = page_to_pfn(vamdgpu_vram_block_page(block, i));
	return 0;
}

/* The VRAM of the first device page in @pages, or NULL if there is none. */
static struct vamdgpu_vram *vamdgpu_devmem_vram(struct page **pages,
						unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		if (pages[i])
			return vamdgpu_vram_from_page(pages[i]);
	return NULL;
}

/* The copy engine of the VRAM @pages belong to, in either direction. */
static int vamdgpu_devmem_copy(struct page **pages,
			       struct drm_pagemap_addr *addrs,
			       unsigned long npages,
			       struct dma_fence *pre_migrate_fence, bool to_vram)
{
	struct vamdgpu_vram *vram = vamdgpu_devmem_vram(pages, npages);

	if (pre_migrate_fence)
		dma_fence_wait(pre_migrate_fence, false);
	if (!vram)
		return 0;
	return to_vram ? vamdgpu_vram_copy_to_vram(vram, pages, addrs, npages) :
			 vamdgpu_vram_copy_to_ram(vram, pages, addrs, npages);
}

static int vamdgpu_devmem_copy_to_devmem(struct page **pages,
					 struct drm_pagemap_addr *addrs,
					 unsigned long npages,
					 struct dma_fence *pre_migrate_fence)
{
	return vamdgpu_devmem_copy(pages, addrs, npages, pre_migrate_fence,
				   true);
}

static int vamdgpu_devmem_copy_to_ram(struct page **pages,
				      struct drm_pagemap_addr *addrs,
				      unsigned long npages,
				      struct dma_fence *pre_migrate_fence)
{
	return vamdgpu_devmem_copy(pages, addrs, npages, pre_migrate_fence,
				   false);
}

static const struct drm_pagemap_devmem_ops vamdgpu_devmem_ops = {
	.devmem_release = vamdgpu_devmem_release,
	.populate_devmem_pfn = vamdgpu_devmem_populate_pfn,
	.copy_to_devmem = vamdgpu_devmem_copy_to_devmem,
	.copy_to_ram = vamdgpu_devmem_copy_to_ram,
};

/*
 * VRAM pressure or the debugfs eviction: move the unit to system memory.
 * The caller's reference keeps the block and @devmem, not the drm_pagemap,
 * which the unit's last page may have let go of meanwhile: the message
 * names the device the unit was made for.
 */
static void vamdgpu_devmem_evict(struct vamdgpu_vram_block *block)
{
	struct vamdgpu_devmem *devmem = block->priv;
	int ret;

	ret = drm_pagemap_evict_to_ram(&devmem->base);
	if (ret)
		drm_dev_dbg(devmem->base.dev, DRM_UT_DRIVER,
			    "VRAM block at 0x%llx not evicted: %d\n",
			    vamdgpu_vram_block_offset(block, 0), ret);
}

static void vamdgpu_devmem_free(struct vamdgpu_vram_block *block)
{
	struct vamdgpu_devmem *devmem = block->priv;

	mmdrop(devmem->base.mm);
	kfree(devmem);
}

static const struct vamdgpu_vram_block_ops vamdgpu_devmem_block_ops = {
	.evict = vamdgpu_devmem_evict,
	.release = vamdgpu_devmem_free,
};

/**
 * vamdgpu_pagemap_populate_mm() - migrate a span of @mm into VRAM
 * @dpagemap: the device's drm_pagemap
 * @start: first byte, page aligned
 * @end: one past the last, page aligned; [start, end) is one migration
 *	unit inside one anonymous VMA
 * @mm: the address space, with the mmap_lock held at least for read
 * @timeslice_ms: minimum residency: CPU faults leave the pages in VRAM
 *	until it expired
 *
 * Context: process context, may sleep; the mmap_lock of @mm held.
 * Return: 0 when the span is in VRAM (or already was), -ENOSPC when VRAM
 * cannot hold it even after evicting everything else, -EBUSY when the
 * migration raced, -ENODEV after device removal, -ENOMEM.
 */
static int vamdgpu_pagemap_populate_mm(struct drm_pagemap *dpagemap,
				       unsigned long start, unsigned long end,
				       struct mm_struct *mm,
				       unsigned long timeslice_ms)
{
	struct vamdgpu_device *vdev = to_vamdgpu(dpagemap->drm);
	struct drm_pagemap_migrate_details details = {
		.timeslice_ms = timeslice_ms,
	};
	struct vamdgpu_vram_block *block;
	struct vamdgpu_devmem *devmem;
	int idx, ret;

	mmap_assert_locked(mm);

	if (!drm_dev_enter(dpagemap->drm, &idx))
		return -ENODEV;

	devmem = kzalloc_obj(*devmem);
	if (!devmem) {
		ret = -ENOMEM;
		goto out_exit;
	}
	if (vamdgpu_should_fail(VAMDGPU_FAIL_VRAM_ALLOC))
		block = ERR_PTR(-ENOMEM);
	else
		block = vamdgpu_vram_alloc_evicting(vdev->vram,
						    (end - start) >> PAGE_SHIFT);
	if (IS_ERR(block)) {
		ret = PTR_ERR(block);
		kfree(devmem);
		goto out_exit;
	}
	devmem->block = block;
	mmgrab(mm);
	drm_pagemap_devmem_init(&devmem->base, dpagemap->drm->dev, mm,
				&vamdgpu_devmem_ops, dpagemap, end - start, NULL);
	vamdgpu_vram_block_publish(block, &vamdgpu_devmem_block_ops, devmem);

	/* Consumes the block: devmem_release frees it when its pages go. */
	ret = drm_pagemap_migrate_to_devmem(&devmem->base, mm, start, end,
					    &details);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

static struct drm_pagemap_addr
vamdgpu_pagemap_device_map(struct drm_pagemap *dpagemap, struct device *dev,
			   struct page *page, unsigned int order,
			   enum dma_data_direction dir)
{
	dma_addr_t addr = DMA_MAPPING_ERROR;

	if (dev == dpagemap->drm->dev)
		addr = vamdgpu_vram_page_offset(page);
	return drm_pagemap_addr_encode(addr, DRM_INTERCONNECT_DRIVER, order,
				       dir);
}

/* A VRAM offset holds no mapping resources: nothing to undo. */
static void vamdgpu_pagemap_device_unmap(struct drm_pagemap *dpagemap,
					 struct device *dev,
					 const struct drm_pagemap_addr *addr)
{
}

static void vamdgpu_pagemap_destroy(struct drm_pagemap *dpagemap,
				    bool is_atomic_or_reclaim)
{
	struct vamdgpu_pagemap *vpm =
		container_of(dpagemap, struct vamdgpu_pagemap, base);
	struct vamdgpu_device *vdev = vpm->vdev;
	unsigned long flags;

	spin_lock_irqsave(&vdev->dpagemap_lock, flags);
	if (vdev->dpagemap == dpagemap)
		vdev->dpagemap = NULL;
	spin_unlock_irqrestore(&vdev->dpagemap_lock, flags);
	kfree(vpm);
}

static const struct drm_pagemap_ops vamdgpu_pagemap_ops = {
	.device_map = vamdgpu_pagemap_device_map,
	.device_unmap = vamdgpu_pagemap_device_unmap,
	.populate_mm = vamdgpu_pagemap_populate_mm,
	.destroy = vamdgpu_pagemap_destroy,
};

static struct drm_pagemap *vamdgpu_pagemap_lookup(struct vamdgpu_device *vdev)
{
	struct drm_pagemap *dpagemap;

	spin_lock_irq(&vdev->dpagemap_lock);
	dpagemap = drm_pagemap_get_unless_zero(vdev->dpagemap);
	spin_unlock_irq(&vdev->dpagemap_lock);
	return dpagemap;
}

/**
 * vamdgpu_pagemap_get() - a reference to the drm_pagemap of a device's VRAM
 * @vdev: the device, with VRAM
 *
 * Makes the drm_pagemap if there is none (or only a dying one). Drop the
 * reference with drm_pagemap_put().
 *
 * Context: process context, may sleep.
 * Return: the drm_pagemap, or an ERR_PTR (-ENOMEM).
 */
struct drm_pagemap *vamdgpu_pagemap_get(struct vamdgpu_device *vdev)
{
	struct vamdgpu_pagemap *vpm;
	struct drm_pagemap *dpagemap;
	int ret;

	dpagemap = vamdgpu_pagemap_lookup(vdev);
	if (dpagemap)
		return dpagemap;

	vpm = kzalloc_obj(*vpm);
	if (!vpm)
		return ERR_PTR(-ENOMEM);
	vpm->vdev = vdev;
	ret = drm_pagemap_init(&vpm->base, vamdgpu_vram_dev_pagemap(vdev->vram),
			       &vdev->drm, &vamdgpu_pagemap_ops);
	if (ret) {
		kfree(vpm);
		return ERR_PTR(ret);
	}

	spin_lock_irq(&vdev->dpagemap_lock);
	dpagemap = drm_pagemap_get_unless_zero(vdev->dpagemap);
	if (!dpagemap) {
		vdev->dpagemap = &vpm->base;
		dpagemap = &vpm->base;
		vpm = NULL;
	}
	spin_unlock_irq(&vdev->dpagemap_lock);
	/* Lost a race with another first user: ours goes. */
	if (vpm)
		drm_pagemap_put(&vpm->base);
	return dpagemap;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_pagemap_get);
