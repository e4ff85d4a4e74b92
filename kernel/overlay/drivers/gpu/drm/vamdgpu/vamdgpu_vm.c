// SPDX-License-Identifier: GPL-2.0-only
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: GPU MMU
 *
 * Each process that opens a virtual GPU gets a &vamdgpu_vm: a GPU virtual
 * address space with its own page table and TLB, as each amdgpu process has
 * a VMID with its own page-table base. GPU VA equals CPU VA under SVM, so
 * the space is the 47 bits of x86-64 user space.
 *
 * What it models:
 *
 * - A page table of 4 KiB PTEs pointing at system memory by DMA address, or
 *   at the device's own VRAM by offset, with valid / read / write / exec /
 *   snooped bits (struct vamdgpu_vm_pte bits VAMDGPU_PTE_*). Leaf tables of
 *   512 PTEs (2 MiB) are allocated by vamdgpu_vm_reserve_range() ahead of
 *   vamdgpu_vm_update_range(), which never allocates and refuses a span
 *   whose leaf is missing (-ENOENT) - the shape of amdgpu's page-table
 *   allocation before an unlocked update under the notifier lock, which
 *   refuses so.
 * - 2 MiB fragments: an update of a whole leaf whose 2 MiB are one
 *   contiguous, 2 MiB-aligned run of memory (a THP, a 2 MiB VRAM chunk)
 *   writes only the leaf's first PTE, marked as translating the whole
 *   leaf, as amdgpu writes such a run as one 2 MiB fragment (one SDMA
 *   packet for its 512 PTEs); a clear of a whole leaf is one such invalid
 *   entry, as amdgpu's is one fill. Writing part of such a leaf first
 *   spells its 512 PTEs out. Walks and the TLB still see 4 KiB
 *   translations.
 * - A TLB that caches translations until vamdgpu_vm_flush_tlb(): clearing or
 *   replacing a PTE does not change what the GPU sees for a cached page. A
 *   missing flush after an unmap is therefore a visible wrong result. Each
 *   cached system page is referenced, so the stale data stays memory-safe.
 *   Invalid translations and permission faults are never cached.
 * - A PTE whose system page is already freed, or frozen for migration or
 *   reclaim, is a stale mapping the driver failed to clear: the access
 *   faults with VAMDGPU_FAULT_STALE_PTE instead of touching the page. So
 *   does a PTE or a cached translation to VRAM whose block was freed (its
 *   unit went), also once the page belongs to a new block: the PTE keeps
 *   the generation of the block it was written for
 *   (VAMDGPU_PTE_VRAM_GEN), and real hardware would read or write what
 *   the next user of that VRAM keeps there. VRAM pages are not
 *   referenced by the TLB. A page that left VRAM while the rest of its
 *   block stays is not seen.
 * - The flush is heavyweight: every GPU access runs under the TLB lock, so
 *   when the flush returns no access through an old translation is in
 *   flight and the pages may be freed.
 * - DMA addresses are turned back into pages with dma_to_phys(): the virtual
 *   GPU "bus-masters" system memory through dma-direct. A device behind an
 *   IOMMU is refused at creation. Each device sees system memory at bus
 *   addresses of its own, as behind an IOMMU (vamdgpu_dma_offset()): a PTE
 *   written from another GPU's DMA mapping points at no page and faults
 *   as a stale one.
 *
 * What it does not model: multi-level page directories (an xarray of leaves
 * stands in), fragments other than 2 MiB, TLB entries larger than a page,
 * MTYPEs and caching, per-hub TLBs, or peer access to another device's
 * VRAM.
 */

#include <kunit/visibility.h>
#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_pagemap.h>
#include <drm/vamdgpu_drm.h>

#include "vamdgpu_drv.h"
#include "vamdgpu_inject.h"
#include "vamdgpu_personality.h"
#include "vamdgpu_queue.h"
#include "vamdgpu_svm.h"
#include "vamdgpu_userptr.h"
#include "vamdgpu_vm.h"
#include "vamdgpu_vram.h"

/*
 * In the first PTE of a leaf: the entry translates the leaf's whole 2 MiB
 * (valid or not), its address and VAMDGPU_PTE_* flags those of the first
 * page, and the leaf's other entries are unused. A PTE of a page never has
 * it (VAMDGPU_PTE_FLAGS ends below it).
 */
#define VAMDGPU_PTE_FRAG_2M	BIT_ULL(6)

/* The VA a leaf covers: 2 MiB with 4 KiB pages. */
#define VAMDGPU_PT_LEAF_SIZE	((u64)PAGE_SIZE << VAMDGPU_PT_LEAF_SHIFT)

/**
 * struct vamdgpu_pt_leaf - one leaf page table: the PTEs of 2 MiB of VA
 */
struct vamdgpu_pt_leaf {
	/**
	 * @pte: the entries, written under &vamdgpu_vm.pt_lock. The first
	 * is released after the others when it stops being a 2 MiB
	 * fragment, and read with acquire.
	 */
	u64 pte[VAMDGPU_PT_LEAF_PTES];
};

static unsigned long vamdgpu_vm_leaf_index(u64 va)
{
	return va >> (PAGE_SHIFT + VAMDGPU_PT_LEAF_SHIFT);
}

