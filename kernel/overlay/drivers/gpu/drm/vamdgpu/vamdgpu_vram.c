// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: VRAM
 *
 * Each virtual GPU has device-private memory, as lib/test_hmm.c builds it:
 * a free physical address range is claimed and memremap_pages() gives it
 * struct pages of type MEMORY_DEVICE_PRIVATE, which the CPU cannot access
 * and which migrate_vma / drm_pagemap can move process memory into. Its
 * size comes from the personality (scaled down so that VRAM pressure is
 * reachable in a small guest).
 *
 * The contents live in ordinary kernel pages, one per VRAM page, allocated
 * when the VRAM page is first allocated and kept until the device goes
 * away (stale contents survive a free, as in real VRAM). The GPU reaches
 * them through PTEs carrying VAMDGPU_PTE_VRAM and the page's offset.
 *
 * The allocator hands out contiguous blocks from a bitmap (first fit).
 * Blocks are listed so that an eviction pass (the debugfs file
 * ``evict_vram``, as amdgpu's ``amdgpu_evict_vram``) can ask each owner to
 * move its block out through &vamdgpu_vram_block_ops.evict.
 *
 * The dev_pagemap uses drm_pagemap's ops (migrate_to_ram, folio_free);
 * vamdgpu_pagemap.c puts a drm_pagemap on top whose allocations are blocks
 * of this file and whose copies are vamdgpu_vram_copy_to_vram() /
 * vamdgpu_vram_copy_to_ram(), the virtual copy engine. The page owner
 * (vamdgpu_vram_owner()) is per device.
 *
 * Each block gets a generation (1 to VAMDGPU_VRAM_GEN_MAX, in turn), which
 * its pages carry while it holds them (0 while free,
 * vamdgpu_vram_page_gen()). A PTE to VRAM records the generation of its
 * page (vamdgpu_vm.c): one left behind after its block was freed is seen
 * as stale even once the pages belong to a new block, as long as fewer
 * than VAMDGPU_VRAM_GEN_MAX blocks were allocated in between - on amdgpu
 * such a PTE reads or writes the next owner's data.
 *
 * A block's pages stay allocated until its last reference goes: freeing
 * takes it off the eviction list at once, but an eviction that already
 * holds the block keeps its pages (and its owner's data) from being reused
 * under it.
 *
 * VRAM pressure: vamdgpu_vram_make_room() evicts the oldest evictable
 * blocks, the list being in allocation order, until a run of the wanted
 * size is free; vamdgpu_vram_alloc_evicting() allocates after a bounded
 * number of such passes.
 *
 * Locking: &vamdgpu_vram.lock (spinlock) protects the bitmap, the block
 * list, the blocks' @ops / @priv, the counters and the writes of the
 * generations (read without it); &vamdgpu_vram.evict_lock
 * serializes eviction passes. Backing pages are published with
 * release/acquire and never change afterwards.
 */

#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/lockdep.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <drm/drm_pagemap.h>
#include <drm/drm_print.h>

#include "vamdgpu_debugfs.h"
#include "vamdgpu_drv.h"
#include "vamdgpu_inject.h"
#include "vamdgpu_personality.h"
#include "vamdgpu_vram.h"

/**
 * struct vamdgpu_vram - the device-private memory of one virtual GPU
 */
struct vamdgpu_vram {
	/** @vdev: the GPU. */
	struct vamdgpu_device *vdev;
	/** @pagemap: the MEMORY_DEVICE_PRIVATE pages. */
	struct dev_pagemap pagemap;
	/** @res: the physical address range the pages stand for. */
	struct resource *res;
	/** @npages: VRAM pages. */
	unsigned long npages;
	/** @pfn_first: pfn of the first VRAM page. */
	unsigned long pfn_first;
	/** @backing: the contents: one kernel page per VRAM page, or NULL. */
	struct page **backing;

	/** @lock: see DOC: VRAM. */
	spinlock_t lock;
	/** @bitmap: allocated pages. */
	unsigned long *bitmap;
	/** @gen: per page, the generation of the block holding it, or 0. */
	u16 *gen;
	/** @next_gen: the generation of the next block. */
	u16 next_gen;
	/** @used: allocated pages. */
	unsigned long used;
	/** @blocks: the allocated &vamdgpu_vram_block list. */
	struct list_head blocks;
	/** @evict_gen: number of eviction passes started. */
	u64 evict_gen;
	/** @evicted: blocks handed to their owner's evict callback. */
	u64 evicted;
	/** @pressure_evicted: of those, evicted to make room. */
	u64 pressure_evicted;
	/** @copied_to_vram: pages the copy engine moved into VRAM. */
	u64 copied_to_vram;
	/** @copied_to_ram: pages the copy engine moved out of VRAM. */
	u64 copied_to_ram;
	/** @zeroed: VRAM pages cleared for migrated pages without data. */
	u64 zeroed;
	/** @copy_batches: contiguous VRAM runs copied, one operation each. */
	u64 copy_batches;

	/** @evict_lock: see DOC: VRAM. */
	struct mutex evict_lock;
};

/**
 * vamdgpu_vram_owner() - the device-private page owner of this VRAM
 * @vram: the VRAM
 *
 * For hmm_range_fault() / migrate_vma (pgmap_owner) and drm_gpusvm
 * (device_private_page_owner).
 *
 * Context: any.
 * Return: the owner cookie.
 */
void *vamdgpu_vram_owner(struct vamdgpu_vram *vram)
{
	return vram;
}

/**
 * vamdgpu_vram_dev_pagemap() - the dev_pagemap of the VRAM's pages
 * @vram: the VRAM
 *
 * Context: any.
 * Return: the MEMORY_DEVICE_PRIVATE dev_pagemap, for a drm_pagemap.
 */
struct dev_pagemap *vamdgpu_vram_dev_pagemap(struct vamdgpu_vram *vram)
{
	return &vram->pagemap;
}

/**
 * vamdgpu_vram_from_page() - the VRAM a device-private page belongs to
 * @page: a VRAM page of some vamdgpu device
 *
 * Context: any.
 * Return: its VRAM.
 */
struct vamdgpu_vram *vamdgpu_vram_from_page(struct page *page)
{
	return container_of(page_pgmap(page), struct vamdgpu_vram, pagemap);
}

/**
 * vamdgpu_vram_page_offset() - the VRAM offset of a device-private page
 * @page: a VRAM page
 *
 * What the GPU's PTEs hold for it (VAMDGPU_PTE_VRAM), and what a
 * drm_pagemap device_map returns (DRM_INTERCONNECT_DRIVER).
 *
 * Context: any.
 * Return: the byte offset.
 */
u64 vamdgpu_vram_page_offset(struct page *page)
{
	struct vamdgpu_vram *vram = vamdgpu_vram_from_page(page);

	return (u64)(page_to_pfn(page) - vram->pfn_first) << PAGE_SHIFT;
}

/**
 * vamdgpu_vram_backing_page() - the kernel page holding a VRAM page's data
 * @vram: the VRAM
 * @offset: byte offset into VRAM
 *
 * Context: any.
 * Return: the page, or NULL if @offset is beyond VRAM or was never
 * allocated.
 */
struct page *vamdgpu_vram_backing_page(struct vamdgpu_vram *vram, u64 offset)
{
	u64 i = offset >> PAGE_SHIFT;

	if (i >= vram->npages)
		return NULL;
	/* Pairs with the release in vamdgpu_vram_back(). */
	return smp_load_acquire(&vram->backing[i]);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_backing_page);

/**
 * vamdgpu_vram_page_gen() - the generation of the block holding a VRAM page
 * @vram: the VRAM
 * @offset: byte offset into VRAM
 *
 * Context: any.
 * Return: 1 to VAMDGPU_VRAM_GEN_MAX, or 0 if no block holds the page (or
 * @offset lies beyond VRAM).
 */
u16 vamdgpu_vram_page_gen(struct vamdgpu_vram *vram, u64 offset)
{
	u64 i = offset >> PAGE_SHIFT;

	if (i >= vram->npages)
		return 0;
	return READ_ONCE(vram->gen[i]);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_page_gen);

/* Give the pages [@first, @first + @npages) generation @gen. */
static void vamdgpu_vram_set_gen(struct vamdgpu_vram *vram,
				 unsigned long first, unsigned long npages,
				 u16 gen)
{
	unsigned long i;

	lockdep_assert_held(&vram->lock);

	for (i = first; i < first + npages; i++)
		WRITE_ONCE(vram->gen[i], gen);
}

/**
 * vamdgpu_vram_block_page() - the device-private page of a block
 * @block: the block
 * @i: page index in the block
 *
 * Context: any.
 * Return: the struct page (MEMORY_DEVICE_PRIVATE).
 */
struct page *vamdgpu_vram_block_page(const struct vamdgpu_vram_block *block,
				     unsigned long i)
{
	return pfn_to_page(block->vram->pfn_first + block->first + i);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_block_page);

/**
 * vamdgpu_vram_block_offset() - the VRAM offset of a page of a block
 * @block: the block
 * @i: page index in the block
 *
 * Context: any.
 * Return: the byte offset, for a PTE.
 */
u64 vamdgpu_vram_block_offset(const struct vamdgpu_vram_block *block,
			      unsigned long i)
{
	return (u64)(block->first + i) << PAGE_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_block_offset);

/* Give every page of the run its backing page. */
static int vamdgpu_vram_back(struct vamdgpu_vram *vram, unsigned long first,
			     unsigned long npages)
{
	struct page *page;
	unsigned long i;

	for (i = first; i < first + npages; i++) {
		if (vram->backing[i])
			continue;
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		/*
		 * Only the allocator of this run writes the slot; the release
		 * pairs with the acquire in vamdgpu_vram_backing_page(), so a
		 * GPU access never sees the pointer before the zeroed page.
		 */
		smp_store_release(&vram->backing[i], page);
	}
	return 0;
}

/*
 * Runs of whole PMD-sized pages start PMD aligned, so that a THP migrates
 * into one large device folio.
 */
static unsigned long vamdgpu_vram_align_mask(unsigned long npages)
{
	unsigned long pmd_pages = 1UL << (PMD_SHIFT - PAGE_SHIFT);

	return IS_ALIGNED(npages, pmd_pages) ? pmd_pages - 1 : 0;
}

static void vamdgpu_vram_block_release(struct kref *ref)
{
	struct vamdgpu_vram_block *block =
		container_of(ref, struct vamdgpu_vram_block, ref);
	struct vamdgpu_vram *vram = block->vram;
	unsigned long flags;

	/* The last put may come from folio_free(), in any context. */
	spin_lock_irqsave(&vram->lock, flags);
	bitmap_clear(vram->bitmap, block->first, block->npages);
	vamdgpu_vram_set_gen(vram, block->first, block->npages, 0);
	vram->used -= block->npages;
	spin_unlock_irqrestore(&vram->lock, flags);
	if (block->ops && block->ops->release)
		block->ops->release(block);
	kfree(block);
}

/**
 * vamdgpu_vram_alloc() - allocate contiguous VRAM (the VRAM-allocation op)
 * @vram: the VRAM
 * @npages: pages
 * @ops: the owner's callbacks (eviction), or NULL
 * @priv: the owner's data, kept in the block
 *
 * Context: process context, may sleep.
 * Return: the block, or ERR_PTR(-ENOSPC) when no run of @npages free pages
 * exists, ERR_PTR(-EINVAL) for 0 pages, ERR_PTR(-ENOMEM).
 */
struct vamdgpu_vram_block *
vamdgpu_vram_alloc(struct vamdgpu_vram *vram, unsigned long npages,
		   const struct vamdgpu_vram_block_ops *ops, void *priv)
{
	struct vamdgpu_vram_block *block;
	unsigned long first;
	int ret;

	if (!npages || npages > vram->npages)
		return ERR_PTR(-EINVAL);

	block = kzalloc_obj(*block);
	if (!block)
		return ERR_PTR(-ENOMEM);
	block->vram = vram;
	block->npages = npages;
	block->ops = ops;
	block->priv = priv;
	kref_init(&block->ref);

	spin_lock_irq(&vram->lock);
	first = bitmap_find_next_zero_area(vram->bitmap, vram->npages, 0,
					   npages, vamdgpu_vram_align_mask(npages));
	if (first >= vram->npages) {
		spin_unlock_irq(&vram->lock);
		kfree(block);
		return ERR_PTR(-ENOSPC);
	}
	bitmap_set(vram->bitmap, first, npages);
	vamdgpu_vram_set_gen(vram, first, npages, vram->next_gen);
	vram->next_gen = vram->next_gen % VAMDGPU_VRAM_GEN_MAX + 1;
	vram->used += npages;
	block->first = first;
	block->evict_gen = vram->evict_gen;
	list_add_tail(&block->link, &vram->blocks);
	spin_unlock_irq(&vram->lock);

	ret = vamdgpu_vram_back(vram, first, npages);
	if (ret) {
		vamdgpu_vram_free(block);
		return ERR_PTR(ret);
	}
	return block;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_alloc);

/**
 * vamdgpu_vram_free() - free a block (the VRAM-free op)
 * @block: from vamdgpu_vram_alloc()
 *
 * The contents stay in the backing pages until reused.
 *
 * Context: any.
 */
void vamdgpu_vram_free(struct vamdgpu_vram_block *block)
{
	struct vamdgpu_vram *vram = block->vram;
	unsigned long flags;

	spin_lock_irqsave(&vram->lock, flags);
	list_del_init(&block->link);
	spin_unlock_irqrestore(&vram->lock, flags);
	kref_put(&block->ref, vamdgpu_vram_block_release);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_free);

/**
 * vamdgpu_vram_block_publish() - give a block its owner's callbacks
 * @block: from vamdgpu_vram_alloc() with NULL @ops
 * @ops: the callbacks
 * @priv: the owner's data
 *
 * For owners that can only be evicted once they finished setting up:
 * until this call an eviction pass skips the block.
 *
 * Context: any.
 */
void vamdgpu_vram_block_publish(struct vamdgpu_vram_block *block,
				const struct vamdgpu_vram_block_ops *ops,
				void *priv)
{
	struct vamdgpu_vram *vram = block->vram;
	unsigned long flags;

	spin_lock_irqsave(&vram->lock, flags);
	block->priv = priv;
	block->ops = ops;
	spin_unlock_irqrestore(&vram->lock, flags);
}

/*
 * The first PFN of the system run at DMA address @addr of 2^@order pages,
 * or ULONG_MAX when any of them has no struct page.
 */
static unsigned long vamdgpu_vram_sys_pfn(struct vamdgpu_vram *vram,
					  dma_addr_t addr, unsigned int order)
{
	unsigned long pfn = PHYS_PFN(dma_to_phys(vram->vdev->drm.dev, addr));

	if (!pfn_valid(pfn) || !pfn_valid(pfn + (1UL << order) - 1))
		return ULONG_MAX;
	return pfn;
}

/*
 * The copy engine. Entry i of @pages / @addrs describes page i of the
 * migration; a large folio at @pages[i] (a THP migrated whole) and an
 * address of order k > 0 at @addrs[i] cover the following entries too,
 * which are then left empty. A page with a VRAM side but no system side
 * has no data yet (never touched): its VRAM page is cleared when moving to
 * VRAM, skipped when moving out. Consecutive pages whose VRAM offsets are
 * contiguous form one batch, one operation of the engine, as an SDMA copy
 * of a contiguous VRAM run. Offsets and PFNs are worked out once per run
 * and stepped through, not looked up per page.
 */
static int vamdgpu_vram_copy(struct vamdgpu_vram *vram, struct page **pages,
			     const struct drm_pagemap_addr *addrs,
			     unsigned long npages, bool to_vram)
{
	unsigned long i, sys_first = 0, sys_pages = 0, dev_first = 0;
	unsigned long dev_pages = 0, copied = 0, zeroed = 0, batches = 0;
	unsigned long fail_at = ULONG_MAX, sys_pfn = ULONG_MAX;
	u64 dev_base = 0, offset, next_offset = U64_MAX;
	struct page *sys, *dev;

	if (to_vram && vamdgpu_should_fail(VAMDGPU_FAIL_COPY_TO_VRAM))
		fail_at = npages / 2;
	for (i = 0; i < npages; i++) {
		dma_addr_t addr = drm_pagemap_addr_address(&addrs[i]);

		if (i == fail_at)
			return -EIO;
		if (addr) {
			sys_pfn = vamdgpu_vram_sys_pfn(vram, addr, addrs[i].order);
			sys_first = i;
			sys_pages = 1UL << addrs[i].order;
		}
		if (pages[i]) {
			if (vamdgpu_vram_from_page(pages[i]) != vram)
				return -EINVAL;
			dev_base = vamdgpu_vram_page_offset(pages[i]);
			dev_first = i;
			dev_pages = folio_nr_pages(page_folio(pages[i]));
		}
		if (i - dev_first >= dev_pages) {
			next_offset = U64_MAX;
			continue;
		}
		offset = dev_base + ((u64)(i - dev_first) << PAGE_SHIFT);
		dev = vamdgpu_vram_backing_page(vram, offset);
		if (!dev)
			return -EINVAL;
		if (offset != next_offset)
			batches++;
		next_offset = offset + PAGE_SIZE;

		if (i - sys_first >= sys_pages) {
			if (to_vram) {
				clear_highpage(dev);
				zeroed++;
			}
			continue;
		}
		if (sys_pfn == ULONG_MAX)
			return -EINVAL;
		sys = pfn_to_page(sys_pfn + (i - sys_first));
		if (to_vram)
			copy_highpage(dev, sys);
		else
			copy_highpage(sys, dev);
		copied++;
	}

	spin_lock_irq(&vram->lock);
	if (to_vram)
		vram->copied_to_vram += copied;
	else
		vram->copied_to_ram += copied;
	vram->zeroed += zeroed;
	vram->copy_batches += batches;
	spin_unlock_irq(&vram->lock);
	return 0;
}

/**
 * vamdgpu_vram_copy_to_vram() - the migration copy engine, to VRAM
 * @vram: the VRAM
 * @pages: destination VRAM pages (NULL entries are skipped)
 * @addrs: source DMA addresses of system pages, see vamdgpu_vram_copy()
 * @npages: entries
 *
 * Shaped as &drm_pagemap_devmem_ops.copy_to_devmem; synchronous.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a page not of this VRAM or a bad address, or
 * -EIO half-way through when fail_copy_to_vram fires (DOC: Backend fault
 * injection).
 */
int vamdgpu_vram_copy_to_vram(struct vamdgpu_vram *vram, struct page **pages,
			      const struct drm_pagemap_addr *addrs,
			      unsigned long npages)
{
	return vamdgpu_vram_copy(vram, pages, addrs, npages, true);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_copy_to_vram);

/**
 * vamdgpu_vram_copy_to_ram() - the migration copy engine, from VRAM
 * @vram: the VRAM
 * @pages: source VRAM pages (NULL entries are skipped)
 * @addrs: destination DMA addresses of system pages, as above
 * @npages: entries
 *
 * Shaped as &drm_pagemap_devmem_ops.copy_to_ram; synchronous. It
 * first waits if debugfs armed ``vamdgpu_stall_copies_to_ram``.
 *
 * Context: process context; may sleep (up to a minute when stalled).
 * Return: 0, or -EINVAL for a page not of this VRAM or a bad address.
 */
int vamdgpu_vram_copy_to_ram(struct vamdgpu_vram *vram, struct page **pages,
			     const struct drm_pagemap_addr *addrs,
			     unsigned long npages)
{
	struct vamdgpu_device *vdev = vram->vdev;

	vamdgpu_stall_if_armed(vdev, &vdev->stall_copies_to_ram,
			       &vdev->copies_to_ram_stalled);
	return vamdgpu_vram_copy(vram, pages, addrs, npages, false);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_copy_to_ram);

/*
 * Offer the oldest block not yet tried in pass @gen to its owner's evict
 * callback. Return false when no such block is left.
 */
static bool vamdgpu_vram_evict_next(struct vamdgpu_vram *vram, u64 gen)
{
	struct vamdgpu_vram_block *block;

	lockdep_assert_held(&vram->evict_lock);

	spin_lock_irq(&vram->lock);
	list_for_each_entry(block, &vram->blocks, link)
		if (block->evict_gen != gen && block->ops && block->ops->evict)
			goto found;
	spin_unlock_irq(&vram->lock);
	return false;
found:
	block->evict_gen = gen;
	kref_get(&block->ref);
	vram->evicted++;
	spin_unlock_irq(&vram->lock);

	block->ops->evict(block);
	kref_put(&block->ref, vamdgpu_vram_block_release);
	return true;
}

static u64 vamdgpu_vram_new_pass(struct vamdgpu_vram *vram)
{
	u64 gen;

	spin_lock_irq(&vram->lock);
	gen = ++vram->evict_gen;
	spin_unlock_irq(&vram->lock);
	return gen;
}

/**
 * vamdgpu_vram_evict_all() - ask the owner of every block to evict it
 * @vram: the VRAM
 *
 * One pass: each block present when it gets there is offered once.
 *
 * Context: process context, may sleep.
 * Return: the number of blocks offered.
 */
unsigned int vamdgpu_vram_evict_all(struct vamdgpu_vram *vram)
{
	unsigned int n = 0;
	u64 gen;

	mutex_lock(&vram->evict_lock);
	gen = vamdgpu_vram_new_pass(vram);
	while (vamdgpu_vram_evict_next(vram, gen))
		n++;
	mutex_unlock(&vram->evict_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_evict_all);

static bool vamdgpu_vram_has_room(struct vamdgpu_vram *vram,
				  unsigned long npages)
{
	bool room;

	spin_lock_irq(&vram->lock);
	room = bitmap_find_next_zero_area(vram->bitmap, vram->npages, 0,
					  npages, vamdgpu_vram_align_mask(npages)) <
	       vram->npages;
	spin_unlock_irq(&vram->lock);
	return room;
}

/**
 * vamdgpu_vram_make_room() - evict the oldest blocks until @npages fit
 * @vram: the VRAM
 * @npages: the size of the run wanted
 *
 * VRAM pressure: offers blocks to their owners' evict callbacks, oldest
 * first, each once, until a contiguous run of @npages pages is free. The
 * caller allocates afterwards; another allocation may take the room first.
 *
 * Context: process context, may sleep; must not hold a lock an eviction
 * takes (the mmap_lock in read mode is fine: evictions do not take it).
 * Return: the number of blocks offered, 0 if none could be and the run
 * still does not fit.
 */
int vamdgpu_vram_make_room(struct vamdgpu_vram *vram, unsigned long npages)
{
	int n = 0;
	u64 gen;

	if (npages > vram->npages)
		return 0;

	mutex_lock(&vram->evict_lock);
	gen = vamdgpu_vram_new_pass(vram);
	while (!vamdgpu_vram_has_room(vram, npages) &&
	       vamdgpu_vram_evict_next(vram, gen))
		n++;
	spin_lock_irq(&vram->lock);
	vram->pressure_evicted += n;
	spin_unlock_irq(&vram->lock);
	mutex_unlock(&vram->evict_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_make_room);

/*
 * Eviction passes an allocation makes at most: an owner that cannot move
 * its block out (pages still referenced, a migration that failed) leaves
 * it allocated, and every new pass offers it again.
 */
#define VAMDGPU_VRAM_ALLOC_PASSES	4

/**
 * vamdgpu_vram_alloc_evicting() - allocate VRAM, evicting to make room
 * @vram: the VRAM
 * @npages: pages
 *
 * As vamdgpu_vram_alloc() with no owner callbacks yet
 * (vamdgpu_vram_block_publish()); when no run of @npages pages is free,
 * evicts the oldest blocks (vamdgpu_vram_make_room()) and tries again, for
 * at most VAMDGPU_VRAM_ALLOC_PASSES passes, so that VRAM full of blocks
 * whose eviction fails makes the allocation fail instead of looping.
 *
 * Context: process context, may sleep; as vamdgpu_vram_make_room().
 * Return: the block, or ERR_PTR(-ENOSPC) when the passes made no room
 * for it, or as vamdgpu_vram_alloc().
 */
struct vamdgpu_vram_block *
vamdgpu_vram_alloc_evicting(struct vamdgpu_vram *vram, unsigned long npages)
{
	struct vamdgpu_vram_block *block;
	unsigned int pass = 0;

	for (;;) {
		block = vamdgpu_vram_alloc(vram, npages, NULL, NULL);
		if (PTR_ERR_OR_ZERO(block) != -ENOSPC ||
		    pass++ == VAMDGPU_VRAM_ALLOC_PASSES ||
		    !vamdgpu_vram_make_room(vram, npages))
			return block;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vram_alloc_evicting);

/**
 * vamdgpu_vram_show() - print VRAM usage (debugfs)
 * @vram: the VRAM
 * @m: where to
 *
 * Context: any.
 */
void vamdgpu_vram_show(struct vamdgpu_vram *vram, struct seq_file *m)
{
	spin_lock_irq(&vram->lock);
	seq_printf(m, "size %lu\nused %lu\nevict_passes %llu\nevicted_blocks %llu\npfn_first 0x%lx\n",
		   vram->npages << PAGE_SHIFT, vram->used << PAGE_SHIFT,
		   vram->evict_gen, vram->evicted, vram->pfn_first);
	seq_printf(m, "pressure_evicted_blocks %llu\ncopied_to_vram %llu\ncopied_to_ram %llu\nzeroed %llu\ncopy_batches %llu\n",
		   vram->pressure_evicted, vram->copied_to_vram,
		   vram->copied_to_ram, vram->zeroed, vram->copy_batches);
	spin_unlock_irq(&vram->lock);
}

/**
 * vamdgpu_vram_init() - give a virtual GPU its VRAM
 * @vdev: the GPU; its personality says how much
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int vamdgpu_vram_init(struct vamdgpu_device *vdev)
{
	u64 size = vdev->personality->vram_size;
	struct vamdgpu_vram *vram;
	void *addr;
	int ret;

	vram = kzalloc_obj(*vram);
	if (!vram)
		return -ENOMEM;
	vram->vdev = vdev;
	vram->npages = size >> PAGE_SHIFT;
	spin_lock_init(&vram->lock);
	INIT_LIST_HEAD(&vram->blocks);
	mutex_init(&vram->evict_lock);

	vram->next_gen = 1;
	vram->backing = kvcalloc(vram->npages, sizeof(*vram->backing), GFP_KERNEL);
	vram->bitmap = bitmap_zalloc(vram->npages, GFP_KERNEL);
	vram->gen = kvcalloc(vram->npages, sizeof(*vram->gen), GFP_KERNEL);
	if (!vram->backing || !vram->bitmap || !vram->gen) {
		ret = -ENOMEM;
		goto err_free;
	}

	vram->res = request_free_mem_region(&iomem_resource, size,
					    dev_name(vdev->drm.dev));
	if (IS_ERR(vram->res)) {
		ret = PTR_ERR(vram->res);
		goto err_free;
	}

	vram->pagemap.type = MEMORY_DEVICE_PRIVATE;
	vram->pagemap.range.start = vram->res->start;
	vram->pagemap.range.end = vram->res->end;
	vram->pagemap.nr_range = 1;
	vram->pagemap.ops = drm_pagemap_pagemap_ops_get();
	vram->pagemap.owner = vamdgpu_vram_owner(vram);
	addr = memremap_pages(&vram->pagemap, numa_node_id());
	if (IS_ERR(addr)) {
		ret = PTR_ERR(addr);
		goto err_release_region;
	}
	vram->pfn_first = PHYS_PFN(vram->res->start);
	vdev->vram = vram;
	return 0;

err_release_region:
	release_mem_region(vram->res->start, resource_size(vram->res));
err_free:
	kvfree(vram->gen);
	bitmap_free(vram->bitmap);
	kvfree(vram->backing);
	mutex_destroy(&vram->evict_lock);
	kfree(vram);
	return ret;
}

/**
 * vamdgpu_vram_fini() - take a virtual GPU's VRAM away
 * @vdev: the GPU; no process uses it any more
 *
 * Context: process context, may sleep.
 */
void vamdgpu_vram_fini(struct vamdgpu_device *vdev)
{
	struct vamdgpu_vram *vram = vdev->vram;
	unsigned long i;

	if (!vram)
		return;
	vamdgpu_vram_evict_all(vram);
	if (vram->used)
		drm_warn(&vdev->drm, "%lu VRAM pages still allocated at removal\n",
			 vram->used);

	memunmap_pages(&vram->pagemap);
	release_mem_region(vram->res->start, resource_size(vram->res));
	for (i = 0; i < vram->npages; i++)
		if (vram->backing[i])
			__free_page(vram->backing[i]);
	kvfree(vram->gen);
	bitmap_free(vram->bitmap);
	kvfree(vram->backing);
	mutex_destroy(&vram->evict_lock);
	kfree(vram);
	vdev->vram = NULL;
}