/* One past the last VA of the leaf covering @va. */
static u64 vamdgpu_vm_leaf_end(u64 va)
{
	return (u64)(vamdgpu_vm_leaf_index(va) + 1) <<
	       (PAGE_SHIFT + VAMDGPU_PT_LEAF_SHIFT);
}

static unsigned int vamdgpu_vm_pte_index(u64 va)
{
	return (va >> PAGE_SHIFT) & (VAMDGPU_PT_LEAF_PTES - 1);
}

/*
 * Write entry @i of @leaf. The first is released: a walker that acquires
 * it sees the others as written before it (vamdgpu_leaf_pte()).
 */
static void vamdgpu_leaf_set(struct vamdgpu_pt_leaf *leaf, unsigned int i,
			     u64 pte)
{
	if (i)
		WRITE_ONCE(leaf->pte[i], pte);
	else	/* after the others, for vamdgpu_leaf_pte()'s acquire */
		smp_store_release(&leaf->pte[0], pte);
}

/* Does [@va, @stop) cover the whole leaf of @va? */
static bool vamdgpu_vm_whole_leaf(u64 va, u64 stop)
{
	return !vamdgpu_vm_pte_index(va) && stop == vamdgpu_vm_leaf_end(va);
}

/* The PTE that the 2 MiB fragment @frag gives page @i of its leaf. */
static u64 vamdgpu_frag_pte(u64 frag, unsigned int i)
{
	if (!(frag & VAMDGPU_PTE_VALID))
		return 0;
	return ((frag & VAMDGPU_PTE_ADDR_MASK) + ((u64)i << PAGE_SHIFT)) |
	       (frag & (VAMDGPU_PTE_FLAGS | VAMDGPU_PTE_VRAM_GEN));
}

/* The PTE of page @i of @leaf, however the leaf maps it. Lockless. */
static u64 vamdgpu_leaf_pte(struct vamdgpu_pt_leaf *leaf, unsigned int i)
{
	/* Pairs with vamdgpu_leaf_set() of the first entry. */
	u64 first = smp_load_acquire(&leaf->pte[0]);

	if (first & VAMDGPU_PTE_FRAG_2M)
		return vamdgpu_frag_pte(first, i);
	return i ? READ_ONCE(leaf->pte[i]) : first;
}

/*
 * Before PTEs of @leaf are written one by one: if a 2 MiB fragment maps
 * the leaf, spell its 512 PTEs out, the first last.
 */
static void vamdgpu_leaf_split(struct vamdgpu_vm *vm,
			       struct vamdgpu_pt_leaf *leaf)
{
	u64 first = leaf->pte[0];
	unsigned int i;

	lockdep_assert_held(&vm->pt_lock);

	if (!(first & VAMDGPU_PTE_FRAG_2M))
		return;
	for (i = 1; i < VAMDGPU_PT_LEAF_PTES; i++)
		vamdgpu_leaf_set(leaf, i, vamdgpu_frag_pte(first, i));
	vamdgpu_leaf_set(leaf, 0, vamdgpu_frag_pte(first, 0));
}

/*
 * The leaf covering @va; allocated with @gfp when missing (no allocation
 * when @gfp is 0). NULL when missing and not allocated.
 */
static struct vamdgpu_pt_leaf *vamdgpu_vm_leaf(struct vamdgpu_vm *vm, u64 va,
					       gfp_t gfp)
{
	unsigned long index = vamdgpu_vm_leaf_index(va);
	struct vamdgpu_pt_leaf *leaf, *old;

	leaf = xa_load(&vm->pt, index);
	if (leaf || !gfp)
		return leaf;

	leaf = kzalloc_obj(*leaf, gfp);
	if (!leaf)
		return NULL;
	old = xa_cmpxchg(&vm->pt, index, NULL, leaf, gfp);
	if (xa_is_err(old)) {
		kfree(leaf);
		return NULL;
	}
	if (old) {
		kfree(leaf);
		return old;
	}
	atomic_long_add(sizeof(*leaf), &vm->pt_bytes);
	return leaf;
}

/**
 * vamdgpu_vm_reserve_range() - allocate the page tables of a VA span
 * @vm: the VM
 * @start: first GPU VA, page aligned
 * @end: one past the last, page aligned
 *
 * After it, vamdgpu_vm_update_range() of any part of the span cannot fail
 * for lack of memory. Leaves stay allocated until the VM is destroyed.
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, -EINVAL for a span beyond VAMDGPU_VA_LIMIT, or -ENOMEM.
 */
int vamdgpu_vm_reserve_range(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	u64 va;

	if (start >= end || end > VAMDGPU_VA_LIMIT)
		return -EINVAL;

	for (va = start; va < end; va = vamdgpu_vm_leaf_end(va)) {
		if (!vamdgpu_vm_leaf(vm, va, GFP_KERNEL))
			return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_reserve_range);

/**
 * vamdgpu_vm_set_pte() - write one PTE
 * @vm: the VM
 * @va: GPU VA of the page
 * @pte: the new entry (0 invalidates)
 *
 * The TLB is not flushed.
 *
 * Context: any context that may allocate with GFP_NOWAIT; takes
 * &vamdgpu_vm.pt_lock.
 * Return: 0, -EINVAL for @va beyond VAMDGPU_VA_LIMIT, or -ENOMEM when the
 * leaf was not reserved and cannot be allocated without sleeping.
 */
int vamdgpu_vm_set_pte(struct vamdgpu_vm *vm, u64 va, u64 pte)
{
	struct vamdgpu_pt_leaf *leaf;

	if (va >= VAMDGPU_VA_LIMIT)
		return -EINVAL;

	leaf = vamdgpu_vm_leaf(vm, va, pte ? GFP_NOWAIT | __GFP_NOWARN : 0);
	if (!leaf)
		return pte ? -ENOMEM : 0;

	spin_lock(&vm->pt_lock);
	vamdgpu_leaf_split(vm, leaf);
	vamdgpu_leaf_set(leaf, vamdgpu_vm_pte_index(va), pte);
	spin_unlock(&vm->pt_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_set_pte);

/**
 * vamdgpu_vm_read_pte() - walk the page table for one page
 * @vm: the VM
 * @va: GPU VA
 *
 * Context: any.
 * Return: the PTE, 0 when none is valid.
 */
u64 vamdgpu_vm_read_pte(struct vamdgpu_vm *vm, u64 va)
{
	struct vamdgpu_pt_leaf *leaf;

	if (va >= VAMDGPU_VA_LIMIT)
		return 0;
	leaf = xa_load(&vm->pt, vamdgpu_vm_leaf_index(va));
	return leaf ? vamdgpu_leaf_pte(leaf, vamdgpu_vm_pte_index(va)) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_read_pte);

/**
 * vamdgpu_vm_first_reachable() - the first page of a span the GPU can
 * still reach, hand-mapped pages aside
 * @vm: the VM
 * @start: first GPU VA, page aligned
 * @end: one past the last
 *
 * A page is reachable through a valid PTE or an entry of the TLB. Pages
 * the VM maps by hand (VAMDGPU_PTE_PINNED) do not count: their memory
 * stays pinned whatever the CPU does.
 *
 * Context: process context, may sleep; takes the TLB lock (the MMU
 * notifiers take it too).
 * Return: the VA of the lowest such page, or @end if there is none.
 */
u64 vamdgpu_vm_first_reachable(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	u64 limit = min_t(u64, end, VAMDGPU_VA_LIMIT), found = end, va;
	struct vamdgpu_pt_leaf *leaf;
	unsigned long idx;
	unsigned int i;

	if (start < limit)
		xa_for_each_range(&vm->pt, idx, leaf, vamdgpu_vm_leaf_index(start),
				  vamdgpu_vm_leaf_index(limit - 1)) {
			u64 base = (u64)idx * VAMDGPU_PT_LEAF_SIZE;
			/* Only the entries of the leaf inside the span. */
			unsigned int last = min_t(u64, limit - base,
						  VAMDGPU_PT_LEAF_SIZE) >> PAGE_SHIFT;

			for (i = start > base ? (start - base) >> PAGE_SHIFT : 0;
			     i < last; i++)
				if ((vamdgpu_leaf_pte(leaf, i) &
				     (VAMDGPU_PTE_VALID | VAMDGPU_PTE_PINNED)) ==
				    VAMDGPU_PTE_VALID) {
					found = base + ((u64)i << PAGE_SHIFT);
					goto tlb;
				}
		}
tlb:
	mutex_lock(&vm->tlb_lock);
	for (i = 0; i < VAMDGPU_TLB_ENTRIES; i++) {
		va = vm->tlb[i].vpn << PAGE_SHIFT;
		if (vm->tlb[i].pte && !(vm->tlb[i].pte & VAMDGPU_PTE_PINNED) &&
		    va >= start && va < found)
			found = va;
	}
	mutex_unlock(&vm->tlb_lock);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_first_reachable);

static void vamdgpu_tlb_entry_drop(struct vamdgpu_tlb_entry *e)
{
	if (e->page)
		put_page(e->page);
	e->page = NULL;
	e->pte = 0;
	e->vpn = 0;
}

/*
 * Does the VRAM page of @pte still belong to the block it belonged to when
 * the PTE was written? False once that block was freed, even if a new one
 * holds the page now.
 */
static bool vamdgpu_vm_vram_live(struct vamdgpu_vm *vm, u64 pte)
{
	u16 gen = vamdgpu_vram_page_gen(vm->vdev->vram,
					pte & VAMDGPU_PTE_ADDR_MASK);

	return gen && gen == FIELD_GET(VAMDGPU_PTE_VRAM_GEN, pte);
}

/* Fill @e from a valid @pte; false if the memory behind it is gone. */
static bool vamdgpu_tlb_fill(struct vamdgpu_vm *vm, struct vamdgpu_tlb_entry *e,
			     u64 vpn, u64 pte)
{
	struct device *dev = vm->vdev->drm.dev;
	struct page *page = NULL;
	unsigned long pfn;

	lockdep_assert_held(&vm->tlb_lock);

	if (pte & VAMDGPU_PTE_VRAM) {
		if (!vamdgpu_vm_vram_live(vm, pte))
			return false;
	} else {
		pfn = PHYS_PFN(dma_to_phys(dev, pte & VAMDGPU_PTE_ADDR_MASK));
		if (!pfn_valid(pfn))
			return false;
		page = pfn_to_page(pfn);
		/* A THP tail page has no refcount of its own: take the folio's. */
		if (!folio_try_get(page_folio(page)))
			return false;
	}
	vamdgpu_tlb_entry_drop(e);
	e->vpn = vpn;
	e->pte = pte;
	e->page = page;
	return true;
}

/*
 * A GPU running the process's queues may walk a PTE as soon as it is
 * written: cache the translation of @va, as such a walk would.
 */
static void vamdgpu_tlb_walk(struct vamdgpu_vm *vm, u64 va)
{
	u64 vpn = va >> PAGE_SHIFT, pte = vamdgpu_vm_read_pte(vm, va);

	if (!(pte & VAMDGPU_PTE_VALID))
		return;
	mutex_lock(&vm->tlb_lock);
	vamdgpu_tlb_fill(vm, &vm->tlb[vpn % VAMDGPU_TLB_ENTRIES], vpn, pte);
	mutex_unlock(&vm->tlb_lock);
}

/**
 * struct vamdgpu_run_cursor - where vamdgpu_vm_update_range() is in its
 * list of runs of pages
 */
struct vamdgpu_run_cursor {
	/** @next: the next run. */
	const struct drm_pagemap_addr *next;
	/** @end: the VA where the current run ends. */
	u64 end;
	/** @addr: the address of the page being written. */
	u64 addr;
	/** @pte: the PTE bits of the current run. */
	u64 pte;
};

/* Start the next run at @va: -EINVAL for VRAM the device does not have. */
static int vamdgpu_run_next(struct vamdgpu_vm *vm,
			    struct vamdgpu_run_cursor *run, u64 va, u64 flags)
{
	const struct drm_pagemap_addr *a = run->next++;

	run->addr = drm_pagemap_addr_address(a);
	run->pte = flags;
	if (a->proto != DRM_INTERCONNECT_SYSTEM) {
		if (!vamdgpu_vram_backing_page(vm->vdev->vram, run->addr))
			return -EINVAL;
		/* The pages of one entry are one folio, of one block. */
		run->pte |= VAMDGPU_PTE_VRAM |
			    FIELD_PREP(VAMDGPU_PTE_VRAM_GEN,
				       vamdgpu_vram_page_gen(vm->vdev->vram,
							     run->addr));
	}
	run->end = va + (PAGE_SIZE << a->order);
	return 0;
}

/**
 * vamdgpu_vm_update_range() - point a VA span at memory (the update-PTEs op)
 * @vm: the VM
 * @start: first GPU VA, page aligned
 * @end: one past the last, page aligned
 * @addrs: the memory, in order: entry j covers ``PAGE_SIZE << order``
 *	bytes where entry j-1 ended; ``proto`` DRM_INTERCONNECT_SYSTEM is a
 *	DMA address of system memory, anything else an offset into this
 *	device's VRAM (what its drm_pagemap's device_map returns)
 * @flags: VAMDGPU_PTE_READ / _WRITE / _EXEC / _SNOOPED
 *
 * Replaces whatever the PTEs held; the TLB is not flushed. A leaf the span
 * covers whole with one 2 MiB-aligned run is one 2 MiB fragment.
 *
 * Context: process context; sleeps only on the TLB lock, when
 * fail_pte_update_midway fires (DOC: Backend fault injection) and the
 * update fails half-way through. Never allocates: the page tables of the
 * span must have been made by vamdgpu_vm_reserve_range() (outside any
 * notifier lock), as amdgpu's unlocked update refuses a span whose page
 * table is missing.
 * Return: 0, -ENOENT when a page table of the span was not reserved, or
 * another negative errno; on error the span is left invalid.
 */
int vamdgpu_vm_update_range(struct vamdgpu_vm *vm, u64 start, u64 end,
			    const struct drm_pagemap_addr *addrs, u64 flags)
{
	struct vamdgpu_run_cursor run = { .next = addrs, .end = start };
	u64 va = start, fail_at = U64_MAX, stop;
	struct vamdgpu_pt_leaf *leaf;
	int ret = 0;

	if (start >= end || end > VAMDGPU_VA_LIMIT ||
	    !PAGE_ALIGNED(start) || !PAGE_ALIGNED(end))
		return -EINVAL;
	if (vamdgpu_should_fail(VAMDGPU_FAIL_PTE_UPDATE_MIDWAY))
		fail_at = start + PAGE_ALIGN_DOWN((end - start) / 2);

	flags &= VAMDGPU_PTE_READ | VAMDGPU_PTE_WRITE | VAMDGPU_PTE_EXEC |
		 VAMDGPU_PTE_SNOOPED;
	flags |= VAMDGPU_PTE_VALID;

	/*
	 * A leaf at a time: one lookup and one lock per 2 MiB of VA, however
	 * many entries of @addrs (runs of pages) it takes.
	 */
	while (va < end) {
		if (va == fail_at) {
			vamdgpu_tlb_walk(vm, start);
			ret = -ENOMEM;
			goto err_clear;
		}
		/* amdgpu's unlocked update allocates no page table either. */
		leaf = vamdgpu_vm_leaf(vm, va, 0);
		if (!leaf) {
			ret = -ENOENT;
			goto err_clear;
		}
		stop = min3(vamdgpu_vm_leaf_end(va), end, fail_at);
		spin_lock(&vm->pt_lock);
		if (vamdgpu_vm_whole_leaf(va, stop)) {
			if (va == run.end)
				ret = vamdgpu_run_next(vm, &run, va, flags);
			if (!ret && run.end >= stop &&
			    IS_ALIGNED(run.addr, VAMDGPU_PT_LEAF_SIZE)) {
				vamdgpu_leaf_set(leaf, 0,
						 (run.addr & VAMDGPU_PTE_ADDR_MASK) |
						 run.pte | VAMDGPU_PTE_FRAG_2M);
				run.addr += stop - va;
				va = stop;
			}
		}
		if (!ret && va < stop)
			vamdgpu_leaf_split(vm, leaf);
		for (; !ret && va < stop; va += PAGE_SIZE, run.addr += PAGE_SIZE) {
			if (va == run.end) {
				ret = vamdgpu_run_next(vm, &run, va, flags);
				if (ret)
					break;
			}
			vamdgpu_leaf_set(leaf, vamdgpu_vm_pte_index(va),
					 (run.addr & VAMDGPU_PTE_ADDR_MASK) |
					 run.pte);
		}
		spin_unlock(&vm->pt_lock);
		if (ret)
			goto err_clear;
	}
	return 0;

err_clear:
	vamdgpu_vm_clear_range(vm, start, end);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_update_range);

/**
 * vamdgpu_vm_clear_range() - invalidate the PTEs of a VA span (the
 * clear-PTEs op)
 * @vm: the VM
 * @start: first GPU VA, page aligned
 * @end: one past the last, page aligned
 *
 * Cached translations survive until vamdgpu_vm_flush_tlb(). A leaf the span
 * covers whole becomes one invalid 2 MiB fragment.
 *
 * Context: any; does not allocate; takes &vamdgpu_vm.pt_lock.
 */
void vamdgpu_vm_clear_range(struct vamdgpu_vm *vm, u64 start, u64 end)
{
	struct vamdgpu_pt_leaf *leaf;
	u64 va, leaf_end;

	end = min_t(u64, end, VAMDGPU_VA_LIMIT);
	for (va = start; va < end; va = leaf_end) {
		leaf_end = min(vamdgpu_vm_leaf_end(va), end);
		leaf = xa_load(&vm->pt, vamdgpu_vm_leaf_index(va));
		if (!leaf)
			continue;
		spin_lock(&vm->pt_lock);
		if (vamdgpu_vm_whole_leaf(va, leaf_end)) {
			vamdgpu_leaf_set(leaf, 0, VAMDGPU_PTE_FRAG_2M);
		} else {
			vamdgpu_leaf_split(vm, leaf);
			for (; va < leaf_end; va += PAGE_SIZE)
				vamdgpu_leaf_set(leaf, vamdgpu_vm_pte_index(va),
						 0);
		}
		spin_unlock(&vm->pt_lock);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_clear_range);

/* Forget every cached translation; the caller holds the TLB lock. */
static void vamdgpu_vm_drop_tlb(struct vamdgpu_vm *vm)
{
	unsigned int i;

	lockdep_assert_held(&vm->tlb_lock);

	for (i = 0; i < VAMDGPU_TLB_ENTRIES; i++)
		vamdgpu_tlb_entry_drop(&vm->tlb[i]);
	vm->tlb_flushes++;
}

/**
 * vamdgpu_vm_flush_tlb() - forget every cached translation (the flush-TLB
 * op)
 * @vm: the VM
 *
 * Waits for the GPU access in flight, if any: when it returns nothing uses
 * a translation removed before the call.
 *
 * Context: process context, may sleep briefly (the TLB lock); allocates
 * nothing, so it may be called from an MMU notifier.
 */
void vamdgpu_vm_flush_tlb(struct vamdgpu_vm *vm)
{
	mutex_lock(&vm->tlb_lock);
	vamdgpu_vm_drop_tlb(vm);
	mutex_unlock(&vm->tlb_lock);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_flush_tlb);

/**
 * vamdgpu_vm_lose_ptes() - wipe the page table of a VM, as a GPU reset
 * that loses VRAM (where amdgpu keeps its page tables) does
 * @vm: the VM
 *
 * The reset first cancels the submissions of the VM's queues, which are
 * lost for good (vamdgpu_vm_lose_queues()). Then every PTE becomes invalid
 * and the TLB is flushed, under the TLB lock: an access either completed
 * before, or finds its queue lost. The leaves stay allocated: walkers read
 * them without a lock. The VM rebuilds what it can at its next submission
 * (vamdgpu_vm_revalidate()).
 *
 * Context: process context, may sleep; takes &vamdgpu_vm.lock, the TLB
 * lock and &vamdgpu_vm.pt_lock.
 */
void vamdgpu_vm_lose_ptes(struct vamdgpu_vm *vm)
{
	struct vamdgpu_pt_leaf *leaf;
	unsigned long index;

	mutex_lock(&vm->lock);
	vamdgpu_vm_lose_queues(vm);

	mutex_lock(&vm->tlb_lock);
	spin_lock(&vm->pt_lock);
	xa_for_each(&vm->pt, index, leaf)
		vamdgpu_leaf_set(leaf, 0, VAMDGPU_PTE_FRAG_2M);
	spin_unlock(&vm->pt_lock);
	vamdgpu_vm_drop_tlb(vm);
	mutex_unlock(&vm->tlb_lock);

	WRITE_ONCE(vm->pt_lost, true);
	mutex_unlock(&vm->lock);
}

/**
 * vamdgpu_vm_revalidate() - rebuild a lost page table before a submission
 * @vm: the VM
 *
 * As amdgpu's command submission notices a new VM generation (a reset that
 * lost VRAM) and maps its buffers again: the first submission after
 * ``vamdgpu_lose_page_tables`` writes the hand-made mappings again and
 * tells the SVM core (amdgpu_svm_ptes_lost()), which maps its ranges again
 * (XNACK off: with the VM's queues quiesced until it has).
 *
 * Context: process context (the submit ioctl), may sleep; takes @lock,
 * then the SVM lock.
 */
void vamdgpu_vm_revalidate(struct vamdgpu_vm *vm)
{
	if (!READ_ONCE(vm->pt_lost))
		return;
	mutex_lock(&vm->lock);
	if (vm->pt_lost) {
		vamdgpu_userptr_restore_all(vm);
		vamdgpu_vm_flush_tlb(vm);
		if (vm->svm)
			amdgpu_svm_ptes_lost(vm->svm);
		WRITE_ONCE(vm->pt_lost, false);
	}
	mutex_unlock(&vm->lock);
}

/**
 * vamdgpu_vm_access() - one GPU memory access, through TLB and page table
 * @vm: the VM
 * @va: GPU VA
 * @buf: source (write, atomic operand) or destination (read, atomic result)
 * @len: bytes; [@va, @va + @len) must not cross a page (8 for atomics)
 * @access: what the access does
 * @tlb_miss: set to true when the page table was walked
 * @fault: filled when the access faults
 *
 * Context: process context (a queue worker or a test), may sleep on the TLB
 * lock; no vamdgpu lock held.
 * Return: 0, or -EFAULT for a page fault described in @fault.
 */
int vamdgpu_vm_access(struct vamdgpu_vm *vm, u64 va, void *buf, size_t len,
		      enum vamdgpu_access access, bool *tlb_miss,
		      struct vamdgpu_fault *fault)
{
	u64 vpn = va >> PAGE_SHIFT, pte;
	struct vamdgpu_tlb_entry *e = &vm->tlb[vpn % VAMDGPU_TLB_ENTRIES];
	bool write = access != VAMDGPU_ACCESS_READ;
	struct page *page;
	void *vaddr;

	if (WARN_ON_ONCE(!len || offset_in_page(va) + len > PAGE_SIZE))
		return -EINVAL;

	fault->addr = va;
	fault->flags = write ? VAMDGPU_FAULT_WRITE : 0;

	mutex_lock(&vm->tlb_lock);
	if (!e->pte || e->vpn != vpn) {
		*tlb_miss = true;
		pte = vamdgpu_vm_read_pte(vm, va);
		if (!(pte & VAMDGPU_PTE_VALID))
			goto fault;
		if (!vamdgpu_tlb_fill(vm, e, vpn, pte)) {
			fault->flags |= VAMDGPU_FAULT_STALE_PTE;
			goto fault;
		}
	} else if ((e->pte & VAMDGPU_PTE_VRAM) &&
		   !vamdgpu_vm_vram_live(vm, e->pte)) {
		/* A translation cached before its VRAM was freed. */
		vamdgpu_tlb_entry_drop(e);
		fault->flags |= VAMDGPU_FAULT_STALE_PTE;
		goto fault;
	}
	if (!(e->pte & VAMDGPU_PTE_READ) ||
	    (write && !(e->pte & VAMDGPU_PTE_WRITE))) {
		/* Faulting translations are not kept in the TLB. */
		vamdgpu_tlb_entry_drop(e);
		fault->flags |= VAMDGPU_FAULT_PERMISSION;
		goto fault;
	}

	page = e->page;
	if (!page)
		page = vamdgpu_vram_backing_page(vm->vdev->vram,
						 e->pte & VAMDGPU_PTE_ADDR_MASK);
	vaddr = kmap_local_page(page) + offset_in_page(va);
	switch (access) {
	case VAMDGPU_ACCESS_READ:
		memcpy(buf, vaddr, len);
		break;
	case VAMDGPU_ACCESS_WRITE:
		memcpy(vaddr, buf, len);
		flush_dcache_page(page);
		break;
	case VAMDGPU_ACCESS_ATOMIC_ADD:
		*(u64 *)buf = atomic64_fetch_add(*(u64 *)buf, (atomic64_t *)vaddr);
		flush_dcache_page(page);
		break;
	}
	kunmap_local(vaddr);
	mutex_unlock(&vm->tlb_lock);
	return 0;

fault:
	mutex_unlock(&vm->tlb_lock);
	return -EFAULT;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_access);

/*
 * The built-in fault handler: a lazy mapping of the hand-mapping path if
 * one covers the address, else the SVM core.
 */
static int vamdgpu_vm_default_fault(struct vamdgpu_vm *vm, void *priv,
				    u64 addr, bool write)
{
	int ret = vamdgpu_userptr_handle_fault(vm, addr, write);

	if (ret == -ENOENT)
		ret = vamdgpu_svm_handle_fault(vm, addr, write);
	return ret == -ENOENT ? -EFAULT : ret;
}

static const struct vamdgpu_fault_handler vamdgpu_vm_default_fault_handler = {
	.handle_fault = vamdgpu_vm_default_fault,
};

/**
 * vamdgpu_vm_set_fault_handler() - plug in who resolves XNACK-on faults
 * @vm: the VM
 * @handler: the handler, or NULL for the built-in one (lazy userptr
 *	mappings of the hand-mapping path, then the SVM core)
 * @priv: passed to @handler
 *
 * Context: process context; the caller holds &vamdgpu_vm.lock.
 * Return: 0, or -EBUSY when the VM has queues (their workers read the
 * handler without a lock).
 */
int vamdgpu_vm_set_fault_handler(struct vamdgpu_vm *vm,
				 const struct vamdgpu_fault_handler *handler,
				 void *priv)
{
	lockdep_assert_held(&vm->lock);

	if (vm->num_queues)
		return -EBUSY;
	vm->fault_handler = handler ?: &vamdgpu_vm_default_fault_handler;
	vm->fault_priv = handler ? priv : NULL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_set_fault_handler);

/**
 * vamdgpu_vm_handle_fault() - ask the fault handler to map a faulting page
 * @vm: the VM
 * @addr: faulting GPU VA
 * @write: the access writes
 *
 * Context: a queue worker, may sleep, no vamdgpu lock held.
 * Return: 0 or -EAGAIN to retry, another errno for a VM fault.
 */
int vamdgpu_vm_handle_fault(struct vamdgpu_vm *vm, u64 addr, bool write)
{
	const struct vamdgpu_fault_handler *handler = vm->fault_handler;

	return handler->handle_fault(vm, vm->fault_priv, addr, write);
}

/**
 * vamdgpu_vm_set_xnack() - choose the XNACK mode of the process
 * @vm: the VM
 * @enable: XNACK on
 *
 * With an SVM context the mode is the process's: it changes for every
 * file and GPU of the process (amdgpu_svm_set_xnack()).
 *
 * Context: process context; takes &vamdgpu_vm.lock.
 * Return: 0, -EOPNOTSUPP to enable it on a GPU without XNACK (or while
 * the process has one), -EBUSY when the process has queues (this VM's,
 * without an SVM context).
 */
int vamdgpu_vm_set_xnack(struct vamdgpu_vm *vm, bool enable)
{
	int ret = 0;

	if (enable && !vm->vdev->personality->xnack_capable)
		return -EOPNOTSUPP;

	mutex_lock(&vm->lock);
	if (vm->svm)
		ret = vamdgpu_svm_set_xnack(vm, enable);
	else if (vm->num_queues)
		ret = -EBUSY;
	if (!ret)
		vm->xnack_enabled = enable;
	mutex_unlock(&vm->lock);
	return ret;
}

/**
 * vamdgpu_vm_xnack() - the XNACK mode the VM runs in
 * @vm: the VM
 *
 * With an SVM context, the mode of the process (one for all its files and
 * GPUs, as KFD has it); without, the VM's own.
 *
 * Context: any.
 * Return: true for XNACK on.
 */
bool vamdgpu_vm_xnack(struct vamdgpu_vm *vm)
{
	struct amdgpu_svm *svm = READ_ONCE(vm->svm);

	return svm ? amdgpu_svm_xnack_enabled(svm) : READ_ONCE(vm->xnack_enabled);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_set_xnack);

/**
 * vamdgpu_vm_create() - create the GPU address space of a process
 * @vdev: the GPU
 *
 * Context: process context (the opening process), may sleep.
 * Return: the VM, or an ERR_PTR(): -ENOMEM, -ENODEV when the device is
 * being removed.
 */
struct vamdgpu_vm *vamdgpu_vm_create(struct vamdgpu_device *vdev)
{
	struct vamdgpu_vm *vm;

	vm = kzalloc_obj(*vm);
	if (!vm)
		return ERR_PTR(-ENOMEM);

	vm->vdev = vdev;
	vm->pid = task_tgid_nr(current);
	vm->mm = current->mm;
	if (vm->mm)
		mmgrab(vm->mm);
	get_task_comm(vm->comm, current);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->queue_lock);
	INIT_LIST_HEAD(&vm->queues);
	spin_lock_init(&vm->pt_lock);
	xa_init(&vm->pt);
	mutex_init(&vm->tlb_lock);
	mutex_init(&vm->userptr_lock);
	INIT_LIST_HEAD(&vm->userptrs);
	vm->fault_handler = &vamdgpu_vm_default_fault_handler;

	mutex_lock(&vdev->vms_lock);
	if (vdev->retiring) {
		mutex_unlock(&vdev->vms_lock);
		mutex_destroy(&vm->userptr_lock);
		mutex_destroy(&vm->tlb_lock);
		mutex_destroy(&vm->lock);
		if (vm->mm)
			mmdrop(vm->mm);
		kfree(vm);
		return ERR_PTR(-ENODEV);
	}
	vm->id = ++vdev->next_vm_id;
	list_add_tail(&vm->link, &vdev->vms);
	mutex_unlock(&vdev->vms_lock);
	return vm;
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_create);

/**
 * vamdgpu_vm_destroy() - tear down the GPU address space of a process
 * @vm: the VM, from vamdgpu_vm_create()
 *
 * Stops and frees its queues (work in flight included), unmaps what the
 * hand-mapping path mapped, flushes the TLB and frees the page tables.
 *
 * Context: process context, may sleep.
 */
void vamdgpu_vm_destroy(struct vamdgpu_vm *vm)
{
	struct vamdgpu_device *vdev = vm->vdev;
	struct vamdgpu_pt_leaf *leaf;
	unsigned long index;

	vamdgpu_queue_destroy_all(vm);
	vamdgpu_svm_fini(vm);
	vamdgpu_userptr_unmap_all(vm);
	vamdgpu_vm_flush_tlb(vm);

	mutex_lock(&vdev->vms_lock);
	list_del(&vm->link);
	if (list_empty(&vdev->vms))
		wake_up_all(&vdev->vms_wq);
	mutex_unlock(&vdev->vms_lock);

	xa_for_each(&vm->pt, index, leaf)
		kfree(leaf);
	xa_destroy(&vm->pt);
	mutex_destroy(&vm->userptr_lock);
	mutex_destroy(&vm->tlb_lock);
	mutex_destroy(&vm->lock);
	if (vm->mm)
		mmdrop(vm->mm);
	kfree(vm);
}
EXPORT_SYMBOL_IF_KUNIT(vamdgpu_vm_destroy);

/**
 * vamdgpu_vm_from_file() - the VM of an open render-node file
 * @file: the DRM file
 *
 * Context: any, while @file is open.
 * Return: the VM created at open.
 */
struct vamdgpu_vm *vamdgpu_vm_from_file(struct drm_file *file)
{
	return file->driver_priv;
}

/**
 * vamdgpu_vm_of_caller() - the VM of a file, for an ioctl that drives it
 * @file: the DRM file
 *
 * A VM maps its process's memory (SVM, userptrs): a forked child that
 * inherited the file must not reach it through queues, submissions or
 * mappings, as KFD refuses its file in a child.
 *
 * Context: process context (an ioctl).
 * Return: the VM, or ERR_PTR(-EBADF) when the caller is not the process
 * that opened @file.
 */
struct vamdgpu_vm *vamdgpu_vm_of_caller(struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_from_file(file);

	if (vm->mm != current->mm)
		return ERR_PTR(-EBADF);
	return vm;
}

int vamdgpu_set_xnack_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_set_xnack *args = data;
	int ret;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (args->pad || args->xnack_enabled > 1)
		return -EINVAL;

	if (args->xnack_enabled >= 0) {
		ret = vamdgpu_vm_set_xnack(vm, args->xnack_enabled);
		if (ret)
			return ret;
	}
	args->xnack_enabled = vamdgpu_vm_xnack(vm);
	return 0;
}

/* VAMDGPU_VM_OP_QUIESCE: a test hook, counted apart from the core's. */
static int vamdgpu_vm_user_quiesce(struct vamdgpu_vm *vm)
{
	scoped_guard(mutex, &vm->lock) {
		if (vm->user_quiesces == UINT_MAX)
			return -EOVERFLOW;
		vm->user_quiesces++;
	}
	vamdgpu_vm_quiesce(vm);
	return 0;
}

/* VAMDGPU_VM_OP_RESUME: undo one VAMDGPU_VM_OP_QUIESCE, no more. */
static int vamdgpu_vm_user_resume(struct vamdgpu_vm *vm)
{
	scoped_guard(mutex, &vm->lock) {
		if (!vm->user_quiesces)
			return -EINVAL;
		vm->user_quiesces--;
	}
	return vamdgpu_vm_resume(vm);
}

int vamdgpu_vm_op_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct vamdgpu_vm *vm = vamdgpu_vm_of_caller(file);
	struct drm_vamdgpu_vm_op *args = data;

	if (IS_ERR(vm))
		return PTR_ERR(vm);

	switch (args->op) {
	case VAMDGPU_VM_OP_MAP_USERPTR:
		return vamdgpu_userptr_map(vm, args);
	case VAMDGPU_VM_OP_UNMAP:
		return vamdgpu_userptr_unmap(vm, args);
	case VAMDGPU_VM_OP_FLUSH_TLB:
	case VAMDGPU_VM_OP_QUIESCE:
	case VAMDGPU_VM_OP_RESUME:
		if (args->flags || args->va || args->size || args->userptr)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	switch (args->op) {
	case VAMDGPU_VM_OP_FLUSH_TLB:
		vamdgpu_vm_flush_tlb(vm);
		return 0;
	case VAMDGPU_VM_OP_QUIESCE:
		return vamdgpu_vm_user_quiesce(vm);
	default:
		return vamdgpu_vm_user_resume(vm);
	}
}
